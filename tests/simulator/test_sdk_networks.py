"""HPE's own SDK (hpeOneView 11.x) works against the simulator unchanged: networks, uplink sets."""

from __future__ import annotations

import pytest

API_VERSIONS = [800, 2000, 8600]


@pytest.mark.parametrize("api_version", API_VERSIONS)
def test_sdk_creates_finds_updates_and_deletes_an_ethernet_network(sdk_client, api_version):
    client = sdk_client(api_version)
    networks = client.ethernet_networks
    created = networks.create(
        {
            "name": "sdk-net",
            "vlanId": 101,
            "ethernetNetworkType": "Tagged",
            "purpose": "General",
            "smartLink": False,
            "privateNetwork": False,
        }
    )
    assert created.data["vlanId"] == 101

    found = networks.get_by_name("sdk-net")
    assert found is not None and found.data["uri"] == created.data["uri"]

    updated = found.update({"name": "sdk-net-renamed"})
    assert updated.data["name"] == "sdk-net-renamed"
    assert networks.get_by_name("sdk-net") is None

    updated.delete()
    assert networks.get_by_name("sdk-net-renamed") is None


def _tagged_uplink_set(rest) -> dict:
    return next(u for u in rest.members("/rest/uplink-sets") if u["name"] == "US-Tagged")


@pytest.mark.parametrize("api_version", API_VERSIONS)
def test_sdk_adds_and_removes_networks_in_an_uplink_set(sdk_client, rest, api_version):
    client = sdk_client(api_version)
    client.ethernet_networks.create(
        {"name": "tenant-42", "vlanId": 42, "ethernetNetworkType": "Tagged", "purpose": "General"}
    )
    uplink_set = client.uplink_sets.get_by_uri(_tagged_uplink_set(rest)["uri"])

    uplink_set.add_ethernet_networks(["tenant-42"])
    tenant_uri = client.ethernet_networks.get_by_name("tenant-42").data["uri"]
    assert tenant_uri in rest.get(uplink_set.data["uri"]).json()["networkUris"]

    uplink_set = client.uplink_sets.get_by_uri(uplink_set.data["uri"])
    uplink_set.remove_ethernet_networks(["tenant-42"])
    assert tenant_uri not in rest.get(uplink_set.data["uri"]).json()["networkUris"]


@pytest.mark.parametrize("api_version", API_VERSIONS)
def test_sdk_brings_a_logical_interconnect_back_to_its_group(sdk_client, rest, api_version):
    client = sdk_client(api_version)
    lig = client.logical_interconnect_groups.get_by_name("LIG-Synergy-VC")
    network = client.ethernet_networks.create(
        {"name": "tenant-7", "vlanId": 7, "ethernetNetworkType": "Tagged", "purpose": "General"}
    )
    templates = lig.data["uplinkSets"]
    next(t for t in templates if t["name"] == "US-Tagged")["networkUris"].append(
        network.data["uri"]
    )
    lig.update({"uplinkSets": templates})

    li = client.logical_interconnects.get_by_name("LE-Frame1-LIG-Synergy-VC")
    assert li.data["consistencyStatus"] == "NOT_CONSISTENT"
    li.update_compliance()
    li = client.logical_interconnects.get_by_name("LE-Frame1-LIG-Synergy-VC")
    assert li.data["consistencyStatus"] == "CONSISTENT"
    frame1_tagged = [
        u
        for u in rest.members("/rest/uplink-sets")
        if u["name"] == "US-Tagged" and u["logicalInterconnectUri"] == li.data["uri"]
    ]
    assert network.data["uri"] in frame1_tagged[0]["networkUris"]
