"""API version negotiation and version-dependent ``type`` of OneViewClient, against simulators."""

from __future__ import annotations

import pytest

from networking_oneview.oneview import OneViewRequestError, OneViewVersionError
from networking_oneview.oneview.versions import SUPPORTED_MAX

NETWORKS = "/rest/ethernet-networks"


def test_uses_the_appliance_current_version_when_we_support_it(make_client, start_server):
    server = start_server(api_version=2000)
    client = make_client(server=server)

    assert client.api_version == 2000
    created = client.create(NETWORKS, {"name": "v2000", "vlanId": 5})  # no type needed at 2000
    assert created["name"] == "v2000"


def test_uses_our_maximum_against_a_newer_appliance(make_client, start_server):
    server = start_server(api_version=SUPPORTED_MAX + 200)
    assert make_client(server=server).api_version == SUPPORTED_MAX


def test_cap_limits_the_version(make_client):
    client = make_client(api_version_cap=800)
    assert client.api_version == 800


def test_writes_at_an_old_version_carry_the_type_of_that_version(make_client):
    client = make_client(api_version_cap=1200)
    body = {"name": "typed", "vlanId": 6, "ethernetNetworkType": "Tagged"}

    with pytest.raises(OneViewRequestError) as caught:  # the appliance demands a type at 1200
        client.create(NETWORKS, body)
    assert caught.value.error_code == "INVALID_TYPE"

    created = client.create(NETWORKS, body, kind="ethernet-network")
    assert created["type"] == "ethernet-networkV4"


def test_every_request_carries_the_negotiated_version(make_client):
    # At 800 the appliance checks `type` against 800; without X-API-Version it would assume
    # another version and refuse the network set's type.
    client = make_client(api_version_cap=800)
    created = client.create(
        "/rest/network-sets", {"name": "set800", "networkUris": []}, kind="network-set"
    )
    assert created["type"] == "network-setV4"


def test_no_common_version_raises_version_error(make_client, start_server):
    server = start_server(api_version=600)
    client = make_client(server=server)

    with pytest.raises(OneViewVersionError) as caught:
        client.get_all(NETWORKS)

    text = str(caught.value)
    assert "600" in text
    assert "800" in text
    assert server.appliance.requests_to("POST", "/rest/login-sessions") == 0


def test_cap_below_our_minimum_raises_version_error(make_client):
    client = make_client(api_version_cap=600)
    with pytest.raises(OneViewVersionError, match="api_version_cap"):
        client.api_version  # noqa: B018
