"""Everything that depends on the REST API version, as pure functions, in one place.

OneView refuses a version outside its [minimumVersion, currentVersion]; up to API 1800 it also
refuses a write whose ``type`` is not exactly the one of that version, and server profiles moved
their connections from the top level into ``connectionSettings`` at API 600.  Keeping these
rules here means the rest of the driver never branches on versions.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from networking_oneview.oneview.errors import OneViewVersionError

# The versions this client is written and tested for: OneView 4.10 (800) to 11.30 (8600).
SUPPORTED_MIN = 800
SUPPORTED_MAX = 8600

# From this version on a write may omit ``type``; we omit it, so the appliance picks its own.
FIRST_TYPELESS_VERSION = 2000
# From this version on server-profile connections live in ``connectionSettings.connections``.
CONNECTION_SETTINGS_VERSION = 600
# From this version on ``POST /rest/ethernet-networks/bulk-delete`` exists.
BULK_NETWORK_DELETE_VERSION = 1600

# kind -> {first version of a band: type}; a band runs up to the next floor (or to 1800).
_TYPE_BANDS: dict[str, dict[int, str]] = {
    "ethernet-network": {600: "ethernet-networkV4"},
    "bulk-ethernet-network": {600: "bulk-ethernet-networkV1", 1200: "bulk-ethernet-networkV2"},
    "uplink-set": {
        600: "uplink-setV4",
        1000: "uplink-setV5",
        1200: "uplink-setV6",
        1600: "uplink-setV7",
    },
    "logical-interconnect-group": {
        800: "logical-interconnect-groupV5",
        1000: "logical-interconnect-groupV6",
        1200: "logical-interconnect-groupV7",
        1400: "logical-interconnect-groupV8",
    },
    "network-set": {600: "network-setV4", 1200: "network-setV5"},
    "server-profile": {
        800: "ServerProfileV9",
        1000: "ServerProfileV10",
        1200: "ServerProfileV11",
        1600: "ServerProfileV12",
    },
}

KINDS = frozenset(_TYPE_BANDS)


def negotiate(minimum: int, current: int, cap: int | None = None) -> int:
    """The highest version both the appliance and this client speak, at most ``cap``.

    ``minimum``/``current`` come from ``GET /rest/version``; ``cap`` is the operator's
    ``api_version_cap`` (to pin an older version while a newer one is being qualified).
    """
    high = min(current, SUPPORTED_MAX)
    if cap is not None:
        high = min(high, cap)
    low = max(minimum, SUPPORTED_MIN)
    if high < low:
        capped = f" capped at api_version_cap={cap}" if cap is not None else ""
        raise OneViewVersionError(
            f"No REST API version in common: the appliance supports {minimum}..{current}, "
            f"this client supports {SUPPORTED_MIN}..{SUPPORTED_MAX}{capped}. "
            f"Upgrade OneView or networking-oneview, or fix [oneview] api_version_cap.",
            path="/rest/version",
        )
    return high


def resource_type(kind: str, api_version: int) -> str | None:
    """The ``type`` a write of ``kind`` must carry at ``api_version``; None means omit it."""
    try:
        bands = _TYPE_BANDS[kind]
    except KeyError:
        raise ValueError(
            f"unknown OneView resource kind {kind!r}; known: {sorted(KINDS)}"
        ) from None
    if api_version >= FIRST_TYPELESS_VERSION:
        return None
    floors = [floor for floor in sorted(bands) if floor <= api_version]
    if not floors:
        raise ValueError(
            f"no {kind} type known for API version {api_version} "
            f"(this client supports {SUPPORTED_MIN}..{SUPPORTED_MAX})"
        )
    return bands[floors[-1]]


def profile_connections(profile: Mapping[str, Any], api_version: int) -> list[dict[str, Any]]:
    """A copy of the server profile's connection list, wherever this version keeps it."""
    if api_version >= CONNECTION_SETTINGS_VERSION:
        container = profile.get("connectionSettings") or {}
    else:
        container = profile
    return copy.deepcopy(list(container.get("connections") or []))


def with_profile_connections(
    profile: Mapping[str, Any], connections: list[dict[str, Any]], api_version: int
) -> dict[str, Any]:
    """A copy of ``profile`` whose connection list is ``connections`` (input left untouched)."""
    result = copy.deepcopy(dict(profile))
    connections = copy.deepcopy(list(connections))
    if api_version >= CONNECTION_SETTINGS_VERSION:
        settings = result.get("connectionSettings") or {}
        settings["connections"] = connections
        result["connectionSettings"] = settings
    else:
        result["connections"] = connections
    return result
