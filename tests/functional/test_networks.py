"""Neutron networks mirrored into OneView, through Neutron's real ML2 plugin."""

from __future__ import annotations

from tests.functional.base import OneViewTestCase


class TestVlanNetworks(OneViewTestCase):
    def test_vlan_network_becomes_a_tagged_network_in_the_lig_and_both_lis(self):
        network = self.make_vlan_network(vlan=42, name="tenant-a")
        self.reconcile()

        [ours] = self.ours()
        assert ours["ethernetNetworkType"] == "Tagged" and ours["vlanId"] == 42
        assert ours["name"] == "testcloud_physnet1_42"
        assert ours["uri"] in self.lig_template("US-Tagged")["networkUris"]
        live = self.uplink_sets("US-Tagged")
        assert len(live) == 2
        assert all(ours["uri"] in u["networkUris"] for u in live)
        assert network["status"] == "ACTIVE"

    def test_api_call_does_not_wait_for_oneview(self):
        self.make_vlan_network(vlan=43)
        assert self.ours() == []  # recorded only; nothing applied until the reconciler runs
        assert self.reconcile() == 2  # the network, then its LIG's uplink-set membership
        assert len(self.ours()) == 1

    def test_neutron_rename_costs_no_oneview_write(self):
        network = self.make_vlan_network(vlan=44, name="before")
        self.reconcile()
        self.sim.appliance.clear_request_log()
        self._update("networks", network["id"], {"network": {"name": "after"}})
        self.reconcile()
        [ours] = self.ours()
        assert ours["name"] == "testcloud_physnet1_44"
        assert [r for r in self.sim.appliance.request_log if r["method"] != "GET"] == []

    def test_delete_leaves_uplink_sets_then_deletes_the_network(self):
        network = self.make_vlan_network(vlan=45)
        self.reconcile()
        [ours] = self.ours()
        self._delete("networks", network["id"])
        self.reconcile()
        assert self.ours() == []
        assert ours["uri"] not in self.lig_template("US-Tagged")["networkUris"]
        assert all(ours["uri"] not in u["networkUris"] for u in self.uplink_sets("US-Tagged"))

    def test_foreign_members_of_the_uplink_set_stay(self):
        before = set(self.lig_template("US-Tagged")["networkUris"])
        network = self.make_vlan_network(vlan=46)
        self.reconcile()
        self._delete("networks", network["id"])
        self.reconcile()
        assert set(self.lig_template("US-Tagged")["networkUris"]) == before
        assert "datacenter-mgmt" in self.oneview_networks()

    def test_unmapped_physnet_and_vxlan_networks_are_ignored(self):
        self.make_vlan_network(vlan=250, physnet="physnet2")
        self._make_network(self.fmt, "overlay", True)
        assert self.reconcile() == 0
        assert self.ours() == []


class TestFlatNetworks(OneViewTestCase):
    def test_flat_network_becomes_the_untagged_network_of_its_uplink_set(self):
        self.make_flat_network("flatnet")
        self.reconcile()
        [ours] = self.ours()
        assert ours["ethernetNetworkType"] == "Untagged"
        assert self.lig_template("US-Untagged")["networkUris"] == [ours["uri"]]
        assert all(u["networkUris"] == [ours["uri"]] for u in self.uplink_sets("US-Untagged"))

    def test_second_flat_network_on_the_physnet_is_rejected_before_commit(self):
        self.make_flat_network("flatnet", name="first")
        response = self._create_network(
            self.fmt,
            "second",
            True,
            as_admin=True,
            arg_list=("provider:network_type", "provider:physical_network"),
            **{"provider:network_type": "flat", "provider:physical_network": "flatnet"},
        )
        assert response.status_int == 409
        self.reconcile()
        assert len(self.ours()) == 1

    def test_manually_mapped_flat_network_uses_the_existing_oneview_network(self):
        before = self.oneview_networks()["provisioning"]
        network = self.make_flat_network("prov", name="provisioning")
        self.reconcile()
        assert self.ours() == []
        self._delete("networks", network["id"])
        self.reconcile()
        assert self.oneview_networks()["provisioning"] == before


class TestMultiSegmentNetworks(OneViewTestCase):
    def test_every_mapped_segment_gets_its_own_oneview_network(self):
        segments = [
            {
                "provider:network_type": "vlan",
                "provider:physical_network": "physnet1",
                "provider:segmentation_id": 70,
            },
            {"provider:network_type": "flat", "provider:physical_network": "flatnet"},
            {
                "provider:network_type": "vlan",
                "provider:physical_network": "physnet2",
                "provider:segmentation_id": 270,
            },
        ]
        network = self._make_network(
            self.fmt, "multi", True, as_admin=True, arg_list=("segments",), segments=segments
        )["network"]
        self.reconcile()
        kinds = sorted((n["ethernetNetworkType"], n["vlanId"]) for n in self.ours())
        assert kinds == [("Tagged", 70), ("Untagged", 0)]
        self._delete("networks", network["id"])
        self.reconcile()
        assert self.ours() == []


class TestBatching(OneViewTestCase):
    def test_networks_recorded_together_share_one_put_per_uplink_set(self):
        for vlan in (81, 82, 83, 84):
            self.make_vlan_network(vlan=vlan, name=f"n{vlan}")
        self.sim.appliance.clear_request_log()
        self.reconcile()
        puts = [
            r["path"]
            for r in self.sim.appliance.request_log
            if r["method"] == "PUT"
            and r["path"].startswith(("/rest/uplink-sets/", "/rest/logical-interconnect-groups/"))
        ]
        assert len(self.ours()) == 4
        assert len(puts) == 3  # the LIG template and the two logical interconnects' uplink sets
        assert all(
            {n["uri"] for n in self.ours()} <= set(u["networkUris"])
            for u in self.uplink_sets("US-Tagged")
        )

    def test_vlan_and_flat_networks_of_one_lig_share_one_lig_put(self):
        self.make_vlan_network(vlan=85, name="tagged")
        self.make_flat_network("flatnet", name="untagged")
        self.sim.appliance.clear_request_log()
        self.reconcile()
        lig_puts = [
            r
            for r in self.sim.appliance.request_log
            if r["method"] == "PUT" and r["path"].startswith("/rest/logical-interconnect-groups/")
        ]
        assert len(lig_puts) == 1
        kinds = {n["ethernetNetworkType"]: n["uri"] for n in self.ours()}
        assert kinds["Tagged"] in self.lig_template("US-Tagged")["networkUris"]
        assert self.lig_template("US-Untagged")["networkUris"] == [kinds["Untagged"]]
