"""Server-profile macType: Physical (port MACs), Virtual (the appliance's pool), UserDefined."""

from __future__ import annotations

import copy

import pytest
from sim_helpers import (
    HARDWARE,
    POOL_PREFIX,
    PROFILES,
    connections,
    create_body,
    ethernet,
    network_uri,
    one,
    port_macs,
    with_connections,
)

FREE_OFF_BLADE = "Frame1, bay 4"
OTHER_FREE_OFF_BLADE = "Frame1, bay 6"


def _create(rest, blade_name: str, items: list[dict], **fields) -> dict:
    blade = one(rest, HARDWARE, blade_name)
    name = fields.pop("name", f"bm-{blade_name[-1]}")
    return rest.created(rest.post(PROFILES, create_body(blade, items, name, **fields)))


def _update(rest, profile: dict, items: list[dict]) -> dict:
    task = rest.wait(rest.put(profile["uri"], with_connections(profile, items)))
    assert task["taskState"] == "Completed", task
    return rest.get(profile["uri"]).json()


def _is_pool_mac(mac: str) -> bool:
    first = int(mac[:2], 16)
    return mac.startswith(POOL_PREFIX) and first & 2 and not first & 1  # local, unicast


# -- Physical ------------------------------------------------------------------------------------
def test_physical_stays_the_default_and_uses_the_port_macs(rest):
    mgmt = network_uri(rest, "datacenter-mgmt")
    profile = _create(rest, FREE_OFF_BLADE, [ethernet(mgmt, portId="Mezz 3:1-b")])
    macs = port_macs(one(rest, HARDWARE, FREE_OFF_BLADE))
    assert profile["macType"] == "Physical"
    [connection] = connections(profile)
    assert connection["macType"] == "Physical"
    assert connection["mac"] == macs["Mezz 3:1-b"]


# -- Virtual -------------------------------------------------------------------------------------
def test_virtual_connections_get_distinct_pool_macs_not_port_macs(rest):
    mgmt = network_uri(rest, "datacenter-mgmt")
    items = [ethernet(mgmt, name="a"), ethernet(mgmt, name="b")]
    profile = _create(rest, FREE_OFF_BLADE, items, macType="Virtual")
    assert profile["macType"] == "Virtual"
    found = connections(profile)
    macs = [c["mac"] for c in found]
    assert all(_is_pool_mac(mac) for mac in macs), macs
    assert len(set(macs)) == 2
    assert not set(macs) & set(port_macs(one(rest, HARDWARE, FREE_OFF_BLADE)).values())
    assert {c["macType"] for c in found} == {"Virtual"}


def test_virtual_macs_are_unique_across_profiles_and_deterministic(simulator, rest):
    mgmt = network_uri(rest, "datacenter-mgmt")
    first = _create(rest, FREE_OFF_BLADE, [ethernet(mgmt)], macType="Virtual")
    second = _create(rest, OTHER_FREE_OFF_BLADE, [ethernet(mgmt)], macType="Virtual")
    macs = [connections(first)[0]["mac"], connections(second)[0]["mac"]]
    assert macs[0] != macs[1]
    simulator.appliance.reset()
    rest.login()  # a reset ends every session
    again = _create(rest, FREE_OFF_BLADE, [ethernet(mgmt)], macType="Virtual")
    assert connections(again)[0]["mac"] == macs[0]


def test_virtual_connection_keeps_its_mac_when_changed_in_place(rest):
    mgmt, provisioning = network_uri(rest, "datacenter-mgmt"), network_uri(rest, "provisioning")
    profile = _create(rest, FREE_OFF_BLADE, [ethernet(mgmt, name="nic")], macType="Virtual")
    [before] = connections(profile)
    changed = copy.deepcopy(before)
    changed.update(
        networkUri=provisioning,
        name="renamed",
        requestedMbps="5000",
        boot={"priority": "Primary"},
        portId="Mezz 3:2-c",
    )
    [after] = connections(_update(rest, profile, [changed]))
    assert (after["id"], after["mac"]) == (before["id"], before["mac"])
    assert (after["networkUri"], after["portId"], after["name"]) == (
        provisioning,
        "Mezz 3:2-c",
        "renamed",
    )


def test_virtual_mac_of_a_removed_connection_is_not_handed_out_again(rest):
    mgmt = network_uri(rest, "datacenter-mgmt")
    items = [ethernet(mgmt, name="a"), ethernet(mgmt, name="b")]
    profile = _create(rest, FREE_OFF_BLADE, items, macType="Virtual")
    kept, removed = connections(profile)
    profile = _update(rest, profile, [kept])
    profile = _update(rest, profile, [kept, ethernet(mgmt, name="c")])
    added = connections(profile)[1]
    assert added["mac"] not in (kept["mac"], removed["mac"])
    assert _is_pool_mac(added["mac"])


def test_virtual_connection_sent_with_another_mac_is_refused(rest):
    mgmt = network_uri(rest, "datacenter-mgmt")
    profile = _create(rest, FREE_OFF_BLADE, [ethernet(mgmt)], macType="Virtual")
    changed = copy.deepcopy(connections(profile))
    changed[0]["mac"] = "16:5E:A0:FF:FF:FF"
    answer = rest.put(profile["uri"], with_connections(profile, changed))
    assert answer.status_code == 400
    error = answer.json()
    assert error["errorCode"] == "INVALID_MAC"
    assert "connectionSettings.connections[0].mac '16:5E:A0:FF:FF:FF'" in error["message"]


# -- UserDefined ---------------------------------------------------------------------------------
def test_user_defined_connections_keep_the_mac_they_are_given(rest):
    mgmt = network_uri(rest, "datacenter-mgmt")
    items = [ethernet(mgmt, mac="02:aa:bb:cc:dd:01"), ethernet(mgmt, mac="02:AA:BB:CC:DD:02")]
    profile = _create(rest, FREE_OFF_BLADE, items, macType="UserDefined")
    found = connections(profile)
    assert [c["mac"] for c in found] == ["02:AA:BB:CC:DD:01", "02:AA:BB:CC:DD:02"]
    assert {c["macType"] for c in found} == {"UserDefined"}


@pytest.mark.parametrize(
    ("mac", "code", "named"),
    [
        (None, "INVALID_MAC", "connectionSettings.connections[0].mac is required"),
        ("02:aa:bb", "INVALID_MAC", "connectionSettings.connections[0].mac '02:aa:bb'"),
        ("01:00:5E:00:00:01", "INVALID_MAC", "not a unicast MAC"),
        ("00:00:00:00:00:00", "INVALID_MAC", "not a unicast MAC"),
    ],
    ids=["missing", "short", "multicast", "zero"],
)
def test_user_defined_connection_without_a_valid_mac_is_refused(rest, mac, code, named):
    blade = one(rest, HARDWARE, FREE_OFF_BLADE)
    item = ethernet(network_uri(rest, "datacenter-mgmt"), **({"mac": mac} if mac else {}))
    answer = rest.post(PROFILES, create_body(blade, [item], macType="UserDefined"))
    assert answer.status_code == 400, answer.text
    assert answer.json()["errorCode"] == code
    assert named in answer.json()["message"]


def test_user_defined_mac_used_by_another_profile_is_refused(rest):
    mgmt = network_uri(rest, "datacenter-mgmt")
    _create(rest, FREE_OFF_BLADE, [ethernet(mgmt, mac="02:00:00:00:00:07")], macType="UserDefined")
    blade = one(rest, HARDWARE, OTHER_FREE_OFF_BLADE)
    body = create_body(
        blade, [ethernet(mgmt, mac="02:00:00:00:00:07")], name="bm-2", macType="UserDefined"
    )
    answer = rest.post(PROFILES, body)
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "DUPLICATE_MAC"
    assert "already assigned to connection 1 of server profile 'bm-4'" in answer.json()["message"]


def test_user_defined_mac_used_twice_in_one_profile_is_refused(rest):
    blade = one(rest, HARDWARE, FREE_OFF_BLADE)
    mgmt = network_uri(rest, "datacenter-mgmt")
    items = [ethernet(mgmt, mac="02:00:00:00:00:09"), ethernet(mgmt, mac="02:00:00:00:00:09")]
    answer = rest.post(PROFILES, create_body(blade, items, macType="UserDefined"))
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "DUPLICATE_MAC"
    assert "connectionSettings.connections[1].mac" in answer.json()["message"]


# -- choosing and changing macType ---------------------------------------------------------------
def test_unknown_mac_type_is_refused(rest):
    blade = one(rest, HARDWARE, FREE_OFF_BLADE)
    answer = rest.post(PROFILES, create_body(blade, [], macType="Random"))
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "INVALID_MAC_TYPE"
    assert "macType 'Random'" in answer.json()["message"]


@pytest.mark.parametrize("new_type", ["Virtual", "UserDefined"])
def test_changing_the_mac_type_of_a_profile_is_refused(rest, new_type):
    profile = one(rest, PROFILES, "dc-deploy-1")
    answer = rest.put(profile["uri"], {**profile, "macType": new_type})
    assert answer.status_code == 400
    error = answer.json()
    assert error["errorCode"] == "MAC_TYPE_CHANGE_NOT_SUPPORTED"
    assert f"from 'Physical' to '{new_type}'" in error["message"]
    assert rest.get(profile["uri"]).json() == profile


def test_a_put_without_mac_type_keeps_the_profiles(rest):
    mgmt = network_uri(rest, "datacenter-mgmt")
    profile = _create(rest, FREE_OFF_BLADE, [ethernet(mgmt)], macType="Virtual")
    body = {k: v for k, v in profile.items() if k != "macType"}
    assert rest.wait(rest.put(profile["uri"], body))["taskState"] == "Completed"
    after = rest.get(profile["uri"]).json()
    assert after["macType"] == "Virtual"
    assert connections(after)[0]["mac"] == connections(profile)[0]["mac"]
