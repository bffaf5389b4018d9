"""Uplink sets, logical interconnect groups (LIGs) and logical interconnects (LIs).

Appliance rules enforced on every uplink set and every LIG uplink-set template: an Untagged
uplink set carries at most one network, and it must be Untagged; a Tagged uplink set carries only
Tagged networks and each VLAN id at most once; every network must exist.  An LI is consistent
when each of its uplink sets carries the networks of the same-named template in its LIG;
``PUT .../compliance`` makes it so.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from oneview_simulator.errors import bad_request
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

blueprint = Blueprint("uplinks", __name__)

UPLINK_SETS = "/rest/uplink-sets"
LIGS = "/rest/logical-interconnect-groups"
LIS = "/rest/logical-interconnects"


def check_uplink_networks(owner: str, network_type: str, uris: Any) -> None:
    """Raise OneView's 400 when ``uris`` break the uplink-set rules (module docstring)."""
    if not isinstance(uris, list):
        raise bad_request("INVALID_PARAMETER", f"{owner}: networkUris must be a list.")
    store = appliance().store
    networks = [store.get(uri) for uri in uris]
    if network_type == "Untagged":
        if len(networks) > 1:
            raise bad_request(
                "UNTAGGED_UPLINK_SET_SINGLE_NETWORK",
                f"{owner} is an Untagged uplink set and can carry only one network; "
                f"got {len(networks)}.",
                "Remove the other networks or use a Tagged uplink set.",
            )
        for network in networks:
            if network["ethernetNetworkType"] != "Untagged":
                raise bad_request(
                    "INVALID_NETWORK_TYPE_FOR_UPLINK_SET",
                    f"{owner} is Untagged but {network['name']!r} is "
                    f"{network['ethernetNetworkType']}.",
                )
        return
    seen: dict[int, str] = {}
    for network in networks:
        if network["ethernetNetworkType"] != "Tagged":
            raise bad_request(
                "INVALID_NETWORK_TYPE_FOR_UPLINK_SET",
                f"{owner} is Tagged but {network['name']!r} is {network['ethernetNetworkType']}.",
            )
        vlan = network["vlanId"]
        if vlan in seen:
            raise bad_request(
                "DUPLICATE_VLAN_IN_UPLINK_SET",
                f"{owner} already carries VLAN {vlan} ({seen[vlan]!r}); "
                f"{network['name']!r} cannot be added.",
                "Each VLAN id may appear once per uplink set.",
            )
        seen[vlan] = network["name"]


# -- uplink sets ---------------------------------------------------------------------------------
def _validate_uplink_set(body: dict[str, Any]) -> dict[str, Any]:
    name = require(body, "name", str)
    li_uri = require(body, "logicalInterconnectUri", str)
    appliance().store.get(li_uri)
    network_type = body.get("ethernetNetworkType", "Tagged")
    if network_type not in ("Tagged", "Untagged", "Tunnel", "ImageStreamer"):
        raise bad_request(
            "INVALID_ETHERNET_NETWORK_TYPE", f"ethernetNetworkType {network_type!r} is not valid."
        )
    uris = body.get("networkUris", [])
    check_uplink_networks(f"Uplink set {name!r}", network_type, uris)
    native = body.get("nativeNetworkUri")
    if native and native not in uris:
        raise bad_request(
            "INVALID_NATIVE_NETWORK", f"nativeNetworkUri {native!r} must be one of networkUris."
        )
    return {
        **body,
        "name": name,
        "logicalInterconnectUri": li_uri,
        "ethernetNetworkType": network_type,
        "networkType": body.get("networkType", "Ethernet"),
        "networkUris": list(uris),
        "nativeNetworkUri": native,
        "portConfigInfos": body.get("portConfigInfos", []),
        "connectionMode": body.get("connectionMode", "Auto"),
        "fcNetworkUris": body.get("fcNetworkUris", []),
        "fcoeNetworkUris": body.get("fcoeNetworkUris", []),
        "category": "uplink-sets",
        "status": "OK",
        "state": "Normal",
        "reachability": "Reachable",
    }


add_read_routes(
    blueprint, UPLINK_SETS, "uplink-sets", "UplinkSetCollectionV7", shown_as("uplink-set")
)


@blueprint.post(UPLINK_SETS)
def create_uplink_set():
    body = json_body()
    check_type("uplink-set", body, api_version())
    fields = _validate_uplink_set(body)
    fields.pop("uri", None)
    sim = appliance()
    for existing in sim.store.members(UPLINK_SETS):
        same_li = existing["logicalInterconnectUri"] == fields["logicalInterconnectUri"]
        if same_li and existing["name"] == fields["name"]:
            raise bad_request(
                "DUPLICATE_UPLINK_SET_NAME",
                f"The logical interconnect already has an uplink set named {fields['name']!r}.",
            )
    return accepted(
        sim.run_task("Create", fields, lambda: sim.store.insert(UPLINK_SETS, fields)["uri"])
    )


@blueprint.put(f"{UPLINK_SETS}/<uplink_id>")
def update_uplink_set(uplink_id: str):
    uri = f"{UPLINK_SETS}/{uplink_id}"
    sim = appliance()
    body = json_body()
    check_type("uplink-set", body, api_version())
    with sim.store.lock:
        current = sim.store.get(uri)
        check_etag(current, body)
        if (
            body.get("logicalInterconnectUri", current["logicalInterconnectUri"])
            != current["logicalInterconnectUri"]
        ):
            raise bad_request(
                "INVALID_PARAMETER", "An uplink set cannot move to another logical interconnect."
            )
        fields = _validate_uplink_set({**current, **body})

    def update() -> str:
        # Re-check against the state the task finds: another change may have landed meanwhile.
        check_uplink_networks(
            f"Uplink set {fields['name']!r}", fields["ethernetNetworkType"], fields["networkUris"]
        )
        sim.store.replace(uri, fields)
        return uri

    return accepted(sim.run_task("Update", current, update))


@blueprint.delete(f"{UPLINK_SETS}/<uplink_id>")
def delete_uplink_set(uplink_id: str):
    uri = f"{UPLINK_SETS}/{uplink_id}"
    sim = appliance()
    current = sim.store.get(uri)
    return accepted(sim.run_task("Delete", current, lambda: sim.store.delete(uri)))


# -- logical interconnect groups ---------------------------------------------------------------
def _validate_lig(body: dict[str, Any]) -> dict[str, Any]:
    name = require(body, "name", str)
    templates = body.get("uplinkSets", [])
    if not isinstance(templates, list):
        raise bad_request("INVALID_PARAMETER", "uplinkSets must be a list.")
    names = set()
    for template in templates:
        template_name = require(template, "name", str)
        if template_name in names:
            raise bad_request(
                "DUPLICATE_UPLINK_SET_NAME", f"LIG {name!r} has two uplink sets {template_name!r}."
            )
        names.add(template_name)
        check_uplink_networks(
            f"Uplink set {template_name!r} of LIG {name!r}",
            template.get("ethernetNetworkType", "Tagged"),
            template.get("networkUris", []),
        )
    return {
        **body,
        "name": name,
        "uplinkSets": templates,
        "category": "logical-interconnect-groups",
    }


add_read_routes(
    blueprint,
    LIGS,
    "logical-interconnect-groups",
    "logical-interconnect-groupCollectionV8",
    shown_as("logical-interconnect-group"),
)


@blueprint.put(f"{LIGS}/<lig_id>")
def update_lig(lig_id: str):
    uri = f"{LIGS}/{lig_id}"
    sim = appliance()
    body = json_body()
    check_type("logical-interconnect-group", body, api_version())
    with sim.store.lock:
        current = sim.store.get(uri)
        check_etag(current, body)
        fields = _validate_lig({**current, **body})

    def update() -> str:
        _validate_lig(fields)
        sim.store.replace(uri, fields)
        return uri

    return accepted(sim.run_task("Update", current, update))


# -- logical interconnects -----------------------------------------------------------------------
def _with_consistency(li: dict[str, Any]) -> dict[str, Any]:
    """An LI as GET shows it: consistencyStatus derived from its LIG and its uplink sets."""
    store = appliance().store
    lig = store.find(li.get("logicalInterconnectGroupUri"))
    actual = {
        u["name"]: sorted(u["networkUris"])
        for u in store.members(UPLINK_SETS)
        if u["logicalInterconnectUri"] == li["uri"]
    }
    consistent = lig is not None and all(
        actual.get(t["name"]) == sorted(t.get("networkUris", [])) for t in lig["uplinkSets"]
    )
    li["consistencyStatus"] = "CONSISTENT" if consistent else "NOT_CONSISTENT"
    return li


add_read_routes(
    blueprint, LIS, "logical-interconnects", "LogicalInterconnectCollectionV8", _with_consistency
)


@blueprint.put(f"{LIS}/<li_id>/compliance")
def update_compliance(li_id: str):
    uri = f"{LIS}/{li_id}"
    sim = appliance()
    li = sim.store.get(uri)
    lig = sim.store.get(li["logicalInterconnectGroupUri"])

    def comply() -> str:
        with sim.store.lock:
            by_name = {
                u["name"]: u
                for u in sim.store.members(UPLINK_SETS)
                if u["logicalInterconnectUri"] == uri
            }
            for template in sim.store.get(lig["uri"])["uplinkSets"]:
                uplink = by_name.get(template["name"])
                if uplink is None:
                    continue
                uplink["networkUris"] = list(template.get("networkUris", []))
                sim.store.replace(uplink["uri"], uplink)
        return uri

    return accepted(sim.run_task("Update", li, comply))
