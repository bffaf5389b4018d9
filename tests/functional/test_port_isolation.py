"""A port that cannot be applied does not hold back the other ports of its server, and a
power-locked server is waited for as ``server_lock_retries`` and ``server_lock_retry_interval``
say."""

from __future__ import annotations

import threading

from networking_oneview.db import ports as ports_db
from tests.functional.test_port_binding import PortTestCase
from tests.functional.test_uplink_set_isolation import MembershipCase

LOCKED = "Frame1, bay 8"  # powered off, and power-locked in the fixture


class TestPortNextToAStuckOne(PortTestCase, MembershipCase):
    def test_a_port_on_a_clashing_network_waits_and_its_neighbour_goes_active(self):
        self.foreign_network_in_uplink_sets(700, "operator-vlan-700")
        clashing = self.make_vlan_network(vlan=700, name="clashing")
        stuck = self.bind(nic="Mezz 3:2-a", network=clashing)
        good = self.bind(nic="Mezz 3:2-b")
        self.reconcile()

        assert self.show_port(good["id"])["status"] == "ACTIVE"
        assert self.show_port(stuck["id"])["status"] == "DOWN"
        assert "would not reach the server" in ports_db.port(self.admin, stuck["id"]).reason
        assert [c["portId"] for c in self.ours_on("Frame1, bay 4")] == ["Mezz 3:2-b"]


class TestPowerLock(PortTestCase):
    oneview_options = {"server_lock_retries": 5, "server_lock_retry_interval": 1}

    def lock(self, locked: bool) -> None:
        store = self.sim.appliance.store
        hardware = self.hardware(LOCKED)
        store.replace(hardware["uri"], {**hardware, "powerLock": locked})

    def test_a_power_lock_released_while_waiting_lets_the_change_through(self):
        self.give_profile(LOCKED)
        self.set_power_unlocked_on()
        self.lock(True)
        port = self.bind(hardware_name=LOCKED)
        threading.Timer(1.5, self.lock, (False,)).start()  # the other operation ends
        self.reconcile()

        assert self.show_port(port["id"])["status"] == "ACTIVE"
        assert self.hardware(LOCKED)["powerState"] == "On"
        assert len(self.ours_on(LOCKED)) == 1

    def test_a_power_lock_that_outlasts_the_retries_leaves_the_port_waiting(self):
        self.give_profile(LOCKED)
        self.set_power_unlocked_on()
        self.lock(True)
        port = self.bind(hardware_name=LOCKED)
        self.reconcile()

        assert self.show_port(port["id"])["status"] == "DOWN"
        assert "power-locked" in ports_db.port(self.admin, port["id"]).reason
        assert self.power_requests() == []

    def set_power_unlocked_on(self) -> None:
        """The server runs (so adding a connection needs a power-off), its lock not yet held."""
        self.lock(False)
        self.set_power(LOCKED, "On")
        self.sim.appliance.clear_request_log()
