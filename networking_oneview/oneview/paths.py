"""REST collection paths of the OneView resources the driver reads or writes, in one place."""

from __future__ import annotations

NETWORKS = "/rest/ethernet-networks"
NETWORKS_BULK = f"{NETWORKS}/bulk"
NETWORKS_BULK_DELETE = f"{NETWORKS}/bulk-delete"
LIGS = "/rest/logical-interconnect-groups"
LIS = "/rest/logical-interconnects"
UPLINK_SETS = "/rest/uplink-sets"
HARDWARE = "/rest/server-hardware"
PROFILES = "/rest/server-profiles"


def id_of(uri: str) -> str:
    """The last path element of a resource URI (its id)."""
    return uri.rstrip("/").rsplit("/", 1)[-1]
