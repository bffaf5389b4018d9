"""Nothing is lost: OneView outages, flaky answers, failing tasks and crashes converge."""

from __future__ import annotations

from networking_oneview.db import networks as networks_db
from networking_oneview.db import work as work_db
from tests.functional.test_port_binding import BLADE_OFF, PortTestCase


class TestResilience(PortTestCase):
    def converge(self, rounds: int = 30) -> int:
        """Run reconciler rounds (skipping backoff, as time would) until nothing is pending."""
        for done in range(1, rounds + 1):
            work_db.expedite_work(self.admin)
            self.reconcile()
            if work_db.count_pending(self.admin) == 0:
                return done
        raise AssertionError(
            f"still pending after {rounds} rounds: {work_db.pending_work(self.admin)}"
        )

    def test_work_recorded_during_an_outage_is_applied_when_oneview_returns(self):
        self.sim.appliance.faults.start_outage(3600)
        network = self.make_vlan_network(vlan=91, name="during-outage")
        port = self.bind()
        self.reconcile()
        assert work_db.count_pending(self.admin) >= 1
        assert self.show_port(port["id"])["status"] == "DOWN"
        [row] = [r for r in work_db.pending_work(self.admin) if r.object_id == network["id"]]
        assert row.attempts == 1 and "unavailable" in (row.last_error or "").lower()

        self.sim.appliance.faults.clear()
        self.converge()
        assert any(n["vlanId"] == 91 for n in self.ours())
        assert len(self.ours_on(BLADE_OFF)) == 1
        assert self.show_port(port["id"])["status"] == "ACTIVE"

    def test_flaky_appliance_still_converges_to_the_exact_state(self):
        self.sim.appliance.faults.configure(
            {
                "rules": [
                    {"path": "*", "error_rate": 0.15, "error_status": 503},
                    {"path": "*", "reset_rate": 0.05},
                ],
                "task_failure_rate": 0.2,
                "seed": 11,
            }
        )
        networks = [self.make_vlan_network(vlan=vlan, name=f"flaky{vlan}") for vlan in (92, 93)]
        ports = [self.bind(nic=nic, network=networks[0]) for nic in ("Mezz 3:2-a", "Mezz 3:2-b")]
        self.converge()
        self.sim.appliance.faults.clear()

        assert sorted(n["vlanId"] for n in self.ours()) == [42, 92, 93]
        names = sorted(c["name"] for c in self.ours_on(BLADE_OFF))
        assert names == ["neutron-testcloud-Mezz-3-2-a", "neutron-testcloud-Mezz-3-2-b"]
        for uplink_set in self.uplink_sets("US-Tagged"):
            assert {n["uri"] for n in self.ours()} <= set(uplink_set["networkUris"])
        assert all(self.show_port(p["id"])["status"] == "ACTIVE" for p in ports)

    def test_network_created_before_a_crash_is_adopted_not_duplicated(self):
        network = self.make_vlan_network(vlan=94, name="crashy")
        segment_id = self._segment_of(network["id"])
        # The appliance made the network, but the process died before recording it.
        self.mech.client.create(
            "/rest/ethernet-networks",
            {
                "name": "testcloud_physnet1_94",
                "vlanId": 94,
                "ethernetNetworkType": "Tagged",
                "purpose": "General",
            },
            kind="ethernet-network",
        )
        self.converge()
        crashy = [n for n in self.ours() if n["vlanId"] == 94]
        assert len(crashy) == 1
        assert (
            networks_db.owned_network_by_segment(self.admin, segment_id).oneview_uri
            == crashy[0]["uri"]
        )

    def _segment_of(self, network_id: str) -> str:
        from networking_oneview.reconcile import desired

        [segment] = desired.network_segments(self.admin, network_id)
        return segment.id

    def test_during_an_outage_a_mac_the_inventory_knows_is_bound(self):
        self.sim.appliance.faults.start_outage(3600)
        port = self.bind()
        assert port["binding:vif_type"] == "other"

    def test_during_an_outage_an_unknown_mac_is_never_claimed(self):
        self.sim.appliance.faults.start_outage(3600)
        port = self.baremetal_port(self.tenant["id"], "02:00:00:00:00:77")
        assert port["binding:vif_type"] == "binding_failed"
        self.sim.appliance.faults.clear()
        assert self.show_port(port["id"])["binding:vif_type"] == "binding_failed"
