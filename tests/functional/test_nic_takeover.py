"""The NIC is the unit: take over a profile's connection in place, flip it, restore it exactly,
and power a server off only when OneView requires it, never forgetting to power it on again."""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable

from neutron_lib.api.definitions import portbindings

from networking_oneview import cli
from networking_oneview.db import networks as networks_db
from networking_oneview.db import ports as ports_db
from networking_oneview.db import power as power_db
from networking_oneview.db import work as work_db
from tests.functional.test_port_binding import BLADE_OFF, BLADE_ON, PortTestCase

NODE_OFF = "Frame1, bay 6"  # powered off, no profile in the fixture: gets a template-like one
NODE_ON = "Frame1, bay 5"  # powered on, likewise
DEPLOY_NIC, DATA_NIC = "Mezz 3:1-a", "Mezz 3:2-a"


class TakeOverCase(PortTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tenant2 = self.make_vlan_network(vlan=43, name="tenant2")
        self.provisioning = self.make_flat_network("prov", name="provisioning")
        self.reconcile()
        self.tenant2_uri = self.oneview_networks()["testcloud_physnet1_43"]["uri"]

    def _segment(self, vlan: int) -> str:
        return next(
            o.segment_id
            for o in networks_db.owned_networks(self.admin)
            if o.segmentation_id == vlan
        )

    def node_port(self, node: str, network: dict, nic: str = DEPLOY_NIC, **switch_info):
        return self.baremetal_port(network["id"], self.mac_of(node, nic), host=node, **switch_info)

    def unbind(self, port: dict) -> None:
        self._update(
            "ports",
            port["id"],
            {"port": {portbindings.HOST_ID: "", portbindings.PROFILE: {}}},
            as_service=True,
        )

    def delete(self, port: dict) -> None:
        self._delete("ports", port["id"], as_admin=True)

    def converge(self, rounds: int = 10) -> None:
        for _ in range(rounds):
            work_db.expedite_work(self.admin)
            self.reconcile()
            if work_db.count_pending(self.admin) == 0:
                return
        raise AssertionError(f"still pending: {work_db.pending_work(self.admin)}")

    def on_nic(self, node: str, nic: str = DEPLOY_NIC) -> dict:
        return next(c for c in self.connections_of(node) if c["portId"] == nic)

    def status_output(self) -> str:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            cli.status(retry_now=False)
        return out.getvalue()

    def wait_for(self, probe: Callable[[], object], timeout: float = 10.0) -> None:
        """Wait for OneView's own tasks (which run on the appliance's clock, not ours)."""
        deadline = time.monotonic() + timeout
        while not probe():
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.05)


class TestTakeOverInPlace(TakeOverCase):
    def test_template_connection_is_taken_over_flipped_twice_and_restored_byte_identical(self):
        before = self.template_profile(NODE_OFF)

        first = self.node_port(NODE_OFF, self.tenant)
        self.reconcile()
        taken = self.on_nic(NODE_OFF)
        assert (taken["id"], taken["name"], taken["networkUri"]) == (1, "deploy", self.tenant_uri)
        assert taken["boot"]["priority"] == "Primary"  # the port did not ask for another
        assert self.show_port(first["id"])["status"] == "ACTIVE"

        self.delete(first)
        second = self.node_port(NODE_OFF, self.tenant2)
        self.reconcile()
        assert self.on_nic(NODE_OFF)["networkUri"] == self.tenant2_uri
        assert self.show_port(second["id"])["status"] == "ACTIVE"

        self.unbind(second)
        self.reconcile()
        assert self.connections_of(NODE_OFF) == before
        assert self.claims_of(NODE_OFF) == {}
        assert self.power_requests() == []

    def test_flip_on_a_running_server_changes_the_network_in_place_without_power(self):
        self.template_profile(NODE_ON)
        prov = self.node_port(NODE_ON, self.provisioning)
        self.reconcile()
        assert self.on_nic(NODE_ON)["networkUri"] == self.provisioning_uri
        self.delete(prov)
        tenant = self.node_port(NODE_ON, self.tenant)
        self.reconcile()

        assert self.on_nic(NODE_ON)["networkUri"] == self.tenant_uri
        assert self.on_nic(NODE_ON)["id"] == 1
        assert self.show_port(tenant["id"])["status"] == "ACTIVE"
        assert self.power_requests() == []
        assert self.hardware(NODE_ON)["powerState"] == "On"

    def test_the_claim_remembers_the_original_connection(self):
        before = self.template_profile(NODE_OFF)
        port = self.node_port(NODE_OFF, self.tenant)
        self.reconcile()
        claim = self.claims_of(NODE_OFF)[DEPLOY_NIC]
        assert claim.port_id == port["id"]
        assert claim.original == before[0]

    def test_connections_on_other_nics_are_never_rewritten(self):
        before = self.template_profile(NODE_OFF)
        port = self.node_port(NODE_OFF, self.tenant)
        self.reconcile()
        assert self.on_nic(NODE_OFF, DATA_NIC) == before[1]
        self.delete(port)
        self.reconcile()
        assert self.on_nic(NODE_OFF, DATA_NIC) == before[1]

    def test_an_operator_connection_reusing_an_old_id_is_untouched(self):
        port = self.bind(nic="Mezz 3:2-b")
        self.reconcile()
        [ours] = self.ours_on(BLADE_OFF)
        self.delete(port)
        self.reconcile()
        assert self.ours_on(BLADE_OFF) == []
        profile = self.mech.client.get(self.hardware(BLADE_OFF)["serverProfileUri"])
        profile["connectionSettings"]["connections"].append(
            {
                "id": ours["id"],
                "name": "operator-backup",
                "functionType": "Ethernet",
                "networkUri": self.provisioning_uri,
                "portId": "Mezz 3:1-b",
                "boot": {"priority": "NotBootable"},
            }
        )
        self.mech.client.update(profile, kind="server-profile")
        before = self.connections_of(BLADE_OFF)

        work_db.record_work(self.admin, work_db.KIND_FULL, "all")
        self.converge()
        assert self.connections_of(BLADE_OFF) == before


class TestRefuseExistingConnections(TakeOverCase):
    oneview_options = {"existing_connections": "refuse"}

    def test_the_port_stays_down_and_the_connection_in_the_way_is_named(self):
        before = self.template_profile(NODE_OFF)
        port = self.node_port(NODE_OFF, self.tenant)
        self.reconcile()

        assert self.connections_of(NODE_OFF) == before
        assert self.show_port(port["id"])["status"] == "DOWN"
        record = ports_db.port(self.admin, port["id"])
        assert record.state == ports_db.REFUSED
        assert "'deploy'" in record.reason and "existing_connections = refuse" in record.reason
        assert "existing_connections = refuse" in self.status_output()

    def test_the_refusal_is_parked_not_retried_in_a_loop(self):
        self.template_profile(NODE_OFF)
        self.node_port(NODE_OFF, self.tenant)
        self.reconcile()
        self.sim.appliance.clear_request_log()
        assert self.reconcile() == 0  # nothing due: parked until something changes
        assert self.sim.appliance.request_log == [], self.sim.appliance.request_log
        assert work_db.expedite_work(self.admin) == 1  # status --retry-now


class TestPower(TakeOverCase):
    def test_adding_a_connection_to_a_running_server_is_one_power_cycle_and_power_is_restored(
        self,
    ):
        port = self.bind(hardware_name=BLADE_ON, nic="Mezz 3:2-b")
        self.reconcile()

        assert [c["portId"] for c in self.ours_on(BLADE_ON)] == ["Mezz 3:2-b"]
        assert self.hardware(BLADE_ON)["powerState"] == "On"
        assert len(self.power_requests()) == 2  # off, then on: exactly one cycle
        assert power_db.owed(self.admin) == []
        assert self.show_port(port["id"])["status"] == "ACTIVE"

    def test_a_crash_between_power_off_and_power_on_is_repaired_by_the_next_run(self):
        port = self.bind(hardware_name=BLADE_ON, nic="Mezz 3:2-b")
        hardware = self.hardware(BLADE_ON)
        # What a process killed right after its power-off leaves behind: the server off, the
        # debt recorded, the change not made, the work still queued.
        self.mech.registry.get("server").power.power_off(self.admin, hardware)
        assert self.hardware(BLADE_ON)["powerState"] == "Off"
        assert power_db.owed(self.admin) == [hardware["uri"]]

        self.converge()

        assert self.hardware(BLADE_ON)["powerState"] == "On"
        assert power_db.owed(self.admin) == []
        assert len(self.ours_on(BLADE_ON)) == 1
        assert len(self.power_requests()) == 2  # our off before the crash, one on after it
        assert self.show_port(port["id"])["status"] == "ACTIVE"

    def test_a_failed_power_on_is_retried_until_the_server_is_on_again(self):
        port = self.bind(hardware_name=BLADE_ON, nic="Mezz 3:2-b")
        self.mech.registry.get("server").power.power_off(self.admin, self.hardware(BLADE_ON))
        self.sim.appliance.faults.configure(
            {"rules": [{"path": "*/powerState", "error_rate": 1.0, "error_status": 503}]}
        )
        self.reconcile()
        assert self.hardware(BLADE_ON)["powerState"] == "Off"
        assert power_db.owed(self.admin) == [self.hardware(BLADE_ON)["uri"]]
        assert "power-on still owed" in self.status_output()
        assert self.show_port(port["id"])["status"] == "DOWN"

        self.sim.appliance.faults.clear()
        self.converge()
        assert self.hardware(BLADE_ON)["powerState"] == "On"
        assert self.show_port(port["id"])["status"] == "ACTIVE"

    def test_an_in_place_change_on_a_running_server_makes_no_power_operation(self):
        self.template_profile(NODE_ON)
        self.node_port(NODE_ON, self.tenant)
        self.reconcile()
        assert self.power_requests() == []


class TestPowerOffNotAllowed(TakeOverCase):
    oneview_options = {"allow_power_off": False}

    def test_the_port_waits_with_the_reason_until_the_server_is_off(self):
        port = self.bind(hardware_name=BLADE_ON, nic="Mezz 3:2-b")
        self.reconcile()
        assert self.power_requests() == []
        assert self.ours_on(BLADE_ON) == []
        record = ports_db.port(self.admin, port["id"])
        assert record.state == ports_db.WAITING and "allow_power_off = false" in record.reason

        self.set_power(BLADE_ON, "Off")
        self.converge()
        assert len(self.ours_on(BLADE_ON)) == 1
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        assert self.hardware(BLADE_ON)["powerState"] == "Off"


class TestPortStatusIsTheTruth(TakeOverCase):
    def test_a_port_whose_network_does_not_reach_the_server_stays_down_with_the_reason(self):
        store = self.sim.appliance.store
        frame1 = self.hardware(BLADE_OFF)["locationUri"]
        for uplink_set in self.uplink_sets("US-Tagged"):
            li = store.get(uplink_set["logicalInterconnectUri"])
            if frame1 in li.get("enclosureUris", []):
                uplink_set["networkUris"].remove(self.tenant_uri)  # as an operator might
                store.replace(uplink_set["uri"], uplink_set)
        port = self.bind()
        self.reconcile()

        assert self.show_port(port["id"])["status"] == "DOWN"
        record = ports_db.port(self.admin, port["id"])
        assert "not (yet) in uplink set US-Tagged" in record.reason
        assert "would not reach the server" in self.status_output()

    def test_work_for_server_hardware_that_vanished_ends_with_a_recorded_error(self):
        port = self.bind()
        self.reconcile()
        self.sim.appliance.store.delete(self.hardware(BLADE_OFF)["uri"])  # blade removed
        work_db.record_work(self.admin, work_db.KIND_FULL, "all")
        self.converge()
        assert work_db.count_pending(self.admin) == 0
        record = ports_db.port(self.admin, port["id"])
        assert record.state == ports_db.ERROR
        assert "no longer exists in OneView" in record.reason


TEMPLATE_NODE = "Frame2, bay 8"  # off; its profile is made from "baremetal-template" (Virtual MACs)


class TestTemplateProfilesAndVirtualMacs(TakeOverCase):
    def virtual_mac(self, nic: str = DEPLOY_NIC) -> str:
        return self.on_nic(TEMPLATE_NODE, nic)["mac"].lower()

    def test_the_port_is_found_by_the_virtual_mac_oneview_assigned_to_the_connection(self):
        mac = self.virtual_mac()
        hardware_macs = {m.lower() for m in str(self.hardware(TEMPLATE_NODE)["portMap"]).split()}
        assert mac not in hardware_macs  # not a physical MAC of the server
        port = self.baremetal_port(self.tenant["id"], mac, host=TEMPLATE_NODE)
        assert port[portbindings.VIF_TYPE] == "other"
        self.reconcile()
        assert self.on_nic(TEMPLATE_NODE)["networkUri"] == self.tenant_uri
        assert self.on_nic(TEMPLATE_NODE)["mac"].lower() == mac  # kept in place
        assert self.show_port(port["id"])["status"] == "ACTIVE"

    def test_update_from_template_is_undone_in_place_by_the_next_full_sync(self):
        port = self.baremetal_port(self.tenant["id"], self.virtual_mac(), host=TEMPLATE_NODE)
        with self.assertLogs("networking_oneview.reconcile.server_profiles", "WARNING") as logs:
            self.reconcile()
        assert "inconsistent with its template" in " ".join(logs.output)
        profile_uri = self.hardware(TEMPLATE_NODE)["serverProfileUri"]
        self.mech.client.request(
            "PATCH",
            profile_uri,
            body=[{"op": "replace", "path": "/templateCompliance", "value": "Compliant"}],
        )
        self.wait_for(lambda: self.on_nic(TEMPLATE_NODE)["networkUri"] == self.provisioning_uri)

        work_db.record_work(self.admin, work_db.KIND_FULL, "all")
        self.converge()
        assert self.on_nic(TEMPLATE_NODE)["networkUri"] == self.tenant_uri
        assert self.power_requests() == []
        assert self.show_port(port["id"])["status"] == "ACTIVE"


class TestGracefulPowerOff(TakeOverCase):
    oneview_options = {"power_off_timeout": 1}

    def test_a_server_ignoring_the_power_button_is_powered_off_hard_after_the_timeout(self):
        self.sim.appliance.faults.configure({"ignore_momentary_press": [BLADE_ON]})
        port = self.bind(hardware_name=BLADE_ON, nic="Mezz 3:2-b")
        self.reconcile()
        assert len(self.power_requests()) == 3  # momentary press, press and hold, power on
        assert self.hardware(BLADE_ON)["powerState"] == "On"
        assert self.show_port(port["id"])["status"] == "ACTIVE"


PROFILE_TASK_SECONDS = 3.0  # OneView applying the change; the client waits 10 x 0.05 s


class TestProfileTaskOutlivesTheClientDeadline(TakeOverCase):
    """Never power on while our profile task is still running.

    OneView refuses the new connection while the server runs (at once), so the driver powers it
    off; it then accepts the change, but its task runs longer than the client waits for it.
    """

    oneview_options = {"polling_interval": 0.05, "max_polling_attempts": 10}

    def add_connection_with_a_slow_task(self) -> dict:
        """Bind a port needing a new connection on the running BLADE_ON; run one round."""
        profile_put = {"path": "/rest/server-profiles/*", "method": "PUT"}
        refused_at_once = {**profile_put, "task_duration": 0, "times": 1}
        applied_slowly = {**profile_put, "task_duration": PROFILE_TASK_SECONDS}
        self.sim.appliance.faults.configure({"rules": [refused_at_once, applied_slowly]})
        self.sim.appliance.clear_request_log()  # and the task history: only what we do
        port = self.bind(hardware_name=BLADE_ON, nic="Mezz 3:2-b")
        self.reconcile()
        return port

    def tasks(self, path_end: str) -> list[dict]:
        return [t for t in self.sim.appliance.task_history if (t["path"] or "").endswith(path_end)]

    def slow_update(self) -> dict:
        """The profile update OneView accepted once the server was off."""
        profile_uri = self.hardware(BLADE_ON)["serverProfileUri"]
        refused, accepted = [t for t in self.tasks(profile_uri) if t["method"] == "PUT"]
        assert refused["state"] == "Error" and refused["ended"] <= accepted["started"]
        return accepted

    def power_tasks(self) -> list[str]:
        return [t["name"] for t in self.tasks("/powerState")]

    def test_the_round_ends_with_the_server_off_while_the_task_still_runs(self):
        self.add_connection_with_a_slow_task()
        assert self.slow_update()["ended"] is None  # the client gave up waiting
        assert self.hardware(BLADE_ON)["powerState"] == "Off"
        assert self.power_tasks() == ["Power off"]
        assert len(self.power_requests()) == 1

    def test_a_round_while_the_task_still_runs_does_not_power_on(self):
        self.add_connection_with_a_slow_task()
        work_db.expedite_work(self.admin)
        assert self.reconcile() == 1
        assert self.slow_update()["ended"] is None  # that round ran while OneView worked
        assert self.hardware(BLADE_ON)["powerState"] == "Off"
        assert self.power_tasks() == ["Power off"]

    def test_the_owed_power_on_is_recorded_and_the_port_waits_with_the_reason(self):
        port = self.add_connection_with_a_slow_task()
        assert power_db.owed(self.admin) == [self.hardware(BLADE_ON)["uri"]]
        assert self.show_port(port["id"])["status"] == "DOWN"
        record = ports_db.port(self.admin, port["id"])
        assert record.state == ports_db.WAITING
        assert record.reason == "waiting for OneView to apply the change"
        output = self.status_output()
        assert "power-on still owed" in output
        assert "is still Running" in output  # the task time-out, as the work's last error

    def test_after_the_task_the_next_round_powers_on_once_and_the_port_goes_active(self):
        port = self.add_connection_with_a_slow_task()
        self.wait_for(
            lambda: self.slow_update()["ended"] is not None, timeout=PROFILE_TASK_SECONDS + 10
        )
        self.converge()

        assert self.hardware(BLADE_ON)["powerState"] == "On"
        assert self.show_port(port["id"])["status"] == "ACTIVE"
        assert [c["portId"] for c in self.ours_on(BLADE_ON)] == ["Mezz 3:2-b"]
        assert power_db.owed(self.admin) == []
        assert self.power_tasks() == ["Power off", "Power on"]  # exactly one power cycle
        assert len(self.power_requests()) == 2
        power_on = self.tasks("/powerState")[-1]
        assert power_on["started"] >= self.slow_update()["ended"]


class TestPermanentRefusal(TakeOverCase):
    def test_a_refusal_power_cannot_cure_makes_no_power_operation_and_is_parked(self):
        self.mech.client.create(
            "/rest/server-profiles",
            {
                "name": "user-defined-macs",
                "serverHardwareUri": self.hardware(NODE_ON)["uri"],
                "macType": "UserDefined",
                "connectionSettings": {"connections": [], "manageConnections": True},
            },
            kind="server-profile",
        )
        self.sim.appliance.clear_request_log()
        port = self.node_port(NODE_ON, self.tenant, nic="Mezz 3:2-b")
        self.reconcile()

        assert self.power_requests() == []
        assert self.hardware(NODE_ON)["powerState"] == "On"
        record = ports_db.port(self.admin, port["id"])
        assert record.state == ports_db.REFUSED and "OneView refused" in record.reason
        output = self.status_output()
        assert "OneView refused" in output and "after a change or --retry-now" in output
        self.sim.appliance.clear_request_log()
        assert self.reconcile() == 0  # parked: no retry storm
        assert self.sim.appliance.request_log == [], self.sim.appliance.request_log
