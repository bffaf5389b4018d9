"""Where profiles and profile templates carry their connections, per API version.

Connections are stored once, in ``connectionSettings.connections``, and shown and accepted where
the request's API version has them: top-level ``connections`` below 600,
``connectionSettings.connections`` from 600 on (the other form is refused with a 400).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oneview_simulator.errors import bad_request
from oneview_simulator.resources.common import api_version, render

CONNECTION_SETTINGS_VERSION = 600  # from here on connections live in connectionSettings


@dataclass(frozen=True)
class SentConnections:
    """The connections a request body carries."""

    field: str  # where they are, for messages
    items: list[Any]
    manage: bool  # connectionSettings.manageConnections (True below API 600)


def stored_connections(doc: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not doc:
        return []
    return list((doc.get("connectionSettings") or {}).get("connections", []))


def manages_connections(doc: dict[str, Any]) -> bool:
    return bool((doc.get("connectionSettings") or {}).get("manageConnections", True))


def show(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    """A stored profile or template as the request's API version shows it."""
    shown = render(doc, kind)
    settings = shown.pop("connectionSettings", None) or {}
    connections = settings.get("connections", [])
    shown.pop("connections", None)
    if api_version() < CONNECTION_SETTINGS_VERSION:
        shown["connections"] = connections
    else:
        shown["connectionSettings"] = {
            "manageConnections": settings.get("manageConnections", True),
            "connections": connections,
        }
    return shown


def sent_connections(body: dict[str, Any], version: int) -> SentConnections:
    """The connections of a request body, from where ``version`` has them."""
    top = body.get("connections")
    settings = body.get("connectionSettings")
    if version < CONNECTION_SETTINGS_VERSION:
        if settings is not None:
            raise bad_request(
                "INVALID_CONNECTIONS_LOCATION",
                f"connectionSettings is not accepted at API version {version}; below API "
                "version 600 the connections are the top-level 'connections' list.",
                "Send the connections in 'connections', or use X-API-Version 600 or later.",
            )
        field, raw, manage = "connections", top, True
    else:
        if top:
            raise bad_request(
                "INVALID_CONNECTIONS_LOCATION",
                f"A top-level 'connections' list is not accepted at API version {version}; from "
                "API version 600 the connections are 'connectionSettings.connections'.",
                "Move the connections to connectionSettings.connections.",
            )
        if settings is not None and not isinstance(settings, dict):
            raise bad_request(
                "INVALID_PARAMETER", f"connectionSettings must be an object; got {settings!r}."
            )
        settings = settings or {}
        field = "connectionSettings.connections"
        raw, manage = settings.get("connections"), settings.get("manageConnections", True)
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise bad_request("INVALID_PARAMETER", f"{field} must be a list; got {raw!r}.")
    return SentConnections(field, raw, bool(manage))
