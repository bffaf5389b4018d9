"""One network's trouble stays its own: uplink-set membership per LIG, through the ML2 plugin.

A VLAN another network already carries in the uplink set, a member deleted while we plan, a
network of ours left without a record: each is handled where it belongs, and every other network
still joins its uplink sets in the same round.
"""

from __future__ import annotations

from typing import Any

from networking_oneview.db import networks as networks_db
from networking_oneview.db import work as work_db
from networking_oneview.reconcile.documents import read_modify_write
from tests.functional.base import OneViewTestCase


class MembershipCase(OneViewTestCase):
    def foreign_network_in_uplink_sets(self, vlan: int, name: str) -> dict[str, Any]:
        """An operator's network carrying ``vlan`` in US-Tagged (the LIG and every LI)."""
        network = self.mech.client.create(
            "/rest/ethernet-networks",
            {"name": name, "vlanId": vlan, "ethernetNetworkType": "Tagged", "purpose": "General"},
            kind="ethernet-network",
        )

        def add(holder: dict[str, Any]) -> bool:
            holder["networkUris"] = [*holder["networkUris"], network["uri"]]
            return True

        def add_to_template(lig: dict[str, Any]) -> bool:
            return add(next(t for t in lig["uplinkSets"] if t["name"] == "US-Tagged"))

        lig = self.oneview("/rest/logical-interconnect-groups")[0]
        read_modify_write(
            self.mech.client, lig["uri"], add_to_template, kind="logical-interconnect-group"
        )
        for uplink_set in self.uplink_sets("US-Tagged"):
            read_modify_write(self.mech.client, uplink_set["uri"], add, kind="uplink-set")
        return network

    def members_everywhere(self, uri: str) -> bool:
        return uri in self.lig_template("US-Tagged")["networkUris"] and all(
            uri in u["networkUris"] for u in self.uplink_sets("US-Tagged")
        )

    def parked_errors(self) -> dict[str, str]:
        return {
            r.object_id: r.last_error or ""
            for r in work_db.pending_work(self.admin)
            if r.kind == work_db.KIND_NETWORK
        }


class TestVlanClash(MembershipCase):
    def test_a_clashing_vlan_is_left_out_with_its_own_error_and_the_others_join(self):
        foreign = self.foreign_network_in_uplink_sets(500, "operator-vlan-500")
        clashing = self.make_vlan_network(vlan=500, name="clashing")
        good = [self.make_vlan_network(vlan=v, name=f"good{v}") for v in (501, 502)]
        self.reconcile()

        by_vlan = {n["vlanId"]: n["uri"] for n in self.ours()}
        assert self.members_everywhere(by_vlan[501]) and self.members_everywhere(by_vlan[502])
        assert not any(by_vlan[500] in u["networkUris"] for u in self.uplink_sets("US-Tagged"))
        assert self.members_everywhere(foreign["uri"])  # the operator's network is untouched
        errors = self.parked_errors()
        assert set(errors) == {clashing["id"]}
        assert "VLAN 500" in errors[clashing["id"]] and foreign["uri"] in errors[clashing["id"]]
        assert not any(n["id"] in errors for n in good)

    def test_the_parked_clash_is_not_retried_by_the_next_round(self):
        self.foreign_network_in_uplink_sets(510, "operator-vlan-510")
        self.make_vlan_network(vlan=510, name="clashing")
        self.reconcile()
        self.sim.appliance.clear_request_log()
        assert self.reconcile() == 0
        assert [r for r in self.sim.appliance.request_log if r["method"] != "GET"] == []

    def test_a_vlan_the_cached_topology_shows_taken_is_refused_before_commit(self):
        foreign = self.foreign_network_in_uplink_sets(520, "operator-vlan-520")
        self.mech.cache.topology(refresh=True)
        response = self._create_network(
            self.fmt,
            "clashing",
            True,
            as_admin=True,
            arg_list=(
                "provider:network_type",
                "provider:physical_network",
                "provider:segmentation_id",
            ),
            **{
                "provider:network_type": "vlan",
                "provider:physical_network": "physnet1",
                "provider:segmentation_id": 520,
            },
        )
        assert response.status_int == 400
        message = self.deserialize(self.fmt, response)["NeutronError"]["message"]
        assert (
            "VLAN 520" in message and "operator-vlan-520" in message and foreign["uri"] in message
        )
        assert work_db.pending_work(self.admin) == []


class TestStaleMembers(MembershipCase):
    def test_a_member_deleted_behind_our_back_is_recreated_in_the_same_round(self):
        first = self.make_vlan_network(vlan=530, name="first")
        self.reconcile()
        [gone] = self.ours()
        self.mech.client.delete(gone["uri"])  # OneView drops it from every uplink set too
        self.make_vlan_network(vlan=531, name="second")
        self.reconcile()

        by_vlan = {n["vlanId"]: n["uri"] for n in self.ours()}
        assert sorted(by_vlan) == [530, 531]
        assert by_vlan[530] != gone["uri"]
        assert self.members_everywhere(by_vlan[530]) and self.members_everywhere(by_vlan[531])
        assert (
            networks_db.owned_networks(self.admin, network_id=first["id"])[0].oneview_uri
            == by_vlan[530]
        )
        assert work_db.pending_work(self.admin) == []


class TestOrphans(MembershipCase):
    def test_full_sync_deletes_our_named_network_no_segment_wants_and_keeps_foreign_lookalikes(
        self,
    ):
        orphan = self.mech.client.create(
            "/rest/ethernet-networks",
            {"name": "testcloud_physnet1_540", "vlanId": 540, "ethernetNetworkType": "Tagged"},
            kind="ethernet-network",
        )
        lookalike = self.mech.client.create(
            "/rest/ethernet-networks",
            {"name": "testcloud_backups", "vlanId": 541, "ethernetNetworkType": "Tagged"},
            kind="ethernet-network",
        )
        work_db.record_work(self.admin, work_db.KIND_FULL, "all")
        self.reconcile()
        names = self.oneview_networks()
        assert orphan["name"] not in names
        assert names["testcloud_backups"]["uri"] == lookalike["uri"]

    def test_full_sync_adopts_our_named_network_a_live_segment_wants(self):
        network = self.make_vlan_network(vlan=550, name="wanted")
        self.reconcile()
        [before] = self.ours()
        # A database restored from a backup taken before the network was recorded.
        networks_db.remove_owned_network(
            self.admin, networks_db.owned_networks(self.admin)[0].segment_id
        )
        work_db.record_work(self.admin, work_db.KIND_FULL, "all")
        self.reconcile()
        [after] = self.ours()
        [record] = networks_db.owned_networks(self.admin, network_id=network["id"])
        assert after["uri"] == before["uri"] == record.oneview_uri
        assert self.members_everywhere(after["uri"])


class TestUnclaimedConnections(MembershipCase):
    SERVER = "Frame1, bay 6"  # powered off

    def test_full_sync_removes_a_connection_with_our_name_and_no_record_and_keeps_the_rest(self):
        network = self.make_vlan_network(vlan=560, name="left-behind")
        self.reconcile()
        [ours] = self.ours()
        hardware = self.hardware(self.SERVER)
        self.mech.client.create(
            "/rest/server-profiles",
            {
                "name": "restored-from-backup",
                "serverHardwareUri": hardware["uri"],
                "connectionSettings": {
                    "manageConnections": True,
                    "connections": [
                        {
                            "id": 1,
                            "name": "operator-data",
                            "functionType": "Ethernet",
                            "networkUri": ours["uri"],
                            "portId": "Mezz 3:1-a",
                        },
                        {
                            "id": 2,
                            "name": "neutron-testcloud-Mezz-3-2-c",
                            "functionType": "Ethernet",
                            "networkUri": ours["uri"],
                            "portId": "Mezz 3:2-c",
                        },
                    ],
                },
            },
            kind="server-profile",
        )
        work_db.record_work(self.admin, work_db.KIND_FULL, "all")
        self.reconcile()

        profile = self.sim.appliance.store.get(self.hardware(self.SERVER)["serverProfileUri"])
        names = [c["name"] for c in profile["connectionSettings"]["connections"]]
        assert names == ["operator-data"]
        assert network["id"]  # the network itself is untouched
        assert self.members_everywhere(ours["uri"])
