"""What this process last read of OneView: the resolved topology and the server inventory.

Reconcilers read through this cache; ``bind_port`` and precommit checks only ever look at what is
already in it (no OneView call inside a Neutron transaction).  Invalidation:

- the topology (LIGs, logical interconnects, uplink sets, networks' VLANs) is read again when
  older than ``topology_max_age``, when a reconciler finds OneView different from it
  (``topology(refresh=True)``), and by a refresher thread in every process (API workers that
  never reconcile included), so decisions in API calls use a view at most that old;
- the inventory (server hardware and profiles) is read again when older than its ``max_age``, on
  a MAC it does not know (at most once per ``min_refresh``, so a flood of unknown MACs cannot
  hammer the appliance), and patched in place after each profile we change ourselves.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from networking_oneview.conf import Mappings
from networking_oneview.oneview.paths import HARDWARE, PROFILES
from networking_oneview.port_profile import Link
from networking_oneview.reconcile.inventory import HardwareIndex, Nic, ServerNotFound
from networking_oneview.topology import Topology, read_topology

LOG = logging.getLogger(__name__)

Fetch = Callable[[], tuple[list[dict[str, Any]], list[dict[str, Any]]]]


class Inventory:
    """A per-process, thread-safe cache of the server index."""

    def __init__(
        self,
        fetch: Fetch,
        max_age: float = 600.0,
        min_refresh: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._max_age = max_age
        self._min_refresh = min_refresh
        self._clock = clock
        self._lock = threading.Lock()
        self._hardware: list[dict[str, Any]] = []
        self._profiles: dict[str, dict[str, Any]] = {}
        self._index: HardwareIndex | None = None
        self._fetched_at = float("-inf")

    @classmethod
    def of(cls, client: Any, **kwargs: Any) -> Inventory:
        """An inventory read from ``client`` (server hardware and server profiles, paged)."""
        return cls(lambda: (client.get_all(HARDWARE), client.get_all(PROFILES)), **kwargs)

    def index(self, *, refresh: bool = False, force: bool = False) -> HardwareIndex:
        """The index; read again when missing or old, on ``refresh`` at most once per
        ``min_refresh`` (a MAC miss), and always on ``force`` (the full sync)."""
        with self._lock:
            age = self._clock() - self._fetched_at
            stale = self._index is None or age > self._max_age
            if stale or force or (refresh and age > self._min_refresh):
                hardware, profiles = self._fetch()
                self._hardware = list(hardware)
                self._profiles = {p["uri"]: p for p in profiles if p.get("uri")}
                self._rebuild()
                self._fetched_at = self._clock()
            assert self._index is not None
            return self._index

    @property
    def last_known(self) -> HardwareIndex | None:
        """The last index read, however old, without asking OneView (used during outages)."""
        return self._index

    def _rebuild(self) -> None:
        self._index = HardwareIndex.build(self._hardware, self._profiles.values())

    def profiles(self) -> list[dict[str, Any]]:
        """The server profiles of the last read (copies)."""
        with self._lock:
            return [dict(p) for p in self._profiles.values()]

    def note_profile(self, profile: Mapping[str, Any]) -> None:
        """Take a profile as OneView returned it after our change (its MACs may be new)."""
        with self._lock:
            if self._index is None or not profile.get("uri"):
                return
            self._profiles[profile["uri"]] = dict(profile)
            self._rebuild()

    def locate(self, link: Link, mac: str) -> Nic:
        """Look up in the cached index; on a miss refresh once and look again."""
        try:
            return self.index().locate(link, mac)
        except ServerNotFound:
            return self.index(refresh=True).locate(link, mac)


class SiteCache:
    """The topology and the inventory of one appliance, shared by the threads of a process."""

    def __init__(
        self,
        client: Any,
        mappings: Mappings,
        topology_max_age: float = 300.0,
        inventory: Inventory | None = None,
    ) -> None:
        self.client = client
        self.mappings = mappings
        self.topology_max_age = topology_max_age
        self.inventory = inventory or Inventory.of(client)
        self._lock = threading.Lock()
        self._topology: Topology | None = None
        self._read_at = float("-inf")
        self._refresher: threading.Thread | None = None
        self._refresher_pid: int | None = None

    def topology(self, refresh: bool = False) -> Topology:
        """The resolved mappings, read from OneView when missing, old, or asked to."""
        with self._lock:
            age = time.monotonic() - self._read_at
            if self._topology is None or refresh or age > self.topology_max_age:
                topology, problems = read_topology(self.client, self.mappings)
                for problem in problems:
                    LOG.error("OneView mapping problem: %s", problem)
                self._use(topology)
            assert self._topology is not None
            return self._topology

    def use_topology(self, topology: Topology) -> None:
        with self._lock:
            self._use(topology)

    def _use(self, topology: Topology) -> None:
        self._topology = topology
        self._read_at = time.monotonic()

    @property
    def known_topology(self) -> Topology | None:
        """The last topology read, without asking OneView (for API calls)."""
        self.keep_fresh()
        return self._topology

    def keep_fresh(self) -> None:
        """Start this process's refresher thread if it is not running (threads do not survive
        the fork of API workers, so each process starts its own on first use)."""
        if self._refresher_pid == os.getpid() and self._refresher and self._refresher.is_alive():
            return
        with self._lock:
            if (
                self._refresher_pid == os.getpid()
                and self._refresher
                and self._refresher.is_alive()
            ):
                return
            self._refresher_pid = os.getpid()
            self._refresher = threading.Thread(
                target=_refresh_loop,
                args=(weakref.ref(self), max(self.topology_max_age / 2, 5.0)),
                name="oneview-topology",
                daemon=True,
            )
            self._refresher.start()


def _refresh_loop(cache_ref: weakref.ref[SiteCache], interval: float) -> None:
    """Re-read the topology every ``interval`` seconds for as long as the cache is alive (a
    reference to it only while refreshing, so a dropped driver's cache and thread go away)."""
    while True:
        deadline = time.monotonic() + interval
        while time.monotonic() < deadline:
            time.sleep(min(1.0, interval))
            if cache_ref() is None:
                return
        cache = cache_ref()
        if cache is None:
            return
        try:
            cache.topology(refresh=True)
        except Exception as error:  # an outage: keep the last view, try again later
            LOG.warning("Could not refresh the OneView topology (keeping the last): %s", error)
        del cache
