"""The version rules of the OneView client: negotiation, write types, profile connections."""

from __future__ import annotations

import pytest

from networking_oneview.oneview.errors import OneViewVersionError
from networking_oneview.oneview.versions import (
    SUPPORTED_MAX,
    SUPPORTED_MIN,
    negotiate,
    profile_connections,
    resource_type,
    with_profile_connections,
)


def test_supported_range():
    assert (SUPPORTED_MIN, SUPPORTED_MAX) == (800, 8600)


@pytest.mark.parametrize(
    ("minimum", "current", "cap", "expected"),
    [
        (120, 8600, None, 8600),
        (120, 2000, None, 2000),
        (120, 9000, None, SUPPORTED_MAX),
        (120, 8600, 800, 800),
        (120, 8600, 2600, 2600),
        (120, 1200, 2600, 1200),
        (800, 800, None, 800),
        (2000, 8600, None, 8600),
    ],
)
def test_negotiate_picks_the_highest_common_version(minimum, current, cap, expected):
    assert negotiate(minimum, current, cap) == expected


@pytest.mark.parametrize(
    ("minimum", "current", "cap"),
    [(120, 600, None), (9000, 9200, None), (120, 8600, 600), (2000, 8600, 1800)],
)
def test_negotiate_without_overlap_raises_a_clear_version_error(minimum, current, cap):
    with pytest.raises(OneViewVersionError) as caught:
        negotiate(minimum, current, cap)
    text = str(caught.value)
    assert f"{minimum}..{current}" in text
    assert f"{SUPPORTED_MIN}..{SUPPORTED_MAX}" in text


@pytest.mark.parametrize(
    ("kind", "version", "expected"),
    [
        ("ethernet-network", 800, "ethernet-networkV4"),
        ("ethernet-network", 1800, "ethernet-networkV4"),
        ("bulk-ethernet-network", 800, "bulk-ethernet-networkV1"),
        ("bulk-ethernet-network", 1000, "bulk-ethernet-networkV1"),
        ("bulk-ethernet-network", 1200, "bulk-ethernet-networkV2"),
        ("bulk-ethernet-network", 1800, "bulk-ethernet-networkV2"),
        ("uplink-set", 600, "uplink-setV4"),
        ("uplink-set", 800, "uplink-setV4"),
        ("uplink-set", 1000, "uplink-setV5"),
        ("uplink-set", 1200, "uplink-setV6"),
        ("uplink-set", 1400, "uplink-setV6"),
        ("uplink-set", 1600, "uplink-setV7"),
        ("uplink-set", 1800, "uplink-setV7"),
        ("logical-interconnect-group", 800, "logical-interconnect-groupV5"),
        ("logical-interconnect-group", 1000, "logical-interconnect-groupV6"),
        ("logical-interconnect-group", 1200, "logical-interconnect-groupV7"),
        ("logical-interconnect-group", 1400, "logical-interconnect-groupV8"),
        ("logical-interconnect-group", 1800, "logical-interconnect-groupV8"),
        ("network-set", 800, "network-setV4"),
        ("network-set", 1000, "network-setV4"),
        ("network-set", 1200, "network-setV5"),
        ("network-set", 1800, "network-setV5"),
        ("server-profile", 800, "ServerProfileV9"),
        ("server-profile", 1000, "ServerProfileV10"),
        ("server-profile", 1200, "ServerProfileV11"),
        ("server-profile", 1600, "ServerProfileV12"),
        ("server-profile", 1800, "ServerProfileV12"),
    ],
)
def test_resource_type_up_to_1800_is_exact(kind, version, expected):
    assert resource_type(kind, version) == expected


@pytest.mark.parametrize("version", [2000, 2600, 4000, 8600])
@pytest.mark.parametrize(
    "kind",
    [
        "ethernet-network",
        "bulk-ethernet-network",
        "uplink-set",
        "logical-interconnect-group",
        "network-set",
        "server-profile",
    ],
)
def test_resource_type_from_2000_is_omitted(kind, version):
    assert resource_type(kind, version) is None


def test_resource_type_of_an_unknown_kind_is_an_error():
    with pytest.raises(ValueError, match="fabric"):
        resource_type("fabric", 1200)


def test_resource_type_below_the_known_bands_is_an_error():
    with pytest.raises(ValueError, match="server-profile"):
        resource_type("server-profile", 600)


CONNECTION = {"id": 1, "name": "c1", "networkUri": "/rest/ethernet-networks/1"}


def test_profile_connections_from_600_live_in_connection_settings():
    profile = {"connectionSettings": {"manageConnections": True, "connections": [CONNECTION]}}
    assert profile_connections(profile, 800) == [CONNECTION]
    assert profile_connections(profile, 600) == [CONNECTION]
    assert profile_connections({"connectionSettings": None}, 800) == []
    assert profile_connections({}, 2000) == []


def test_profile_connections_below_600_are_top_level():
    assert profile_connections({"connections": [CONNECTION]}, 500) == [CONNECTION]
    assert profile_connections({"connectionSettings": {"connections": [CONNECTION]}}, 300) == []


def test_profile_connections_is_a_copy():
    profile = {"connectionSettings": {"connections": [dict(CONNECTION)]}}
    profile_connections(profile, 800)[0]["name"] = "changed"
    assert profile["connectionSettings"]["connections"][0]["name"] == "c1"


def test_with_profile_connections_from_600_keeps_other_settings_and_the_input():
    profile = {"name": "p", "eTag": "e1", "connectionSettings": {"manageConnections": True}}
    updated = with_profile_connections(profile, [CONNECTION], 1200)
    assert updated == {
        "name": "p",
        "eTag": "e1",
        "connectionSettings": {"manageConnections": True, "connections": [CONNECTION]},
    }
    assert "connections" not in profile["connectionSettings"]
    assert profile_connections(updated, 1200) == [CONNECTION]


def test_with_profile_connections_below_600_sets_the_top_level_list():
    updated = with_profile_connections({"name": "p"}, [CONNECTION], 500)
    assert updated == {"name": "p", "connections": [CONNECTION]}
    assert profile_connections(updated, 500) == [CONNECTION]
