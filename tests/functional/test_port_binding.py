"""Bare-metal ports bound to OneView server-profile connections, through the real ML2 plugin."""

from __future__ import annotations

import json

from neutron_lib.api.definitions import portbindings

from tests.functional.base import OneViewTestCase

BLADE_OFF = "Frame1, bay 4"  # powered off, no profile in the fixture
BLADE_ON = "Frame1, bay 3"  # powered on, no profile in the fixture


class PortTestCase(OneViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.give_profile(BLADE_OFF)
        self.give_profile(BLADE_ON)
        self.tenant = self.make_vlan_network(vlan=42, name="tenant")
        self.reconcile()
        self.tenant_uri = self.ours()[0]["uri"]

    def bind(self, hardware_name=BLADE_OFF, nic="Mezz 3:2-a", network=None, **switch_info):
        mac = self.mac_of(hardware_name, nic)
        return self.baremetal_port((network or self.tenant)["id"], mac, **switch_info)

    def ours_on(self, hardware_name: str) -> list[dict]:
        return [c for c in self.connections_of(hardware_name) if c["name"].startswith("neutron-")]


class TestBinding(PortTestCase):
    def test_port_is_bound_with_vif_type_other_and_l2_connectivity(self):
        port = self.bind()
        assert port[portbindings.VIF_TYPE] == portbindings.VIF_TYPE_OTHER
        assert port[portbindings.VIF_DETAILS]["connectivity"] == "l2"
        assert port["status"] == "DOWN"

    def test_connection_is_created_on_the_nic_with_the_port_mac_and_the_port_goes_active(self):
        port = self.bind()
        assert self.ours_on(BLADE_OFF) == []
        self.reconcile()
        [connection] = self.ours_on(BLADE_OFF)
        assert connection["portId"] == "Mezz 3:2-a"
        assert connection["networkUri"] == self.tenant_uri
        assert connection["boot"]["priority"] == "NotBootable"
        assert connection["name"] == "neutron-testcloud-Mezz-3-2-a"
        assert self.show_port(port["id"])["status"] == "ACTIVE"

    def test_server_hardware_id_in_switch_info_selects_the_server(self):
        hardware_id = self.hardware(BLADE_OFF)["uri"].rsplit("/", 1)[-1]
        self.bind(server_hardware_id=hardware_id, bootable="true")
        self.reconcile()
        [connection] = self.ours_on(BLADE_OFF)
        assert connection["boot"]["priority"] == "Primary"

    def test_switch_info_as_a_json_string_is_understood(self):
        mac = self.mac_of(BLADE_OFF)
        info = json.dumps({"bootable": "True"})
        profile = {
            "local_link_information": [{"switch_id": "x", "port_id": "y", "switch_info": info}]
        }
        self.port_with_profile(self.tenant["id"], mac, profile)
        self.reconcile()
        assert self.ours_on(BLADE_OFF)[0]["boot"]["priority"] == "Primary"

    def test_mac_is_matched_case_insensitively(self):
        port = self.baremetal_port(self.tenant["id"], self.mac_of(BLADE_OFF).upper())
        self.reconcile()
        assert len(self.ours_on(BLADE_OFF)) == 1
        assert self.show_port(port["id"])["status"] == "ACTIVE"

    def test_second_bootable_port_gets_secondary(self):
        self.bind(nic="Mezz 3:2-a", bootable=True)
        self.bind(nic="Mezz 3:2-b", bootable=True)
        self.reconcile()
        priorities = sorted(c["boot"]["priority"] for c in self.ours_on(BLADE_OFF))
        assert priorities == ["Primary", "Secondary"]


class TestUnbindAndDelete(PortTestCase):
    def test_delete_removes_our_connection(self):
        port = self.bind()
        self.reconcile()
        self._delete("ports", port["id"], as_admin=True)
        self.reconcile()
        assert self.ours_on(BLADE_OFF) == []

    def test_unbind_before_delete_removes_the_connection(self):
        port = self.bind()
        self.reconcile()
        self._update(
            "ports",
            port["id"],
            {"port": {portbindings.HOST_ID: "", portbindings.PROFILE: {}}},
            as_service=True,
        )
        self.reconcile()
        assert self.ours_on(BLADE_OFF) == []

    def test_provisioning_to_tenant_flip_leaves_exactly_one_connection(self):
        provisioning = self.make_flat_network("prov", name="provisioning")
        first = self.bind(network=provisioning)
        self.reconcile()
        assert [c["networkUri"] for c in self.ours_on(BLADE_OFF)] == [self.provisioning_uri]
        self._delete("ports", first["id"], as_admin=True)
        second = self.bind(network=self.tenant)
        self.reconcile()
        [connection] = self.ours_on(BLADE_OFF)
        assert connection["networkUri"] == self.tenant_uri
        assert self.claims_of(BLADE_OFF)["Mezz 3:2-a"].port_id == second["id"]


class TestPower(PortTestCase):
    def test_powered_on_server_is_switched_off_for_the_change_and_back_on(self):
        self.bind(hardware_name=BLADE_ON)
        self.reconcile()
        assert len(self.ours_on(BLADE_ON)) == 1
        assert self.hardware(BLADE_ON)["powerState"] == "On"
        log = [
            (r["method"], r["path"])
            for r in self.sim.appliance.request_log
            if r["path"].endswith("/powerState")
        ]
        assert [m for m, _ in log] == ["PUT", "PUT"]

    def test_powered_off_server_is_not_powered_on(self):
        self.bind(hardware_name=BLADE_OFF)
        self.reconcile()
        assert self.hardware(BLADE_OFF)["powerState"] == "Off"
        assert not [r for r in self.sim.appliance.request_log if r["path"].endswith("/powerState")]


class TestPortsLeftAlone(PortTestCase):
    def test_vm_port_is_not_bound_by_oneview(self):
        response = self._create_port(
            self.fmt,
            self.tenant["id"],
            is_service=True,
            arg_list=(portbindings.HOST_ID,),
            **{portbindings.HOST_ID: "compute-1"},
        )
        port = self.deserialize(self.fmt, response)["port"]
        assert port[portbindings.VIF_TYPE] != portbindings.VIF_TYPE_OTHER
        assert self.reconcile() == 0

    def test_dhcp_port_is_not_bound_by_oneview(self):
        response = self._create_port(
            self.fmt,
            self.tenant["id"],
            is_service=True,
            arg_list=(portbindings.HOST_ID, "device_owner"),
            **{portbindings.HOST_ID: "net-node", "device_owner": "network:dhcp"},
        )
        port = self.deserialize(self.fmt, response)["port"]
        assert port[portbindings.VIF_TYPE] == portbindings.VIF_TYPE_BINDING_FAILED
        assert self.reconcile() == 0

    def test_rack_server_is_skipped_and_the_port_left_unbound(self):
        port = self.bind(hardware_name="rack-dl360-2", nic="Lom 1:1-a")
        assert port[portbindings.VIF_TYPE] == portbindings.VIF_TYPE_BINDING_FAILED

    def test_foreign_connections_are_untouched(self):
        before = self.connections_of("Frame1, bay 2")
        port = self.bind(hardware_name="Frame1, bay 2", nic="Mezz 3:2-b")
        self.reconcile()
        after = self.connections_of("Frame1, bay 2")
        assert [c for c in after if not c["name"].startswith("neutron-")] == before
        self._delete("ports", port["id"], as_admin=True)
        self.reconcile()
        assert self.connections_of("Frame1, bay 2") == before


class TestBadProfiles(PortTestCase):
    """Each bad binding profile fails only its own port's binding, with a log saying why."""

    def bad(self, profile, mac=None):
        mac = mac or self.mac_of(BLADE_OFF, "Mezz 3:1-b")
        with self.assertLogs("networking_oneview.driver", level="ERROR") as logs:
            port = self.port_with_profile(self.tenant["id"], mac, profile)
        assert port[portbindings.VIF_TYPE] == portbindings.VIF_TYPE_BINDING_FAILED
        return " ".join(logs.output)

    def link(self, switch_info):
        return {
            "local_link_information": [
                {"switch_id": "x", "port_id": "y", "switch_info": switch_info}
            ]
        }

    def test_malformed_switch_info_json(self):
        assert "switch_info is not valid JSON" in self.bad(self.link('{"server_hardware_id": '))

    def test_switch_info_of_a_wrong_type(self):
        assert "must be an object or a JSON string" in self.bad(self.link(12))

    def test_bootable_that_is_not_a_boolean(self):
        assert "bootable 'sometimes'" in self.bad(self.link({"bootable": "sometimes"}))

    def test_unknown_server_hardware(self):
        log = self.bad(self.link({"server_hardware_id": "no-such-server"}))
        assert "no-such-server is not a server hardware known to OneView" in log

    def test_unknown_mac(self):
        assert "no OneView server hardware has a NIC with MAC" in self.bad(
            self.link({}), mac="02:00:00:00:00:99"
        )

    def test_entry_that_is_not_an_object(self):
        assert "is not an object" in self.bad({"local_link_information": ["eth0"]})

    def test_absurdly_many_links(self):
        links = [{"port_id": f"Mezz 3:{i}-a"} for i in range(1, 20)]
        assert "at most 8" in self.bad({"local_link_information": links})

    def test_large_switch_info(self):
        assert "at most 2048" in self.bad(self.link("{" + " " * 3000 + "}"))

    def test_profile_too_large_for_neutron_is_refused_by_the_api(self):
        mac = self.mac_of(BLADE_OFF, "Mezz 3:1-b")
        response = self._create_port(
            self.fmt,
            self.tenant["id"],
            is_service=True,
            arg_list=(portbindings.PROFILE, portbindings.VNIC_TYPE, "mac_address"),
            **{
                portbindings.PROFILE: self.link("x" * 10000),
                portbindings.VNIC_TYPE: portbindings.VNIC_BAREMETAL,
                "mac_address": mac,
            },
        )
        assert response.status_int == 400
        assert self.reconcile() == 0

    def test_a_bad_port_does_not_affect_a_good_one(self):
        self.bad(self.link("{oops"))
        good = self.bind()
        self.reconcile()
        assert len(self.ours_on(BLADE_OFF)) == 1
        assert self.show_port(good["id"])["status"] == "ACTIVE"


class TestStatusAndRecovery(PortTestCase):
    def test_port_stays_down_with_the_reason_logged_until_the_server_has_a_profile(self):
        port = self.bind(hardware_name="Frame1, bay 6")  # off, no server profile
        with self.assertLogs("networking_oneview.worker", level="WARNING") as logs:
            self.reconcile()
        assert "has no server profile" in " ".join(logs.output)
        assert self.show_port(port["id"])["status"] == "DOWN"

        self.give_profile("Frame1, bay 6")
        from networking_oneview.db import work as work_db

        assert work_db.expedite_work(self.admin) == 1  # skip the retry backoff
        self.reconcile()
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        assert len(self.ours_on("Frame1, bay 6")) == 1

    def test_profile_update_making_the_port_bootable_changes_boot_priority(self):
        port = self.bind()
        self.reconcile()
        assert self.ours_on(BLADE_OFF)[0]["boot"]["priority"] == "NotBootable"
        profile = dict(port[portbindings.PROFILE])
        profile["local_link_information"][0]["switch_info"] = {"bootable": True}
        self._update(
            "ports", port["id"], {"port": {portbindings.PROFILE: profile}}, as_service=True
        )
        self.reconcile()
        assert self.ours_on(BLADE_OFF)[0]["boot"]["priority"] == "Primary"
        assert self.show_port(port["id"])["status"] == "ACTIVE"


class TestSeveralLinks(PortTestCase):
    def test_a_port_with_two_links_gets_a_connection_on_each_named_nic(self):
        hardware_id = self.hardware(BLADE_OFF)["uri"].rsplit("/", 1)[-1]
        info = {"server_hardware_id": hardware_id}
        profile = {
            "local_link_information": [
                {"switch_id": "x", "port_id": "Mezz 3:1-b", "switch_info": info},
                {"switch_id": "x", "port_id": "Mezz 3:2-b", "switch_info": info},
            ]
        }
        port = self.port_with_profile(
            self.tenant["id"], self.mac_of(BLADE_OFF, "Mezz 3:1-b"), profile
        )
        self.reconcile()
        assert sorted(c["portId"] for c in self.ours_on(BLADE_OFF)) == ["Mezz 3:1-b", "Mezz 3:2-b"]
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        self._delete("ports", port["id"], as_admin=True)
        self.reconcile()
        assert self.ours_on(BLADE_OFF) == []
