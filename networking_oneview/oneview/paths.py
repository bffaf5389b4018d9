"""REST paths of the OneView resources the client and the driver read or write, in one place."""

from __future__ import annotations

import urllib.parse

VERSION = "/rest/version"
LOGIN_SESSIONS = "/rest/login-sessions"
TASKS = "/rest/tasks"
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


def path_of(uri: str) -> str:
    """``/rest/...?query`` from a path or an absolute URL the appliance handed us.

    The appliance may name resources by absolute URL (a ``Location`` header, ``nextPageUri``);
    the client always sends to its own manager_url, so only the path and query are kept.
    """
    parts = urllib.parse.urlsplit(uri)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path
