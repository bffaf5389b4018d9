"""HPE's SDK (hpeOneView 11.x) against the simulator: server profile templates, profiles made from
them, update from template, graceful power-off and login details."""

from __future__ import annotations

import copy

import pytest
from hpeOneView.exceptions import HPEOneViewTaskError
from sim_helpers import POOL_PREFIX

API_VERSIONS = [800, 2000, 8600]


@pytest.mark.parametrize("api_version", API_VERSIONS)
def test_sdk_reads_and_creates_templates(sdk_client, api_version):
    templates = sdk_client(api_version).server_profile_templates
    assert [t["name"] for t in templates.get_all()] == ["baremetal-template"]
    base = templates.get_by_name("baremetal-template").data
    created = templates.create(
        {
            "name": "sdk-template",
            "serverHardwareTypeUri": base["serverHardwareTypeUri"],
            "enclosureGroupUri": base["enclosureGroupUri"],
            "macType": "Virtual",
            "connectionSettings": {
                "manageConnections": True,
                "connections": copy.deepcopy(base["connectionSettings"]["connections"]),
            },
        }
    )
    assert created.data["name"] == "sdk-template"
    assert len(created.data["connectionSettings"]["connections"]) == 2
    updated = created.update({"description": "changed by the SDK"})
    assert updated.data["description"] == "changed by the SDK"
    assert created.delete() is True
    assert templates.get_by_name("sdk-template") is None


@pytest.mark.parametrize("api_version", API_VERSIONS)
def test_sdk_makes_a_profile_from_a_template_and_updates_it_from_the_template(
    sdk_client, api_version
):
    client = sdk_client(api_version)
    template = client.server_profile_templates.get_by_name("baremetal-template")
    body = template.get_new_profile()
    body["name"] = "sdk-node"
    body["serverHardwareUri"] = client.server_hardware.get_by_name("Frame2, bay 6").data["uri"]
    profile = client.server_profiles.create(body)
    assert profile.data["templateCompliance"] == "Compliant"
    macs = [c["mac"] for c in profile.data["connectionSettings"]["connections"]]
    assert all(mac.startswith(POOL_PREFIX) for mac in macs)

    settings = copy.deepcopy(profile.data["connectionSettings"])
    settings["connections"][0]["requestedMbps"] = "4000"
    profile.update({"connectionSettings": settings})
    assert profile.data["templateCompliance"] == "NonCompliant"
    profile.patch("replace", "/templateCompliance", "Compliant")
    assert profile.data["templateCompliance"] == "Compliant"
    connections = profile.data["connectionSettings"]["connections"]
    assert [c["mac"] for c in connections] == macs
    assert connections[0]["requestedMbps"] == "2500"


@pytest.mark.parametrize("api_version", API_VERSIONS)
def test_sdk_graceful_power_off_of_a_server_that_ignores_the_button_raises(
    sdk_client, simulator, api_version
):
    simulator.appliance.faults.configure({"ignore_momentary_press": ["Frame1, bay 5"]})
    blade = sdk_client(api_version).server_hardware.get_by_name("Frame1, bay 5")
    with pytest.raises(HPEOneViewTaskError) as raised:
        blade.update_power_state({"powerState": "Off", "powerControl": "MomentaryPress"})
    assert raised.value.error_code == "SERVER_HARDWARE_DID_NOT_POWER_OFF"
    forced = blade.update_power_state({"powerState": "Off", "powerControl": "PressAndHold"})
    assert forced["powerState"] == "Off"


@pytest.mark.parametrize("api_version", API_VERSIONS)
def test_sdk_logs_in_and_reads_login_details(sdk_client, api_version):
    details = sdk_client(api_version).login_details.get_login_details()
    assert details["allowLocalLogin"] is True
    assert details["defaultLoginDomain"]["name"] == "Local"
