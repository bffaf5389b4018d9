"""Neutron API calls through openstacksdk; OneView catches up on its own, after the call returned.

One Neutron API process (waitress, ML2 + ``oneview``) for the module; no periodic workers, so
everything seen in OneView was done by the driver's background reconciler in the API process.
"""

from __future__ import annotations

import time

from tests.e2e.helpers import CLOUD, OneView, wait_until

SLOW_TASK = 1.0  # seconds each OneView task runs where a test wants the appliance to be slow


def test_vlan_network_reaches_oneview_after_the_api_call_returned(neutron, oneview: OneView):
    oneview.slow_tasks(SLOW_TASK)
    start = time.monotonic()
    network = neutron.vlan_network(301, name="tenant-301")
    api_seconds = time.monotonic() - start

    assert network.status == "ACTIVE"
    assert oneview.fully_mirrored(301) is None, "OneView cannot be done yet: tasks take 1 s"
    # While the reconciler works on it, the API still answers at once.
    second_start = time.monotonic()
    neutron.vlan_network(304, name="tenant-304")
    second_api_seconds = time.monotonic() - second_start
    mirrored = wait_until(
        "the VLAN 301 network in the LIG and both LIs", lambda: oneview.fully_mirrored(301)
    )
    oneview_seconds = time.monotonic() - start

    # Creating the network, then the LIG template and the two LI uplink sets in parallel.
    assert oneview_seconds >= 2 * SLOW_TASK
    assert api_seconds < SLOW_TASK, f"the API waited on OneView ({api_seconds:.2f} s)"
    assert second_api_seconds < SLOW_TASK, f"the API waited ({second_api_seconds:.2f} s)"
    wait_until("the VLAN 304 network too", lambda: oneview.fully_mirrored(304))
    assert mirrored["ethernetNetworkType"] == "Tagged"
    assert mirrored["name"] == f"{CLOUD}_physnet1_301"
    lig_templates = [c for c in oneview.carriers(mirrored["uri"]) if c.startswith("LIG/")]
    assert lig_templates == ["LIG/US-Tagged"]
    assert len(oneview.li_uplink_sets("US-Tagged")) == 2


def test_the_lig_and_logical_interconnect_puts_of_one_change_run_at_once(neutron, oneview: OneView):
    oneview.slow_tasks(SLOW_TASK)
    oneview.sim.appliance.clear_request_log()
    neutron.vlan_network(305, name="tenant-305")
    wait_until("the VLAN 305 network in the LIG and both LIs", lambda: oneview.fully_mirrored(305))
    membership = [
        t
        for t in oneview.sim.appliance.task_history
        if t.get("method") == "PUT"
        and t.get("path", "").startswith(
            ("/rest/uplink-sets/", "/rest/logical-interconnect-groups/")
        )
    ]
    assert len(membership) == 3
    assert max(t["started"] for t in membership) < min(t["ended"] for t in membership)


def test_baremetal_port_is_down_until_its_connection_exists_then_active(neutron, oneview: OneView):
    server = "Frame1, bay 4"  # powered off, no server profile in the fixture
    network = neutron.vlan_network(302)
    ov_network = wait_until("the VLAN 302 network", lambda: oneview.fully_mirrored(302))
    oneview.give_profile(server)
    oneview.slow_tasks(SLOW_TASK)

    port = neutron.baremetal_port(network.id, oneview.mac_of(server), bootable=True)

    assert port.binding_vif_type == "other"
    assert port.status == "DOWN"
    assert oneview.our_connections(server) == []
    seen: list[tuple[str, int]] = []

    def active() -> bool:
        status = neutron.status(port.id)
        seen.append((status, len(oneview.our_connections(server))))
        return status == "ACTIVE"

    wait_until(f"port {port.id} to become ACTIVE", active)
    assert ("DOWN", 0) in seen, "the port must be DOWN while OneView works"
    assert all(count == 1 for status, count in seen if status == "ACTIVE"), seen
    [connection] = oneview.our_connections(server)
    assert connection["name"] == f"neutron-{CLOUD}-Mezz-3-1-a"
    assert connection["portId"] == "Mezz 3:1-a"
    assert connection["networkUri"] == ov_network["uri"]
    assert connection["boot"]["priority"] == "Primary"


def test_delete_cleans_oneview_and_keeps_what_is_not_ours(neutron, oneview: OneView):
    server = "Frame1, bay 6"  # powered off, no server profile in the fixture
    network = neutron.vlan_network(303)
    ov_network = wait_until("the VLAN 303 network", lambda: oneview.fully_mirrored(303))
    profile = oneview.give_profile(server)
    port = neutron.baremetal_port(network.id, oneview.mac_of(server))
    wait_until("the port to become ACTIVE", lambda: neutron.status(port.id) == "ACTIVE")
    assert len(oneview.our_connections(server)) == 1

    neutron.conn.network.delete_port(port.id)
    wait_until("the connection to go", lambda: oneview.our_connections(server) == [])
    neutron.conn.network.delete_network(network.id)
    wait_until("the OneView network to go", lambda: oneview.with_vlan(303) is None)

    assert oneview.carriers(ov_network["uri"]) == []
    assert oneview.hardware(server)["serverProfileUri"] == profile["uri"]
    datacenter = oneview.network("datacenter-mgmt")  # not ours: in the LIG and both LIs
    assert len(oneview.carriers(datacenter["uri"])) == 3, "a network not ours was touched"


def test_port_on_the_provisioning_network_uses_the_mapped_oneview_network(
    neutron, oneview: OneView
):
    server = "Frame1, bay 8"  # powered off, no server profile in the fixture
    provisioning = oneview.network("provisioning")
    network = neutron.flat_network("prov", "provisioning")
    oneview.give_profile(server)
    port = neutron.baremetal_port(network.id, oneview.mac_of(server), bootable=True)
    wait_until("the port to become ACTIVE", lambda: neutron.status(port.id) == "ACTIVE")
    [connection] = oneview.our_connections(server)
    assert connection["networkUri"] == provisioning["uri"]

    neutron.conn.network.delete_port(port.id)
    neutron.conn.network.delete_network(network.id)
    wait_until("the connection to go", lambda: oneview.our_connections(server) == [])

    assert oneview.network("provisioning")["uri"] == provisioning["uri"]
    assert [n for n in oneview.ours() if "provisioning" in n["name"]] == []
