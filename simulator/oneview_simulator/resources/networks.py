"""Ethernet networks (with bulk create/delete and associations), network sets, connection
templates.

Appliance rules enforced here: names are unique among ethernet networks; a Tagged network needs a
VLAN id in 1..4094.  Deleting a network that is in use is allowed, as on a real appliance: it is
removed from every uplink set, LIG uplink-set template and network set, and each server-profile
connection that used it goes offline (``state: Offline``, ``status: Critical``), keeping its
now-dangling ``networkUri``.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, jsonify

from oneview_simulator.errors import bad_request, not_found
from oneview_simulator.resources.common import (
    accepted,
    add_read_routes,
    api_version,
    appliance,
    check_etag,
    json_body,
    require,
    shown_as,
)
from oneview_simulator.versions import check_type

blueprint = Blueprint("networks", __name__)

NETWORKS = "/rest/ethernet-networks"
NETWORK_SETS = "/rest/network-sets"
TEMPLATES = "/rest/connection-templates"
UPLINK_SETS = "/rest/uplink-sets"
LIGS = "/rest/logical-interconnect-groups"
PROFILES = "/rest/server-profiles"
NETWORK_TYPES = ("Tagged", "Untagged", "Tunnel")
PURPOSES = ("General", "Management", "VMMigration", "FaultTolerance", "ISCSI")


# -- ethernet networks ---------------------------------------------------------------------------
def _validate_network(body: dict[str, Any], own_uri: str | None = None) -> dict[str, Any]:
    name = require(body, "name", str).strip()
    if not name or len(name) > 255:
        raise bad_request("INVALID_NAME", f"The network name {name!r} must be 1-255 characters.")
    kind = body.get("ethernetNetworkType", "Tagged")
    if kind not in NETWORK_TYPES:
        raise bad_request(
            "INVALID_ETHERNET_NETWORK_TYPE",
            f"ethernetNetworkType {kind!r} is not one of {', '.join(NETWORK_TYPES)}.",
        )
    vlan = body.get("vlanId")
    if kind == "Tagged":
        if isinstance(vlan, bool) or not isinstance(vlan, int) or not 1 <= vlan <= 4094:
            raise bad_request(
                "INVALID_VLAN_ID",
                f"A Tagged network needs a vlanId from 1 to 4094; got {vlan!r}.",
                "Set vlanId to an integer between 1 and 4094.",
            )
    else:
        vlan = 0
    purpose = body.get("purpose", "General")
    if purpose not in PURPOSES:
        raise bad_request("INVALID_PURPOSE", f"purpose {purpose!r} is not one of {PURPOSES}.")
    _check_unique_name(name, own_uri)
    return {
        "name": name,
        "ethernetNetworkType": kind,
        "vlanId": vlan,
        "purpose": purpose,
        "smartLink": bool(body.get("smartLink", True)),
        "privateNetwork": bool(body.get("privateNetwork", False)),
        "description": body.get("description"),
        "scopesUri": body.get("scopesUri"),
    }


def _check_unique_name(name: str, own_uri: str | None) -> None:
    for network in appliance().store.members(NETWORKS):
        if network["name"] == name and network["uri"] != own_uri:
            raise bad_request(
                "CRM_DUPLICATE_NETWORK_NAME",
                f"A network named {name!r} already exists ({network['uri']}).",
                "Use a different name for the network.",
            )


def _new_network(fields: dict[str, Any], bandwidth: dict[str, int] | None = None) -> str:
    """Store a network and its connection template; return the network URI."""
    store = appliance().store
    network_id = str(uuid.uuid4())
    template_id = str(uuid.uuid4())
    store.insert(
        TEMPLATES,
        {
            "type": "connection-template",
            "category": "connection-templates",
            "name": fields["name"],
            "bandwidth": bandwidth or {"typicalBandwidth": 2500, "maximumBandwidth": 50000},
            "state": "Active",
            "status": "OK",
        },
        template_id,
    )
    store.insert(
        NETWORKS,
        {
            **fields,
            "type": "ethernet-networkV4",
            "category": "ethernet-networks",
            "state": "Active",
            "status": "OK",
            "connectionTemplateUri": f"{TEMPLATES}/{template_id}",
            "fabricUri": "/rest/fabrics/a3b3f3e3-6f3b-4e3b-8e3b-3f3b6e3b8e3b",
        },
        network_id,
    )
    return f"{NETWORKS}/{network_id}"


add_read_routes(
    blueprint, NETWORKS, "ethernet-networks", "NetworkCollectionV4", shown_as("ethernet-network")
)


@blueprint.post(NETWORKS)
def create_network():
    body = json_body()
    check_type("ethernet-network", body, api_version())
    fields = _validate_network(body)

    def create() -> str:
        _check_unique_name(fields["name"], None)  # a concurrent create may have won meanwhile
        return _new_network(fields)

    return accepted(appliance().run_task("Create", {"name": fields["name"]}, create))


@blueprint.put(f"{NETWORKS}/<network_id>")
def update_network(network_id: str):
    uri = f"{NETWORKS}/{network_id}"
    sim = appliance()
    body = json_body()
    check_type("ethernet-network", body, api_version())
    with sim.store.lock:
        current = sim.store.get(uri)
        check_etag(current, body)
        fields = _validate_network({**current, **body}, own_uri=uri)

    def update() -> str:
        latest = sim.store.get(uri)
        sim.store.replace(uri, {**latest, **fields})
        return uri

    return accepted(sim.run_task("Update", current, update))


@blueprint.delete(f"{NETWORKS}/<network_id>")
def delete_network(network_id: str):
    uri = f"{NETWORKS}/{network_id}"
    sim = appliance()
    current = sim.store.get(uri)
    check_etag(current, None)

    def delete() -> None:
        _remove_network(uri)
        return None

    return accepted(sim.run_task("Delete", current, delete))


def _remove_network(uri: str) -> None:
    """Delete a network and let everything that referenced it lose it (module docstring)."""
    store = appliance().store
    with store.lock:
        network = store.get(uri)
        for collection in (UPLINK_SETS, NETWORK_SETS):
            for holder in store.members(collection):
                if uri in holder.get("networkUris", []):
                    holder["networkUris"] = [u for u in holder["networkUris"] if u != uri]
                    if holder.get("nativeNetworkUri") == uri:
                        holder["nativeNetworkUri"] = None
                    store.replace(holder["uri"], holder)
        for lig in store.members(LIGS):
            changed = False
            for template in lig.get("uplinkSets", []):
                if uri in template.get("networkUris", []):
                    template["networkUris"] = [u for u in template["networkUris"] if u != uri]
                    changed = True
            if changed:
                store.replace(lig["uri"], lig)
        for profile in store.members(PROFILES):
            changed = False
            for connection in _profile_connections(profile):
                if connection.get("networkUri") == uri:
                    connection.update(state="Offline", status="Critical")
                    changed = True
            if changed:
                store.replace(profile["uri"], profile)
        store.delete(uri)
        template_uri = network.get("connectionTemplateUri")
        if template_uri and store.find(template_uri):
            store.delete(template_uri)


def _profile_connections(profile: dict[str, Any]) -> list[dict[str, Any]]:
    settings = profile.get("connectionSettings") or {}
    return list(settings.get("connections", [])) + list(profile.get("connections", []))


@blueprint.post(f"{NETWORKS}/bulk")
def bulk_create():
    body = json_body()
    check_type("bulk-ethernet-network", body, api_version())
    prefix = require(body, "namePrefix", str)
    vlans = _parse_vlan_range(require(body, "vlanIdRange", str))
    suffix = body.get("nameSuffix") or ""
    drafts = [
        _validate_network(
            {
                "name": f"{prefix}_{vlan}{suffix}",
                "vlanId": vlan,
                "ethernetNetworkType": "Tagged",
                "purpose": body.get("purpose", "General"),
                "smartLink": body.get("smartLink", True),
                "privateNetwork": body.get("privateNetwork", False),
            }
        )
        for vlan in vlans
    ]

    def create() -> None:
        for fields in drafts:
            _check_unique_name(fields["name"], None)
        for fields in drafts:
            _new_network(fields, body.get("bandwidth"))
        return None

    return accepted(appliance().run_task("Create", {"name": prefix}, create))


def _parse_vlan_range(text: str) -> list[int]:
    vlans: list[int] = []
    try:
        for part in text.split(","):
            low, _, high = part.strip().partition("-")
            vlans.extend(range(int(low), int(high or low) + 1))
    except ValueError:
        raise bad_request(
            "INVALID_VLAN_ID_RANGE",
            f"vlanIdRange {text!r} is not a list of VLAN ids and ranges such as '10-20,25'.",
        ) from None
    if not vlans or any(not 1 <= v <= 4094 for v in vlans):
        raise bad_request("INVALID_VLAN_ID_RANGE", f"vlanIdRange {text!r} is outside 1-4094.")
    return vlans


@blueprint.post(f"{NETWORKS}/bulk-delete")
def bulk_delete():
    if api_version() < 1600:
        raise not_found(f"{NETWORKS}/bulk-delete (needs X-API-Version 1600 or later)")
    body = json_body()
    uris = require(body, "networkUris", list)
    sim = appliance()
    for uri in uris:
        sim.store.get(uri)  # 404 for an unknown network, before anything changes

    def delete() -> None:
        for uri in uris:
            _remove_network(uri)
        return None

    return accepted(sim.run_task("Delete", None, delete))


@blueprint.get(f"{NETWORKS}/<network_id>/associatedUplinkGroups")
def associated_uplink_groups(network_id: str):
    uri = f"{NETWORKS}/{network_id}"
    store = appliance().store
    store.get(uri)
    return jsonify(
        [u["uri"] for u in store.members(UPLINK_SETS) if uri in u.get("networkUris", [])]
    )


@blueprint.get(f"{NETWORKS}/<network_id>/associatedProfiles")
def associated_profiles(network_id: str):
    uri = f"{NETWORKS}/{network_id}"
    store = appliance().store
    store.get(uri)
    return jsonify(
        [
            p["uri"]
            for p in store.members(PROFILES)
            if any(c.get("networkUri") == uri for c in _profile_connections(p))
        ]
    )


# -- network sets --------------------------------------------------------------------------------
def _validate_network_set(body: dict[str, Any]) -> dict[str, Any]:
    name = require(body, "name", str)
    uris = body.get("networkUris", [])
    if not isinstance(uris, list):
        raise bad_request("INVALID_PARAMETER", "networkUris must be a list of network URIs.")
    store = appliance().store
    for uri in uris:
        store.get(uri)
    native = body.get("nativeNetworkUri")
    if native and native not in uris:
        raise bad_request(
            "INVALID_NATIVE_NETWORK", f"nativeNetworkUri {native!r} must be one of networkUris."
        )
    return {"name": name, "networkUris": list(uris), "nativeNetworkUri": native}


add_read_routes(
    blueprint, NETWORK_SETS, "network-sets", "NetworkSetCollectionV5", shown_as("network-set")
)


@blueprint.post(NETWORK_SETS)
def create_network_set():
    body = json_body()
    check_type("network-set", body, api_version())
    fields = _validate_network_set(body)
    sim = appliance()

    def create() -> str:
        doc = {**fields, "category": "network-sets", "state": "Active", "status": "OK"}
        return sim.store.insert(NETWORK_SETS, doc)["uri"]

    return accepted(sim.run_task("Create", {"name": fields["name"]}, create))


@blueprint.put(f"{NETWORK_SETS}/<set_id>")
def update_network_set(set_id: str):
    uri = f"{NETWORK_SETS}/{set_id}"
    sim = appliance()
    body = json_body()
    check_type("network-set", body, api_version())
    current = sim.store.get(uri)
    check_etag(current, body)
    fields = _validate_network_set({**current, **body})

    def update() -> str:
        sim.store.replace(uri, {**sim.store.get(uri), **fields})
        return uri

    return accepted(sim.run_task("Update", current, update))


@blueprint.delete(f"{NETWORK_SETS}/<set_id>")
def delete_network_set(set_id: str):
    uri = f"{NETWORK_SETS}/{set_id}"
    sim = appliance()
    current = sim.store.get(uri)
    return accepted(sim.run_task("Delete", current, lambda: sim.store.delete(uri)))


# -- connection templates ------------------------------------------------------------------------
add_read_routes(
    blueprint,
    TEMPLATES,
    "connection-templates",
    "ConnectionTemplateCollectionV2",
    shown_as(None),
)


@blueprint.put(f"{TEMPLATES}/<template_id>")
def update_template(template_id: str):
    uri = f"{TEMPLATES}/{template_id}"
    sim = appliance()
    body = json_body()
    current = sim.store.get(uri)
    check_etag(current, body)
    bandwidth = body.get("bandwidth", current["bandwidth"])
    if not isinstance(bandwidth, dict):
        raise bad_request("INVALID_PARAMETER", "bandwidth must be an object.")
    # A synchronous write on the appliance: 200 with the updated template.
    return jsonify(sim.store.replace(uri, {**current, "bandwidth": bandwidth}))
