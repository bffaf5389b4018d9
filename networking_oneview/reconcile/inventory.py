"""Which server and which NIC a bare-metal port means: an index of OneView's server hardware.

``HardwareIndex`` is pure (built from server-hardware documents); ``Inventory`` keeps one per
process, refreshed when it is older than ``max_age`` or when a look-up misses (at most once per
``min_refresh`` seconds, so a flood of unknown MACs cannot hammer the appliance).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from networking_oneview.port_profile import Link

HARDWARE = "/rest/server-hardware"


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
    has_virtual_connect: bool  # blades in an enclosure; rack servers have no locationUri
    nics: Mapping[str, str]  # MAC (lower case) -> oneview_port

    @property
    def hardware_id(self) -> str:
        return self.uri.rsplit("/", 1)[-1]


def _nics(hardware: Mapping[str, Any]) -> dict[str, str]:
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


@dataclass(frozen=True)
class HardwareIndex:
    servers: Mapping[str, Server]  # by hardware id and by uuid
    by_mac: Mapping[str, Server]

    @classmethod
    def build(cls, documents: Iterable[Mapping[str, Any]]) -> HardwareIndex:
        servers: dict[str, Server] = {}
        by_mac: dict[str, Server] = {}
        for doc in documents:
            server = Server(
                doc["uri"], doc.get("name", ""), bool(doc.get("locationUri")), _nics(doc)
            )
            servers[server.hardware_id] = server
            if doc.get("uuid"):
                servers[doc["uuid"]] = server
            for mac in server.nics:
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
                    f"no OneView server hardware has a NIC with MAC {mac}; set "
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


class Inventory:
    """A per-process, thread-safe cache of the server-hardware index."""

    def __init__(
        self,
        fetch: Callable[[], list[dict[str, Any]]],
        max_age: float = 600.0,
        min_refresh: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._max_age = max_age
        self._min_refresh = min_refresh
        self._clock = clock
        self._lock = threading.Lock()
        self._index: HardwareIndex | None = None
        self._fetched_at = float("-inf")

    def index(self, *, refresh: bool = False) -> HardwareIndex:
        with self._lock:
            age = self._clock() - self._fetched_at
            stale = self._index is None or age > self._max_age
            if stale or (refresh and age > self._min_refresh):
                self._index = HardwareIndex.build(self._fetch())
                self._fetched_at = self._clock()
            assert self._index is not None
            return self._index

    def locate(self, link: Link, mac: str) -> Nic:
        """Look up in the cached index; on a miss refresh once and look again."""
        try:
            return self.index().locate(link, mac)
        except ServerNotFound:
            return self.index(refresh=True).locate(link, mac)
