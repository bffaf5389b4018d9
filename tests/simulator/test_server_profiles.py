"""Server profiles: creation on hardware, connections per API version, validation, and the
power rule (connection changes need the server powered off)."""

from __future__ import annotations

import copy

import pytest

HARDWARE = "/rest/server-hardware"
PROFILES = "/rest/server-profiles"
SERVER_NOT_OFF = "ServerNotOffWithCauseForNoServerChange"
FREE_OFF_BLADE = "Frame1, bay 4"
FREE_ON_BLADE = "Frame1, bay 3"
ON_PROFILE = "dc-hypervisor-1"  # Frame1, bay 1 (On): connection 1 datacenter-mgmt on Mezz 3:1-a
OFF_PROFILE = "dc-deploy-1"  # Frame1, bay 2 (Off): 1 pxe Primary on 3:1-a, 2 mgmt on 3:2-a


def _one(rest, collection: str, name: str) -> dict:
    members = rest.members(f"{collection}?filter=\"name='{name}'\"")
    assert len(members) == 1, members
    return members[0]


def _network_uri(rest, name: str) -> str:
    return _one(rest, "/rest/ethernet-networks", name)["uri"]


def _port_macs(hardware: dict) -> dict[str, str]:
    return {
        f"{slot['location']} {slot['slotNumber']}:{port['portNumber']}-{v['portFunction']}": v[
            "mac"
        ]
        for slot in hardware["portMap"]["deviceSlots"]
        for port in slot["physicalPorts"]
        for v in port["virtualPorts"]
    }


def _connections(profile: dict) -> list[dict]:
    if "connectionSettings" in profile:
        return profile["connectionSettings"]["connections"]
    return profile["connections"]


def _with_connections(profile: dict, connections: list[dict]) -> dict:
    """The profile as a whole-object PUT body at API >= 600, with other connections."""
    body = copy.deepcopy(profile)
    body["connectionSettings"]["connections"] = connections
    return body


def _ethernet(network_uri: str, **fields) -> dict:
    return {"functionType": "Ethernet", "networkUri": network_uri, "portId": "Auto", **fields}


def _create_body(hardware: dict, connections: list[dict], name: str = "bm-1") -> dict:
    return {
        "name": name,
        "serverHardwareUri": hardware["uri"],
        "connectionSettings": {"manageConnections": True, "connections": connections},
    }


# -- creation ------------------------------------------------------------------------------------
def test_create_gives_connections_ids_and_the_macs_of_their_ports(rest):
    blade = _one(rest, HARDWARE, FREE_OFF_BLADE)
    mgmt = _network_uri(rest, "datacenter-mgmt")
    body = _create_body(
        blade,
        [_ethernet(mgmt, id=0, name="a", portId="Mezz 3:2-c"), _ethernet(mgmt, name="b")],
    )
    profile = rest.created(rest.post(PROFILES, body))
    connections = _connections(profile)
    macs = _port_macs(blade)
    assert [c["id"] for c in connections] == [1, 2]
    assert connections[0]["portId"] == "Mezz 3:2-c"
    assert all(c["mac"] == macs[c["portId"]] for c in connections)
    assert all(c["requestedMbps"] == "2500" for c in connections)
    assert all(c["boot"]["priority"] == "NotBootable" for c in connections)


def test_auto_port_id_picks_a_free_port_of_the_hardware(rest):
    blade = _one(rest, HARDWARE, FREE_OFF_BLADE)
    mgmt = _network_uri(rest, "datacenter-mgmt")
    explicit = _ethernet(mgmt, name="fixed", portId="Mezz 3:1-a")
    body = _create_body(blade, [_ethernet(mgmt, name="auto"), explicit])
    auto = _connections(rest.created(rest.post(PROFILES, body)))[0]
    assert auto["portId"] in _port_macs(blade)
    assert auto["portId"] not in ("Auto", "Mezz 3:1-a")


def test_create_assigns_the_profile_to_the_hardware(rest):
    blade = _one(rest, HARDWARE, FREE_OFF_BLADE)
    assert blade["serverProfileUri"] is None and blade["state"] == "NoProfileApplied"
    profile = rest.created(rest.post(PROFILES, _create_body(blade, [])))
    after = rest.get(blade["uri"]).json()
    assert after["serverProfileUri"] == profile["uri"]
    assert after["state"] == "ProfileApplied"
    assert profile["serverHardwareUri"] == blade["uri"]
    assert profile["enclosureUri"] == blade["locationUri"] and profile["enclosureBay"] == 4


def test_hardware_with_a_profile_refuses_a_second_one(rest):
    taken = _one(rest, HARDWARE, "Frame1, bay 2")
    assert taken["serverProfileUri"]
    answer = rest.post(PROFILES, _create_body(taken, [], name="intruder"))
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "SERVER_HARDWARE_ALREADY_ASSIGNED"
    assert rest.members(f"{PROFILES}?filter=\"name='intruder'\"") == []


def test_create_with_connections_on_a_powered_on_server_fails_and_creates_nothing(rest):
    blade = _one(rest, HARDWARE, FREE_ON_BLADE)
    mgmt = _network_uri(rest, "datacenter-mgmt")
    task = rest.wait(rest.post(PROFILES, _create_body(blade, [_ethernet(mgmt)])))
    assert task["taskState"] == "Error"
    assert task["taskErrors"][0]["errorCode"] == SERVER_NOT_OFF
    assert rest.members(f"{PROFILES}?filter=\"name='bm-1'\"") == []
    assert rest.get(blade["uri"]).json()["serverProfileUri"] is None


def test_rack_server_profile_cannot_have_connections(rest):
    rack = _one(rest, HARDWARE, "rack-dl360-2")
    mgmt = _network_uri(rest, "datacenter-mgmt")
    answer = rest.post(PROFILES, _create_body(rack, [_ethernet(mgmt)]))
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "CONNECTIONS_NOT_SUPPORTED"


# -- connections per API version -----------------------------------------------------------------
@pytest.mark.parametrize("api_version", [300, 500])
def test_before_api_600_connections_are_top_level(rest, api_version):
    profile = _one(rest.at(api_version), PROFILES, OFF_PROFILE)
    assert "connectionSettings" not in profile
    assert [c["name"] for c in profile["connections"]] == ["pxe", "datacenter-mgmt"]


@pytest.mark.parametrize("api_version", [600, 800, 2000, 8600])
def test_from_api_600_connections_are_in_connection_settings(rest, api_version):
    profile = _one(rest.at(api_version), PROFILES, OFF_PROFILE)
    assert "connections" not in profile
    connections = profile["connectionSettings"]["connections"]
    assert [c["name"] for c in connections] == ["pxe", "datacenter-mgmt"]


@pytest.mark.parametrize("api_version", [300, 500, 600, 800, 2000, 8600])
def test_put_is_accepted_with_the_connections_where_the_version_has_them(rest, api_version):
    client = rest.at(api_version)
    profile = _one(client, PROFILES, OFF_PROFILE)
    added = _ethernet(_network_uri(rest, "datacenter-mgmt"), name="tenant", portId="Mezz 3:2-b")
    body = copy.deepcopy(profile)
    key = "connections" if api_version < 600 else "connectionSettings"
    target = body["connections"] if key == "connections" else body[key]["connections"]
    target.append(added)
    task = client.wait(client.put(profile["uri"], body))
    assert task["taskState"] == "Completed", task
    names = [c["name"] for c in _connections(rest.get(profile["uri"]).json())]
    assert names == ["pxe", "datacenter-mgmt", "tenant"]


@pytest.mark.parametrize(
    ("api_version", "wrong"),
    [(500, "connectionSettings"), (800, "connections")],
)
def test_put_with_connections_in_the_other_versions_place_is_refused(rest, api_version, wrong):
    client = rest.at(api_version)
    profile = _one(client, PROFILES, OFF_PROFILE)
    body = {k: v for k, v in profile.items() if k not in ("connections", "connectionSettings")}
    connections = _connections(profile)
    body[wrong] = {"connections": connections} if wrong == "connectionSettings" else connections
    answer = client.put(profile["uri"], body)
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "INVALID_CONNECTIONS_LOCATION"


# -- the power rule ------------------------------------------------------------------------------
def _refused_while_on(rest, profile: dict, body: dict) -> None:
    task = rest.wait(rest.put(profile["uri"], body))
    assert task["taskState"] == "Error"
    assert task["taskErrors"][0]["errorCode"] == SERVER_NOT_OFF
    assert "powered off" in task["taskErrors"][0]["message"]
    assert rest.get(profile["uri"]).json() == profile


def test_adding_a_connection_while_on_fails_and_changes_nothing(rest):
    profile = _one(rest, PROFILES, ON_PROFILE)
    added = _ethernet(_network_uri(rest, "provisioning"), name="tenant")
    _refused_while_on(rest, profile, _with_connections(profile, [*_connections(profile), added]))


def test_removing_a_connection_while_on_fails_and_changes_nothing(rest):
    profile = _one(rest, PROFILES, ON_PROFILE)
    _refused_while_on(rest, profile, _with_connections(profile, []))


def test_changing_boot_priority_while_on_fails_and_changes_nothing(rest):
    profile = _one(rest, PROFILES, ON_PROFILE)
    changed = copy.deepcopy(_connections(profile))
    changed[0]["boot"] = {"priority": "Primary"}
    _refused_while_on(rest, profile, _with_connections(profile, changed))


def test_moving_a_connection_to_another_port_while_on_fails_and_changes_nothing(rest):
    profile = _one(rest, PROFILES, ON_PROFILE)
    changed = copy.deepcopy(_connections(profile))
    changed[0].update(portId="Mezz 3:2-a", mac=None)
    _refused_while_on(rest, profile, _with_connections(profile, changed))


def test_changing_the_network_of_a_connection_while_on_completes(rest):
    profile = _one(rest, PROFILES, ON_PROFILE)
    provisioning = _network_uri(rest, "provisioning")
    changed = copy.deepcopy(_connections(profile))
    changed[0]["networkUri"] = provisioning
    task = rest.wait(rest.put(profile["uri"], _with_connections(profile, changed)))
    assert task["taskState"] == "Completed", task
    after = _connections(rest.get(profile["uri"]).json())
    assert [(c["id"], c["networkUri"], c["portId"]) for c in after] == [
        (1, provisioning, "Mezz 3:1-a")
    ]


def test_changing_bandwidth_and_profile_name_while_on_completes(rest):
    profile = _one(rest, PROFILES, ON_PROFILE)
    body = _with_connections(profile, copy.deepcopy(_connections(profile)))
    body["connectionSettings"]["connections"][0]["requestedMbps"] = "5000"
    body.update(name="hypervisor-renamed", description="renamed while on")
    task = rest.wait(rest.put(profile["uri"], body))
    assert task["taskState"] == "Completed", task
    after = rest.get(profile["uri"]).json()
    assert after["name"] == "hypervisor-renamed"
    assert _connections(after)[0]["requestedMbps"] == "5000"


def test_adding_a_connection_while_off_completes(rest):
    profile = _one(rest, PROFILES, OFF_PROFILE)
    added = _ethernet(_network_uri(rest, "datacenter-mgmt"), name="tenant")
    task = rest.wait(
        rest.put(profile["uri"], _with_connections(profile, [*_connections(profile), added]))
    )
    assert task["taskState"] == "Completed", task
    after = _connections(rest.get(profile["uri"]).json())
    assert [c["id"] for c in after] == [1, 2, 3]
    assert after[2]["portId"] not in ("Mezz 3:1-a", "Mezz 3:2-a", "Auto")


def test_power_rule_is_checked_when_the_task_runs(simulator, rest):
    profile = _one(rest, PROFILES, OFF_PROFILE)
    simulator.appliance.faults.configure({"task_duration": 0.3})
    added = _ethernet(_network_uri(rest, "datacenter-mgmt"), name="tenant")
    answer = rest.put(profile["uri"], _with_connections(profile, [*_connections(profile), added]))
    assert answer.json()["taskState"] == "Running"
    store = simulator.appliance.store  # power on behind the pending task's back
    hardware = store.get(profile["serverHardwareUri"])
    store.replace(hardware["uri"], {**hardware, "powerState": "On"})
    task = rest.wait(answer)
    assert task["taskState"] == "Error"
    assert task["taskErrors"][0]["errorCode"] == SERVER_NOT_OFF
    assert len(_connections(rest.get(profile["uri"]).json())) == 2


# -- validation ----------------------------------------------------------------------------------
def _invalid_cases() -> list:
    def duplicate_port(profile, nets):
        return [*_connections(profile), _ethernet(nets["mgmt"], name="x", portId="Mezz 3:1-a")]

    def duplicate_name(profile, nets):
        return [*_connections(profile), _ethernet(nets["mgmt"], name="pxe")]

    def two_primaries(profile, nets):
        return [*_connections(profile), _ethernet(nets["mgmt"], boot={"priority": "Primary"})]

    def unknown_port(profile, nets):
        return [*_connections(profile), _ethernet(nets["mgmt"], portId="Mezz 9:1-a")]

    def unknown_network(profile, nets):
        gone = "/rest/ethernet-networks/00000000-0000-0000-0000-000000000000"
        return [*_connections(profile), _ethernet(gone)]

    def long_name(profile, nets):
        return [*_connections(profile), _ethernet(nets["mgmt"], name="n" * 64)]

    def bad_boot(profile, nets):
        return [*_connections(profile), _ethernet(nets["mgmt"], boot={"priority": "First"})]

    def bad_bandwidth(profile, nets):
        return [*_connections(profile), _ethernet(nets["mgmt"], requestedMbps="lots")]

    def wrong_mac(profile, nets):
        mac = "02:00:00:00:00:01"
        return [*_connections(profile), _ethernet(nets["mgmt"], portId="Mezz 3:1-b", mac=mac)]

    def duplicate_id(profile, nets):
        return [*_connections(profile), _ethernet(nets["mgmt"], id=2)]

    at = "connectionSettings.connections[2]"
    return [
        pytest.param(duplicate_port, "DUPLICATE_PORT_ID", f"{at}.portId 'Mezz 3:1-a'", id="port2"),
        pytest.param(duplicate_name, "DUPLICATE_CONNECTION_NAME", f"{at}.name 'pxe'", id="name2"),
        pytest.param(
            two_primaries, "DUPLICATE_BOOT_PRIORITY", "boot.priority 'Primary'", id="pri2"
        ),
        pytest.param(unknown_port, "INVALID_PORT_ID", f"{at}.portId 'Mezz 9:1-a'", id="port"),
        pytest.param(
            unknown_network,
            "NETWORK_NOT_FOUND",
            f"{at}.networkUri '/rest/ethernet-networks/00000000-",
            id="network",
        ),
        pytest.param(long_name, "INVALID_CONNECTION_NAME", f"{at}.name must", id="long-name"),
        pytest.param(bad_boot, "INVALID_BOOT_PRIORITY", f"{at}.boot.priority 'First'", id="boot"),
        pytest.param(
            bad_bandwidth, "INVALID_REQUESTED_BANDWIDTH", f"{at}.requestedMbps must", id="mbps"
        ),
        pytest.param(wrong_mac, "INVALID_MAC", f"{at}.mac '02:00:00:00:00:01'", id="mac"),
        pytest.param(duplicate_id, "DUPLICATE_CONNECTION_ID", f"{at}.id 2", id="id2"),
    ]


@pytest.mark.parametrize(("edit", "code", "named"), _invalid_cases())
def test_invalid_connection_is_refused_with_400_naming_the_field(rest, edit, code, named):
    profile = _one(rest, PROFILES, OFF_PROFILE)
    nets = {"mgmt": _network_uri(rest, "datacenter-mgmt")}
    answer = rest.put(profile["uri"], _with_connections(profile, edit(profile, nets)))
    assert answer.status_code == 400, answer.text
    error = answer.json()
    assert error["errorCode"] == code
    assert named in error["message"]
    assert rest.get(profile["uri"]).json() == profile


def test_stale_etag_is_refused_with_412(rest):
    profile = _one(rest, PROFILES, OFF_PROFILE)
    rest.wait(rest.put(profile["uri"], {**profile, "description": "first writer"}))
    stale = rest.put(profile["uri"], {**profile, "description": "second writer"})
    assert stale.status_code == 412
    assert stale.json()["errorCode"] == "ETAG_MISMATCH"
    assert rest.get(profile["uri"]).json()["description"] == "first writer"


def test_update_accepted_from_the_same_copy_as_another_fails_when_it_runs(simulator, rest):
    profile = _one(rest, PROFILES, OFF_PROFILE)
    simulator.appliance.faults.configure({"task_duration": 0.3})
    first = rest.put(profile["uri"], {**profile, "description": "first"})
    second = rest.put(profile["uri"], {**profile, "description": "second"})
    assert rest.wait(first)["taskState"] == "Completed"
    task = rest.wait(second)
    assert task["taskState"] == "Error"
    assert task["taskErrors"][0]["errorCode"] == "PROFILE_CHANGED_DURING_UPDATE"
    assert rest.get(profile["uri"]).json()["description"] == "first"


def test_moving_a_profile_to_other_hardware_is_refused(rest):
    profile = _one(rest, PROFILES, OFF_PROFILE)
    other = _one(rest, HARDWARE, FREE_OFF_BLADE)
    answer = rest.put(profile["uri"], {**profile, "serverHardwareUri": other["uri"]})
    assert answer.status_code == 400
    assert "serverHardwareUri" in answer.json()["message"]


def test_connection_on_a_deleted_network_stays_offline_through_other_updates(rest):
    profile = _one(rest, PROFILES, OFF_PROFILE)
    mgmt = _network_uri(rest, "datacenter-mgmt")
    assert rest.wait(rest.delete(mgmt))["taskState"] == "Completed"
    profile = rest.get(profile["uri"]).json()
    task = rest.wait(rest.put(profile["uri"], {**profile, "description": "still usable"}))
    assert task["taskState"] == "Completed", task
    offline = _connections(rest.get(profile["uri"]).json())[1]
    assert (offline["networkUri"], offline["state"]) == (mgmt, "Offline")


# -- deletion ------------------------------------------------------------------------------------
def test_deleting_a_profile_frees_its_hardware(rest):
    profile = _one(rest, PROFILES, OFF_PROFILE)
    task = rest.wait(rest.delete(profile["uri"]))
    assert task["taskState"] == "Completed" and task["name"] == "Delete"
    assert rest.get(profile["uri"]).status_code == 404
    hardware = rest.get(profile["serverHardwareUri"]).json()
    assert hardware["serverProfileUri"] is None and hardware["state"] == "NoProfileApplied"


def test_deleting_the_profile_of_a_powered_on_server_fails(rest):
    profile = _one(rest, PROFILES, ON_PROFILE)
    task = rest.wait(rest.delete(profile["uri"]))
    assert task["taskState"] == "Error"
    assert task["taskErrors"][0]["errorCode"] == SERVER_NOT_OFF
    assert rest.get(profile["uri"]).status_code == 200
    assert rest.get(profile["serverHardwareUri"]).json()["serverProfileUri"] == profile["uri"]
