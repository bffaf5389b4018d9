"""HPE's own SDK (hpeOneView 11.x) works against the simulator unchanged: server hardware and
server profiles."""

from __future__ import annotations

import pytest
from hpeOneView.exceptions import HPEOneViewTaskError

API_VERSIONS = [800, 2000, 8600]
SERVER_NOT_OFF = "ServerNotOffWithCauseForNoServerChange"


def _tenant_connection(client, name: str = "tenant") -> dict:
    network = client.ethernet_networks.get_by_name("datacenter-mgmt")
    return {
        "id": 0,
        "name": name,
        "functionType": "Ethernet",
        "portId": "Auto",
        "networkUri": network.data["uri"],
    }


def _with_added_connection(profile_data: dict, connection: dict) -> dict:
    settings = profile_data["connectionSettings"]
    return {
        "connectionSettings": {**settings, "connections": [*settings["connections"], connection]}
    }


@pytest.mark.parametrize("api_version", API_VERSIONS)
def test_sdk_lists_and_finds_server_hardware(sdk_client, api_version):
    hardware = sdk_client(api_version).server_hardware
    everything = hardware.get_all()
    assert len(everything) == 18
    blade = hardware.get_by_name("Frame2, bay 7")
    assert blade is not None and blade.data["model"] == "Synergy 480 Gen10"
    assert hardware.get_by_uri(blade.data["uri"]).data["name"] == "Frame2, bay 7"
    off = hardware.get_all(filter="\"powerState='Off'\"")
    assert off and all(h["powerState"] == "Off" for h in off) and len(off) < len(everything)


@pytest.mark.parametrize("api_version", API_VERSIONS)
def test_sdk_powers_a_server_off_and_on(sdk_client, rest, api_version):
    hardware = sdk_client(api_version).server_hardware
    blade = hardware.get_by_uri(hardware.get_by_name("Frame1, bay 5").data["uri"])
    result = blade.update_power_state({"powerState": "Off", "powerControl": "PressAndHold"})
    assert result["powerState"] == "Off"
    assert rest.get(blade.data["uri"]).json()["powerState"] == "Off"
    blade.update_power_state({"powerState": "On", "powerControl": "MomentaryPress"})
    assert rest.get(blade.data["uri"]).json()["powerState"] == "On"


@pytest.mark.parametrize("api_version", API_VERSIONS)
def test_sdk_power_change_of_a_locked_server_raises_a_task_error(sdk_client, api_version):
    hardware = sdk_client(api_version).server_hardware
    locked = hardware.get_by_name("Frame1, bay 8")
    with pytest.raises(HPEOneViewTaskError) as raised:
        locked.update_power_state({"powerState": "On", "powerControl": "MomentaryPress"})
    assert raised.value.error_code == "SERVER_HARDWARE_POWER_LOCKED"


@pytest.mark.parametrize("api_version", API_VERSIONS)
def test_sdk_adds_a_connection_to_the_profile_of_a_powered_off_server(
    sdk_client, rest, api_version
):
    client = sdk_client(api_version)
    profile = client.server_profiles.get_by_name("dc-deploy-1")
    updated = profile.update(_with_added_connection(profile.data, _tenant_connection(client)))
    connections = updated.data["connectionSettings"]["connections"]
    assert [c["name"] for c in connections] == ["pxe", "datacenter-mgmt", "tenant"]
    assert connections[2]["id"] == 3 and connections[2]["portId"] != "Auto"
    stored = rest.get(profile.data["uri"]).json()["connectionSettings"]["connections"]
    assert [c["name"] for c in stored] == ["pxe", "datacenter-mgmt", "tenant"]


@pytest.mark.parametrize("api_version", API_VERSIONS)
def test_sdk_adding_a_connection_while_the_server_is_on_raises_a_task_error(
    sdk_client, rest, api_version
):
    client = sdk_client(api_version)
    profile = client.server_profiles.get_by_name("dc-hypervisor-1")
    with pytest.raises(HPEOneViewTaskError) as raised:
        profile.update(_with_added_connection(profile.data, _tenant_connection(client)))
    assert raised.value.error_code == SERVER_NOT_OFF
    stored = rest.get(profile.data["uri"]).json()["connectionSettings"]["connections"]
    assert [c["name"] for c in stored] == ["datacenter-mgmt"]


@pytest.mark.parametrize("api_version", API_VERSIONS)
def test_sdk_creates_and_deletes_a_profile(sdk_client, rest, api_version):
    client = sdk_client(api_version)
    blade = client.server_hardware.get_by_name("Frame2, bay 6")
    created = client.server_profiles.create(
        {
            "name": "sdk-profile",
            "serverHardwareUri": blade.data["uri"],
            "connectionSettings": {
                "manageConnections": True,
                "connections": [_tenant_connection(client, "mgmt")],
            },
        }
    )
    assert created.data["serverHardwareUri"] == blade.data["uri"]
    assert created.data["connectionSettings"]["connections"][0]["mac"]
    assert rest.get(blade.data["uri"]).json()["serverProfileUri"] == created.data["uri"]

    found = client.server_profiles.get_by_name("sdk-profile")
    assert found.delete() is True
    assert client.server_profiles.get_by_name("sdk-profile") is None
    assert rest.get(blade.data["uri"]).json()["serverProfileUri"] is None
