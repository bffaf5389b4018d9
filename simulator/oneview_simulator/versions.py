"""API versions the simulated appliance speaks, and the resource ``type`` each version expects."""

from __future__ import annotations

from typing import Any

from oneview_simulator.errors import ApplianceError, bad_request

# Release -> X-API-Version: 3.0=300, 4.0=600, 4.10=800, 5.0=1200, 5.4=2000, 6.0=2600, 7.0=4000,
# 9.0=6600, 10.0=7600, 11.30=8600.  The simulator plays OneView 11.30 unless told otherwise.
MINIMUM_VERSION = 120
CURRENT_VERSION = 8600
FIRST_TYPELESS_VERSION = 2000  # from 2000 on a write may omit `type`

# For API <= 1800 a write must carry exactly the type of its version band: {band floor: type}.
_TYPES: dict[str, dict[int, str]] = {
    "ethernet-network": {300: "ethernet-networkV300", 600: "ethernet-networkV4"},
    "bulk-ethernet-network": {
        300: "bulk-ethernet-network",
        600: "bulk-ethernet-networkV1",
        1200: "bulk-ethernet-networkV2",
    },
    "uplink-set": {
        300: "uplink-setV300",
        600: "uplink-setV4",
        1000: "uplink-setV5",
        1200: "uplink-setV6",
        1600: "uplink-setV7",
    },
    "logical-interconnect-group": {
        300: "logical-interconnect-groupV300",
        600: "logical-interconnect-groupV4",
        800: "logical-interconnect-groupV5",
        1000: "logical-interconnect-groupV6",
        1200: "logical-interconnect-groupV7",
        1400: "logical-interconnect-groupV8",
    },
    "network-set": {300: "network-setV300", 600: "network-setV4", 1200: "network-setV5"},
    "server-profile": {
        300: "ServerProfileV6",
        500: "ServerProfileV7",
        600: "ServerProfileV8",
        800: "ServerProfileV9",
        1000: "ServerProfileV10",
        1200: "ServerProfileV11",
        1600: "ServerProfileV12",
    },
    "server-profile-template": {
        200: "ServerProfileTemplateV1",
        300: "ServerProfileTemplateV2",
        500: "ServerProfileTemplateV3",
        600: "ServerProfileTemplateV4",
        800: "ServerProfileTemplateV5",
        1000: "ServerProfileTemplateV6",
        1200: "ServerProfileTemplateV7",
        1600: "ServerProfileTemplateV8",
    },
}

# Types the appliance reports in GET answers from 2000 on (what OneView 5.4+ returns).
_LATEST: dict[str, str] = {
    "ethernet-network": "ethernet-networkV4",
    "bulk-ethernet-network": "bulk-ethernet-networkV2",
    "uplink-set": "uplink-setV7",
    "logical-interconnect-group": "logical-interconnect-groupV8",
    "network-set": "network-setV5",
    "server-profile": "ServerProfileV12",
    "server-profile-template": "ServerProfileTemplateV8",
}


def expected_type(kind: str, api_version: int) -> str:
    """The ``type`` a client at ``api_version`` must send (and gets back) for ``kind``."""
    if api_version >= FIRST_TYPELESS_VERSION:
        return _LATEST[kind]
    bands = _TYPES[kind]
    floors = [floor for floor in sorted(bands) if floor <= api_version]
    return bands[floors[-1]] if floors else bands[min(bands)]


def check_type(kind: str, body: dict[str, Any], api_version: int) -> None:
    """Refuse a write whose ``type`` does not fit the request's API version, like OneView does."""
    sent = body.get("type")
    if api_version >= FIRST_TYPELESS_VERSION and sent is None:
        return
    want = expected_type(kind, api_version)
    if api_version >= FIRST_TYPELESS_VERSION:
        allowed = set(_TYPES[kind].values()) | {_LATEST[kind]}
        if sent in allowed:
            return
    elif sent == want:
        return
    raise bad_request(
        "INVALID_TYPE",
        f"The type {sent!r} is not valid for a {kind} at API version {api_version}; "
        f"expected {want!r}.",
        f"Set type to {want!r} or use another X-API-Version.",
    )


def check_requested(header: str | None, minimum: int, current: int) -> int:
    """Parse X-API-Version; OneView refuses versions outside [minimum, current]."""
    if header is None or header == "":
        return minimum if minimum > 120 else 120
    try:
        version = int(header)
    except ValueError:
        raise bad_request(
            "INVALID_API_VERSION", f"X-API-Version {header!r} is not an integer."
        ) from None
    if version < minimum or version > current:
        raise ApplianceError(
            400,
            "UNSUPPORTED_VERSION",
            f"The API version {version} is not supported; supported versions are "
            f"{minimum} to {current}.",
            recommended_actions=[f"Send an X-API-Version between {minimum} and {current}."],
        )
    return version
