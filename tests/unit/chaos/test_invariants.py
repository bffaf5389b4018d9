"""The chaos run's checker fails on every kind of disagreement (hand-made snapshots)."""

from __future__ import annotations

import copy

from tests.chaos import secrets
from tests.chaos.invariants import (
    Mapping,
    NeutronNetwork,
    NeutronPort,
    NeutronState,
    OneViewState,
    baseline_of,
    check,
)

MAPPING = Mapping("c", "physnet1", ("LIG lig/US-Tagged", "/rest/uplink-sets/li1"))
FOREIGN = {"uri": "/rest/ethernet-networks/f", "name": "datacenter-mgmt", "vlanId": 10}
OURS = {"uri": "/rest/ethernet-networks/o", "name": "c_physnet1_700", "vlanId": 700}
PXE = {"id": 1, "name": "pxe", "portId": "Mezz 3:1-a", "networkUri": FOREIGN["uri"], "boot": {}}
PXE["boot"] = {"priority": "Primary"}
MAC = "aa:bb:cc:00:00:01"


def ours_on(nic: str = "Mezz 3:1-b", priority: str = "NotBootable", uri: str = OURS["uri"]):
    name = "neutron-c-" + nic.replace(" ", "-").replace(":", "-")
    return {"name": name, "portId": nic, "networkUri": uri, "boot": {"priority": priority}}


def world(bootable: bool | None = None, priority: str = "NotBootable"):
    """A converged world: one network, one bound port with its connection, one foreign one."""
    neutron = NeutronState(
        [NeutronNetwork("n1", "vlan", "physnet1", 700)],
        [NeutronPort("p1", "n1", MAC, "node-1", "baremetal", "ACTIVE", bootable)],
    )
    oneview = OneViewState(
        networks=[copy.deepcopy(FOREIGN), copy.deepcopy(OURS)],
        carriers={c: [FOREIGN["uri"], OURS["uri"]] for c in MAPPING.carriers},
        connections={"s1": [copy.deepcopy(PXE), ours_on(priority=priority)]},
        power={"s1": "On"},
        nic_of_mac={MAC: ("s1", "Mezz 3:1-b")},
    )
    before = copy.deepcopy(oneview)
    before.networks = [copy.deepcopy(FOREIGN)]
    before.carriers = {c: [FOREIGN["uri"]] for c in MAPPING.carriers}
    before.connections = {"s1": [copy.deepcopy(PXE)]}
    return neutron, oneview, baseline_of(before, MAPPING)


def test_converged_world_has_no_violation() -> None:
    assert check(*world(), MAPPING) == []


def test_bootable_port_takes_the_free_secondary() -> None:
    assert check(*world(True, "Secondary"), MAPPING) == []


def test_missing_network() -> None:
    neutron, oneview, baseline = world()
    neutron.networks.append(NeutronNetwork("n2", "vlan", "physnet1", 701))
    assert check(neutron, oneview, baseline, MAPPING) == [
        "network n2: c_physnet1_701 missing in OneView"
    ]


def test_duplicate_and_wrong_vlan() -> None:
    neutron, oneview, baseline = world()
    oneview.networks.append({**OURS, "uri": "/rest/ethernet-networks/o2", "vlanId": 9})
    violations = check(neutron, oneview, baseline, MAPPING)
    assert "network n1: c_physnet1_700 in OneView 2 times" in violations


def test_wrong_vlan() -> None:
    neutron, oneview, baseline = world()
    oneview.networks[1]["vlanId"] = 9
    assert check(neutron, oneview, baseline, MAPPING) == [
        "network c_physnet1_700: VLAN 9 instead of 700"
    ]


def test_leftover_network_and_member() -> None:
    neutron, oneview, baseline = world()
    oneview.networks.append({"uri": "/rest/ethernet-networks/x", "name": "c_physnet1_5"})
    oneview.carriers["/rest/uplink-sets/li1"].append("/rest/ethernet-networks/x")
    violations = check(neutron, oneview, baseline, MAPPING)
    assert violations == [
        "OneView network c_physnet1_5: leftover, no Neutron network has it",
        "/rest/uplink-sets/li1: leftover member /rest/ethernet-networks/x",
    ]


def test_membership_missing_or_twice() -> None:
    neutron, oneview, baseline = world()
    oneview.carriers["LIG lig/US-Tagged"].remove(OURS["uri"])
    oneview.carriers["/rest/uplink-sets/li1"].append(OURS["uri"])
    assert check(neutron, oneview, baseline, MAPPING) == [
        f"LIG lig/US-Tagged: has {OURS['uri']} 0 times instead of once",
        f"/rest/uplink-sets/li1: has {OURS['uri']} 2 times instead of once",
    ]


def test_bound_port_without_connection_and_still_active() -> None:
    neutron, oneview, baseline = world()
    oneview.connections["s1"].pop()
    assert check(neutron, oneview, baseline, MAPPING) == [
        "port p1: no connection on s1 Mezz 3:1-b",
        "port p1: status ACTIVE, connection right: False",
    ]


def test_connection_on_the_wrong_network() -> None:
    neutron, oneview, baseline = world()
    oneview.connections["s1"][1]["networkUri"] = FOREIGN["uri"]
    violations = check(neutron, oneview, baseline, MAPPING)
    assert f"port p1: s1 Mezz 3:1-b on {FOREIGN['uri']}" in violations


def test_port_down_although_connected() -> None:
    neutron, oneview, baseline = world()
    neutron.ports[0] = NeutronPort("p1", "n1", MAC, "node-1", "baremetal", "DOWN")
    assert check(neutron, oneview, baseline, MAPPING) == [
        "port p1: status DOWN, connection right: True"
    ]


def test_unbound_port_leaves_a_leftover_connection_and_must_not_be_active() -> None:
    neutron, oneview, baseline = world()
    neutron.ports[0] = NeutronPort("p1", "n1", MAC, "", "baremetal", "ACTIVE")
    assert check(neutron, oneview, baseline, MAPPING) == [
        "port p1: ACTIVE but not bound",
        "s1 Mezz 3:1-b: leftover connection of ours",
    ]


def test_duplicate_connection_of_ours() -> None:
    neutron, oneview, baseline = world()
    oneview.connections["s1"].append(ours_on())
    assert "s1 Mezz 3:1-b: 2 connections of ours" in check(neutron, oneview, baseline, MAPPING)


def test_two_ports_on_one_nic() -> None:
    neutron, oneview, baseline = world()
    neutron.ports.append(NeutronPort("p2", "n1", MAC, "node-1", "baremetal", "DOWN"))
    assert "port p2: shares ('s1', 'Mezz 3:1-b') with p1" in check(
        neutron, oneview, baseline, MAPPING
    )


def test_boot_priority_wrong() -> None:
    neutron, oneview, baseline = world(None, "Secondary")
    assert check(neutron, oneview, baseline, MAPPING) == [
        "port p1: boot Secondary, but it does not boot"
    ]
    neutron, oneview, baseline = world(True, "Primary")  # taken by the foreign pxe connection
    assert check(neutron, oneview, baseline, MAPPING) == [
        "s1: boot priorities ['Primary'] with ['Secondary'] free"
    ]
    neutron, oneview, baseline = world(True, "NotBootable")
    assert check(neutron, oneview, baseline, MAPPING) == ["s1: 0 bootable ports boot, 1 were free"]


def test_foreign_objects_changed() -> None:
    neutron, oneview, baseline = world()
    oneview.networks[0]["vlanId"] = 11
    oneview.carriers["/rest/uplink-sets/li1"].remove(FOREIGN["uri"])
    oneview.connections["s1"][0]["boot"] = {"priority": "Secondary"}
    oneview.power["s1"] = "Off"
    assert check(neutron, oneview, baseline, MAPPING) == [
        f"foreign network {FOREIGN['uri']}: changed",
        f"/rest/uplink-sets/li1: foreign members [] instead of ['{FOREIGN['uri']}']",
        "s1: foreign connections changed",
        "s1: power Off instead of On",
    ]


def test_secrets_grep_names_the_place_not_the_secret() -> None:
    named = secrets.secrets_of("hunter2", ["tok-1", "tok-2"])
    texts = {"api.log": "fine\nlogin with hunter2\nAuth: tok-2", "status": "nothing"}
    found = secrets.leaks(texts, named)
    assert found == [
        "api.log: line 2 has the OneView password",
        "api.log: line 3 has the session ID #2",
    ]
    assert all("hunter2" not in line and "tok-2" not in line for line in found)
