"""Read Neutron (openstacksdk) and OneView (the simulator's store) into the checker's plain data."""

from __future__ import annotations

from typing import Any

from tests.chaos.invariants import Mapping, NeutronNetwork, NeutronPort, NeutronState, OneViewState
from tools.neutron_api import PROJECT_ID

PHYSNET, TAGGED = "physnet1", "US-Tagged"


def neutron_state(conn: Any) -> NeutronState:
    networks = [
        NeutronNetwork(
            n.id, n.provider_network_type, n.provider_physical_network, n.provider_segmentation_id
        )
        for n in conn.network.networks(project_id=PROJECT_ID)
    ]
    ports = [
        NeutronPort(
            p.id,
            p.network_id,
            p.mac_address,
            p.binding_host_id or "",
            p.binding_vnic_type or "",
            p.status,
            _bootable(p.binding_profile or {}),
        )
        for p in conn.network.ports(project_id=PROJECT_ID)
    ]
    return NeutronState(networks, ports)


def _bootable(profile: dict[str, Any]) -> bool | None:
    links = profile.get("local_link_information") or [{}]
    value = (links[0].get("switch_info") or {}).get("bootable")
    return None if value is None else str(value).lower() == "true"


def nic_name(device: dict[str, Any], physical: dict[str, Any], virtual: dict[str, Any]) -> str:
    """``Mezz 3:1-a``: OneView's portId of a virtual port."""
    return (
        f"{device['location']} {device['slotNumber']}:{physical['portNumber']}-"
        f"{virtual['portFunction']}"
    )


def oneview_state(store: Any) -> OneViewState:
    state = OneViewState(networks=store.members("/rest/ethernet-networks"))
    for lig in store.members("/rest/logical-interconnect-groups"):
        for template in lig["uplinkSets"]:
            state.carriers[f"LIG {lig['name']}/{template['name']}"] = list(
                template.get("networkUris") or []
            )
    for uplink_set in store.members("/rest/uplink-sets"):
        state.carriers[uplink_set["uri"]] = list(uplink_set.get("networkUris") or [])
    for hardware in store.members("/rest/server-hardware"):
        name = hardware["name"]
        state.power[name] = hardware.get("powerState")
        profile = (
            store.get(hardware["serverProfileUri"]) if hardware.get("serverProfileUri") else None
        )
        if profile:
            settings = profile.get("connectionSettings") or {}
            state.connections[name] = list(settings.get("connections") or [])
        for device in (hardware.get("portMap") or {}).get("deviceSlots") or []:
            for physical in device.get("physicalPorts") or []:
                for virtual in physical.get("virtualPorts") or []:
                    location = (name, nic_name(device, physical, virtual))
                    state.nic_of_mac[virtual["mac"].lower()] = location
    return state


def mapping(store: Any, cloud: str) -> Mapping:
    """physnet1 onto US-Tagged of the first LIG (``OneViewTarget.from_simulator``) and its LIs."""
    lig = store.members("/rest/logical-interconnect-groups")[0]
    carriers = [f"LIG {lig['name']}/{TAGGED}"]
    carriers += [u["uri"] for u in store.members("/rest/uplink-sets") if u["name"] == TAGGED]
    return Mapping(cloud, PHYSNET, tuple(carriers))
