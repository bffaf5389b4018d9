"""Planning a server profile's connections: ours change, foreign ones never do (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from networking_oneview.reconcile.profiles import (
    DesiredConnection,
    connection_name,
    plan_profile,
)

PORT_A = "11111111-1111-4111-8111-111111111111"
PORT_B = "22222222-2222-4222-8222-222222222222"
TENANT = "/rest/ethernet-networks/tenant"
PROV = "/rest/ethernet-networks/prov"
MGMT = "/rest/ethernet-networks/mgmt"
FOREIGN = {
    "id": 1,
    "name": "datacenter-mgmt",
    "functionType": "Ethernet",
    "networkUri": MGMT,
    "portId": "Mezz 3:1-a",
    "boot": {"priority": "NotBootable"},
}


@dataclass(frozen=True)
class Record:
    connection_id: int
    connection_name: str


def want(port=PORT_A, nic="Mezz 3:2-a", network=TENANT, bootable=False) -> DesiredConnection:
    return DesiredConnection(port, nic, network, bootable)


def ours(id_, port=PORT_A, nic="Mezz 3:2-a", network=TENANT, priority="NotBootable") -> dict:
    return {
        "id": id_,
        "name": connection_name(port, nic),
        "functionType": "Ethernet",
        "networkUri": network,
        "portId": nic,
        "boot": {"priority": priority},
    }


def test_connection_names_fit_oneview_limit_and_identify_port_and_nic():
    name = connection_name(PORT_A, "Mezz 3:2-a")
    assert name == f"neutron-{PORT_A}-Mezz-3-2-a" and len(name) <= 63


def test_new_port_adds_one_connection_next_to_foreign_ones():
    plan = plan_profile([want()], [], [FOREIGN])
    assert plan.connections == [FOREIGN, ours(2)]
    assert plan.added == (connection_name(PORT_A, "Mezz 3:2-a"),)
    assert plan.needs_power_off


def test_matching_profile_needs_no_change():
    plan = plan_profile([want()], [Record(2, ours(2)["name"])], [FOREIGN, ours(2)])
    assert plan.connections is None


def test_unbound_port_removes_only_our_connection():
    plan = plan_profile([], [Record(2, ours(2)["name"])], [FOREIGN, ours(2)])
    assert plan.connections == [FOREIGN]
    assert plan.needs_power_off and plan.removed == (ours(2)["name"],)


def test_network_flip_changes_only_the_network_and_works_online():
    current = ours(2, network=PROV)
    plan = plan_profile([want(network=TENANT)], [Record(2, current["name"])], [FOREIGN, current])
    assert plan.connections == [FOREIGN, ours(2, network=TENANT)]
    assert not plan.needs_power_off and plan.changed == (current["name"],)


def test_bootable_port_takes_primary_when_free():
    plan = plan_profile([want(bootable=True)], [], [FOREIGN])
    assert plan.connections[-1]["boot"] == {"priority": "Primary"}


def test_bootable_port_takes_secondary_when_a_foreign_primary_exists():
    foreign_primary = {**FOREIGN, "boot": {"priority": "Primary"}}
    plan = plan_profile([want(bootable=True)], [], [foreign_primary])
    assert plan.connections[-1]["boot"] == {"priority": "Secondary"}
    assert plan.connections[0] == foreign_primary


def test_bootable_port_is_not_bootable_with_a_warning_when_both_are_taken():
    first = {**FOREIGN, "boot": {"priority": "Primary"}}
    second = {**FOREIGN, "id": 3, "name": "other", "portId": "Lom 1:1-a"}
    second["boot"] = {"priority": "Secondary"}
    plan = plan_profile([want(bootable=True)], [], [first, second])
    assert plan.connections[-1]["boot"] == {"priority": "NotBootable"}
    assert "Primary and Secondary boot are taken" in plan.warnings[0]


def test_two_bootable_ports_get_primary_and_secondary():
    plan = plan_profile(
        [want(PORT_A, bootable=True), want(PORT_B, "Mezz 3:2-b", bootable=True)], [], []
    )
    assert [c["boot"]["priority"] for c in plan.connections] == ["Primary", "Secondary"]


def test_not_bootable_port_is_not_bootable():
    plan = plan_profile([want(bootable=False)], [], [])
    assert plan.connections[0]["boot"] == {"priority": "NotBootable"}


def test_becoming_bootable_changes_boot_and_needs_power_off():
    current = ours(2)
    plan = plan_profile([want(bootable=True)], [Record(2, current["name"])], [current])
    assert plan.connections[0]["boot"]["priority"] == "Primary" and plan.needs_power_off


def test_connection_of_a_foreign_name_and_id_is_never_removed():
    lookalike = {**FOREIGN, "id": 9, "name": "neutron-something-else"}
    plan = plan_profile([], [], [FOREIGN, lookalike])
    assert plan.connections is None


def test_a_connection_we_made_but_did_not_record_is_adopted_not_duplicated():
    current = ours(4)
    plan = plan_profile([want()], [], [FOREIGN, current])
    assert plan.connections is None


def test_new_connection_never_reuses_an_id_removed_in_the_same_change():
    old = ours(2, port=PORT_B, nic="Mezz 3:2-b")
    plan = plan_profile([want()], [Record(2, old["name"])], [FOREIGN, old])
    assert [c["id"] for c in plan.connections] == [1, 3]


def test_nic_change_replaces_the_connection():
    old = ours(2, nic="Mezz 3:2-b")
    plan = plan_profile(
        [DesiredConnection(PORT_A, "Mezz 3:2-b", TENANT, False)],
        [Record(2, old["name"])],
        [old],
    )
    assert plan.connections is None  # same NIC name: unchanged
    moved = plan_profile([want(nic="Mezz 3:1-b")], [Record(2, old["name"])], [old])
    assert [c["portId"] for c in moved.connections] == ["Mezz 3:1-b"]
    assert moved.removed and moved.added
