"""The NIC-by-NIC connection planner: take over, flip in place, restore exactly."""

from __future__ import annotations

import copy

from networking_oneview.reconcile.connections import (
    NOT_BOOTABLE,
    PRIMARY,
    REFUSE,
    SECONDARY,
    Claim,
    WantedNic,
    connection_name,
    plan_profile,
    port_progress,
)

CLOUD = "cloud1"
PROV, TENANT, OTHER = "/rest/ethernet-networks/prov", "/rest/ethernet-networks/t1", "/rest/x/o"
NIC_A, NIC_B = "Mezz 3:1-a", "Mezz 3:2-a"


def template_connection(cid=1, nic=NIC_A, network=PROV, boot=PRIMARY, name="deploy"):
    return {
        "id": cid,
        "name": name,
        "functionType": "Ethernet",
        "networkUri": network,
        "portId": nic,
        "mac": f"56:EF:0E:00:00:0{cid}",
        "macType": "Virtual",
        "requestedMbps": "2500",
        "boot": {"priority": boot, "bootVolumeSource": "AdapterBIOS"},
        "state": "Deployed",
    }


def plan(wanted=(), claims=(), actual=(), **kw):
    return plan_profile(wanted, claims, actual, cloud=CLOUD, **kw)


def adopted(connection, port="p1"):
    return Claim(connection["portId"], port, connection["name"], copy.deepcopy(connection), 1)


def test_an_existing_connection_on_the_nic_is_taken_over_in_place():
    existing = template_connection()
    result = plan([WantedNic(NIC_A, "p1", TENANT)], [], [existing])

    [connection] = result.connections
    assert connection["id"] == 1 and connection["name"] == "deploy"
    assert connection["networkUri"] == TENANT
    assert connection["boot"] == existing["boot"]  # the port did not ask for another priority
    assert result.needs_power_off is False
    [claim] = result.claims
    assert claim.original == existing and claim.port_id == "p1"


def test_taking_over_remembers_the_original_before_any_change():
    existing = template_connection()
    result = plan([WantedNic(NIC_A, "p1", TENANT)], [], [existing])
    assert existing["networkUri"] == PROV  # the input is never mutated
    assert result.claims[0].original["networkUri"] == PROV


def test_a_port_asking_for_another_boot_priority_needs_the_server_off():
    existing = template_connection(boot=PRIMARY)
    result = plan([WantedNic(NIC_A, "p1", TENANT, bootable=False)], [], [existing])
    assert result.connections[0]["boot"]["priority"] == NOT_BOOTABLE
    assert result.connections[0]["boot"]["bootVolumeSource"] == "AdapterBIOS"
    assert result.needs_power_off is True


def test_flipping_a_held_nic_to_another_port_is_a_network_change_only():
    original = template_connection()
    held = dict(original, networkUri=PROV)
    result = plan(
        [WantedNic(NIC_A, "tenant-port", TENANT)], [adopted(original, "prov-port")], [held]
    )
    assert result.connections[0]["networkUri"] == TENANT
    assert result.needs_power_off is False
    [claim] = result.claims
    assert claim.port_id == "tenant-port" and claim.original == original


def test_releasing_an_adopted_nic_restores_the_original_exactly():
    original = template_connection()
    now = dict(copy.deepcopy(original), networkUri=TENANT)
    result = plan([], [adopted(original)], [now])
    assert result.connections == [original]
    assert result.released == (NIC_A,)
    assert result.needs_power_off is False


def test_releasing_restores_a_boot_priority_we_changed_and_then_needs_the_server_off():
    original = template_connection(boot=PRIMARY)
    now = dict(copy.deepcopy(original), networkUri=TENANT, boot={"priority": NOT_BOOTABLE})
    result = plan([], [adopted(original)], [now])
    assert result.connections == [original]
    assert result.needs_power_off is True


def test_a_free_nic_gets_a_connection_of_ours_named_after_the_nic():
    result = plan([WantedNic(NIC_B, "p1", TENANT, bootable=True)], [], [template_connection()])
    added = result.connections[-1]
    assert added["name"] == connection_name(CLOUD, NIC_B) == "neutron-cloud1-Mezz-3-2-a"
    assert "id" not in added  # OneView assigns it
    assert added["boot"]["priority"] == SECONDARY  # Primary is the template connection's
    assert result.needs_power_off is True
    assert result.claims[0].original is None


def test_releasing_a_connection_we_added_removes_it():
    ours = {"id": 7, "name": connection_name(CLOUD, NIC_B), "portId": NIC_B, "networkUri": TENANT}
    foreign = template_connection()
    claim = Claim(NIC_B, "p1", ours["name"], None, 7)
    result = plan([], [claim], [foreign, ours])
    assert result.connections == [foreign]
    assert result.needs_power_off is True


def test_connections_on_other_nics_pass_through_as_the_very_same_objects():
    foreign = template_connection(cid=2, nic=NIC_B, name="data", boot=NOT_BOOTABLE)
    result = plan([WantedNic(NIC_A, "p1", TENANT)], [], [template_connection(), foreign])
    assert result.connections[1] is foreign


def test_an_operator_connection_reusing_our_old_id_on_another_nic_is_untouched():
    operator = {"id": 7, "name": "backup", "portId": NIC_A, "networkUri": OTHER}
    claim = Claim(NIC_B, "p1", connection_name(CLOUD, NIC_B), None, 7)  # ours was id 7 on NIC_B
    result = plan([], [claim], [operator])
    assert result.connections is None
    assert result.released == (NIC_B,)


def test_an_operator_connection_replacing_ours_on_a_released_nic_is_untouched():
    operator = {"id": 7, "name": "ops", "portId": NIC_B, "networkUri": OTHER}
    claim = Claim(NIC_B, "p1", connection_name(CLOUD, NIC_B), None, 7)
    result = plan([], [claim], [operator])
    assert result.connections is None
    assert result.released == (NIC_B,) and result.warnings


def test_refuse_mode_leaves_the_nic_alone_and_names_the_connection_in_the_way():
    result = plan([WantedNic(NIC_A, "p1", TENANT)], [], [template_connection()], existing=REFUSE)
    assert result.connections is None and result.claims == ()
    [refusal] = result.refusals
    assert refusal.port_id == "p1" and "'deploy'" in refusal.message and "refuse" in refusal.message


def test_a_connection_of_ours_without_a_record_is_taken_back_as_added_not_as_an_original():
    ours = {"id": 3, "name": connection_name(CLOUD, NIC_A), "portId": NIC_A, "networkUri": PROV}
    result = plan([WantedNic(NIC_A, "p1", TENANT)], [], [ours])
    [claim] = result.claims
    assert claim.original is None


def test_frozen_nics_keep_their_connection_and_claim():
    original = template_connection()
    held = dict(copy.deepcopy(original), networkUri=TENANT)
    result = plan([], [adopted(original)], [held], frozen={NIC_A})
    assert result.connections is None and result.released == ()


def test_nothing_to_do_when_the_profile_already_fits():
    original = template_connection()
    held = dict(copy.deepcopy(original), networkUri=TENANT)
    claim = adopted(original)
    assert plan([WantedNic(NIC_A, "p1", TENANT)], [claim], [held]).connections is None


def test_two_bootable_ports_share_primary_and_secondary_then_not_bootable():
    wanted = [
        WantedNic(nic, f"p{i}", TENANT, True) for i, nic in enumerate((NIC_A, NIC_B, "Lom 1:1-a"))
    ]
    result = plan(wanted, [], [])
    priorities = sorted(c["boot"]["priority"] for c in result.connections)
    assert priorities == [NOT_BOOTABLE, PRIMARY, SECONDARY]
    assert any("taken" in w for w in result.warnings)


def test_port_progress_needs_every_nic_of_the_port_on_its_network():
    wanted = [WantedNic(NIC_A, "p1", TENANT), WantedNic(NIC_B, "p1", TENANT)]
    actual = [template_connection(network=TENANT), template_connection(2, NIC_B, PROV)]
    assert port_progress(wanted, actual) == {"p1": False}
    actual[1]["networkUri"] = TENANT
    assert port_progress(wanted, actual) == {"p1": True}


def test_a_connection_with_our_name_that_nothing_holds_is_removed():
    left = template_connection(cid=2, nic=NIC_B, network=TENANT, name=connection_name(CLOUD, NIC_B))
    operator = template_connection()
    result = plan([], [], [operator, left])

    assert result.connections == [operator]
    assert result.connections[0] is operator  # passed through untouched
    assert result.needs_power_off is True


def test_an_unclaimed_connection_of_ours_on_a_waiting_ports_nic_is_left_alone():
    left = template_connection(cid=2, nic=NIC_B, network=TENANT, name=connection_name(CLOUD, NIC_B))
    assert plan([], [], [left], frozen={NIC_B}).connections is None


def test_a_connection_named_like_another_clouds_is_not_ours():
    other = template_connection(cid=2, nic=NIC_B, name=connection_name("cloud2", NIC_B))
    assert plan([], [], [other]).connections is None
