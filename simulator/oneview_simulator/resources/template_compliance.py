"""A profile's consistency with its template, and what an update from the template sends.

Template connections are matched to profile connections by ``portId`` (a template connection
with portId ``Auto`` by connection ``id``).  A profile is NonCompliant when its template manages
connections and a template connection has no match, a profile connection matches none, or a
matched pair differs in networkUri, boot priority, functionType or requestedMbps.  Without a
template the compliance is Unknown.
"""

from __future__ import annotations

from typing import Any

from oneview_simulator.resources.profile_layout import manages_connections, stored_connections

COMPARED = ("networkUri", "functionType", "requestedMbps")
FROM_TEMPLATE = ("name", "functionType", "networkUri", "requestedMbps", "boot")


def match(
    profile: list[dict[str, Any]], template: list[dict[str, Any]]
) -> tuple[list[tuple[dict, dict | None]], list[dict]]:
    """Pairs (template connection, profile connection or None) and the unmatched profile ones."""
    unmatched = list(profile)
    pairs: list[tuple[dict, dict | None]] = []
    for wanted in template:
        key = "id" if wanted.get("portId") in (None, "Auto") else "portId"
        found = next((c for c in unmatched if c.get(key) == wanted.get(key)), None)
        if found is not None:
            unmatched.remove(found)
        pairs.append((wanted, found))
    return pairs, unmatched


def differences(profile: list[dict[str, Any]], template: list[dict[str, Any]]) -> list[str]:
    """How the profile's connections differ from the template's (empty when they do not)."""
    pairs, extra = match(profile, template)
    found = []
    for wanted, have in pairs:
        label = f"template connection {wanted.get('id')} ({wanted.get('portId')})"
        if have is None:
            found.append(f"{label} is missing")
            continue
        for key in COMPARED:
            if str(have.get(key)) != str(wanted.get(key)):
                found.append(f"{label} has another {key}")
        if _priority(have) != _priority(wanted):
            found.append(f"{label} has another boot priority")
    found += [f"connection {c['id']} ({c.get('portId')}) is not in the template" for c in extra]
    return found


def compliance(profile: dict[str, Any], template: dict[str, Any] | None) -> str:
    if template is None:
        return "Unknown"
    if not manages_connections(template):
        return "Compliant"
    mismatches = differences(stored_connections(profile), stored_connections(template))
    return "NonCompliant" if mismatches else "Compliant"


def connections_from_template(
    profile: list[dict[str, Any]], template: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The connections an update from the template sends: a matched connection keeps its id,
    port and MAC and takes the template's settings; missing ones are added; extra ones go."""
    pairs, _extra = match(profile, template)
    old_ids = {c["id"] for c in profile}
    items = []
    for wanted, have in pairs:
        settings = {key: wanted.get(key) for key in FROM_TEMPLATE}
        if have is not None:
            items.append({**have, **settings})
            continue
        fresh_id = wanted.get("id") if wanted.get("id") not in old_ids else 0
        items.append({**settings, "id": fresh_id, "portId": wanted.get("portId") or "Auto"})
    return items


def _priority(connection: dict[str, Any]) -> str:
    return (connection.get("boot") or {}).get("priority") or "NotBootable"
