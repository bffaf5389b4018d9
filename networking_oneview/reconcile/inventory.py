"""Which server and which NIC a bare-metal port means: an index of OneView's servers (pure).

A MAC is looked up in two places, because Ironic enrols the MAC the NIC really presents: with
OneView's default Virtual MACs that is the MAC the profile connection got from OneView's pool;
with Physical MACs it is the hardware's, from its port map.  ``HardwareIndex`` is built from
server-hardware and server-profile documents; ``reconcile.cache.Inventory`` keeps one per process.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from networking_oneview.port_profile import Link


class ServerNotFound(LookupError):
    """The port's links name no server (or NIC) that OneView knows; the message says why."""


@dataclass(frozen=True)
class Nic:
    hardware_uri: str
    oneview_port: str  # "Mezz 3:1-a"


@dataclass(frozen=True)
class Server:
    uri: str
    name: str
    enclosure_uri: str | None  # blades sit in an enclosure; rack servers have no locationUri
    nics: Mapping[str, str]  # MAC (lower case) -> oneview_port, physical and virtual

    @property
    def has_virtual_connect(self) -> bool:
        return bool(self.enclosure_uri)

    @property
    def hardware_id(self) -> str:
        return self.uri.rsplit("/", 1)[-1]


def profile_connections(profile: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A profile's connections wherever its API version keeps them."""
    settings = profile.get("connectionSettings") or {}
    return list(settings.get("connections") or profile.get("connections") or [])


def _port_map_nics(hardware: Mapping[str, Any]) -> dict[str, str]:
    nics: dict[str, str] = {}
    for slot in (hardware.get("portMap") or {}).get("deviceSlots") or []:
        for physical in slot.get("physicalPorts") or []:
            prefix = f"{slot.get('location')} {slot.get('slotNumber')}:{physical.get('portNumber')}"
            for virtual in physical.get("virtualPorts") or []:
                if virtual.get("mac"):
                    nics.setdefault(virtual["mac"].lower(), f"{prefix}-{virtual['portFunction']}")
            if physical.get("mac"):
                nics.setdefault(physical["mac"].lower(), f"{prefix}-a")
    return nics


def _profile_nics(profile: Mapping[str, Any] | None) -> dict[str, str]:
    """MACs OneView assigned to the profile's connections (Virtual / UserDefined MACs)."""
    nics: dict[str, str] = {}
    for connection in profile_connections(profile or {}):
        mac, port = connection.get("mac"), connection.get("portId")
        if isinstance(mac, str) and isinstance(port, str) and port != "Auto":
            nics[mac.lower()] = port
    return nics


@dataclass(frozen=True)
class HardwareIndex:
    servers: Mapping[str, Server]  # by hardware id and by uuid
    by_mac: Mapping[str, Server]

    @classmethod
    def build(
        cls,
        hardware_docs: Iterable[Mapping[str, Any]],
        profile_docs: Iterable[Mapping[str, Any]] = (),
    ) -> HardwareIndex:
        profiles = {p.get("serverHardwareUri"): p for p in profile_docs}
        servers: dict[str, Server] = {}
        by_mac: dict[str, Server] = {}
        for doc in hardware_docs:
            nics = {**_port_map_nics(doc), **_profile_nics(profiles.get(doc["uri"]))}
            server = Server(doc["uri"], doc.get("name", ""), doc.get("locationUri"), nics)
            servers[server.hardware_id] = server
            if doc.get("uuid"):
                servers[doc["uuid"]] = server
            for mac in nics:
                by_mac[mac] = server
        return cls(servers, by_mac)

    def locate(self, link: Link, mac: str) -> Nic:
        """The server NIC a link designates; raise ServerNotFound with the reason."""
        if link.server_hardware_id is not None:
            server = self.servers.get(link.server_hardware_id)
            if server is None:
                raise ServerNotFound(
                    f"switch_info.server_hardware_id {link.server_hardware_id} is not a server "
                    "hardware known to OneView"
                )
        else:
            server = self.by_mac.get(mac)
            if server is None:
                raise ServerNotFound(
                    f"no OneView server hardware has a NIC with MAC {mac} (neither in its port "
                    "map nor as a profile connection's MAC); set "
                    "switch_info.server_hardware_id or fix the port's MAC"
                )
        if not server.has_virtual_connect:
            raise ServerNotFound(
                f"server hardware {server.name!r} ({server.uri}) is a rack server without "
                "Virtual Connect; OneView cannot manage its network connections"
            )
        if link.oneview_port is not None:
            if link.oneview_port not in server.nics.values():
                raise ServerNotFound(
                    f"server hardware {server.name!r} has no NIC {link.oneview_port!r}; it has "
                    f"{sorted(set(server.nics.values()))}"
                )
            return Nic(server.uri, link.oneview_port)
        port = server.nics.get(mac)
        if port is None:
            raise ServerNotFound(
                f"server hardware {server.name!r} ({server.uri}) has no NIC with MAC {mac}"
            )
        return Nic(server.uri, port)

    def server(self, hardware_uri: str) -> Server | None:
        return self.servers.get(hardware_uri.rsplit("/", 1)[-1])
