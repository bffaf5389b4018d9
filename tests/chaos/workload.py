"""A seeded random workload through the real Neutron APIs, as tenants and Ironic drive them.

Several client threads, each with its own ``random.Random(seed + n)``, spread their calls over
the three controllers' APIs.  Each thread owns some server NICs (Ironic never puts two ports on
one NIC) and walks them through create (bound, as Ironic creates), unbind, bind, flip
(provisioning -> tenant: delete the port, create another on the same NIC) and delete, while
networks come and go.  An API that is down, or whose Galera node is stopped, answers errors: the
call is retried on another API a bounded number of times, then given up and counted.  Nothing is
remembered between calls: each step first asks Neutron what is on its NIC, so the end state is
read from Neutron, never from the clients' memory.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openstack.connection
from openstack import exceptions

from tools.neutron_api import PROJECT_ID, create_baremetal_port

ATTEMPTS = 3  # tries of one call (each on a random API) before the client gives up
API_TIMEOUT = 20.0  # seconds; a stopped database node must not hang a client for ever


@dataclass(frozen=True)
class Nic:
    server: str
    nic: str
    mac: str


@dataclass
class Tally:
    """Operations by kind and outcome (``ok``, ``retried``, ``refused``, ``gave-up``,
    ``skipped``)."""

    counts: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)  # exception class names, every attempt
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, outcome: str) -> None:
        with self.lock:
            self.counts[f"{kind}:{outcome}"] += 1

    def error(self, error: Exception) -> None:
        with self.lock:
            self.errors[type(error).__name__] += 1

    def report(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for key, count in sorted(self.counts.items()):
            kind, outcome = key.split(":")
            out.setdefault(kind, {})[outcome] = count
        return out


@dataclass
class Workload:
    """The clients' shared setting: API URLs, NICs to use, VLANs to take networks from."""

    urls: list[str]
    nics: list[Nic]
    vlans: range
    seed: int
    clients: int = 4
    pause: tuple[float, float] = (0.1, 0.6)  # seconds between two steps of one client
    tally: Tally = field(default_factory=Tally)

    def run(self, stop: threading.Event) -> None:
        """Run every client until ``stop`` is set; returns once they all finished their step."""
        threads = [
            threading.Thread(target=self._client, args=(n, stop), name=f"chaos-client-{n}")
            for n in range(self.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _client(self, number: int, stop: threading.Event) -> None:
        client = Client(self, number)
        while not stop.is_set():
            client.step()
            stop.wait(client.rng.uniform(*self.pause))


class Client:
    """One tenant-or-Ironic: owns every ``clients``-th NIC; one step at a time."""

    def __init__(self, workload: Workload, number: int) -> None:
        self.workload = workload
        self.rng = random.Random(workload.seed * 1000 + number)
        self.nics = workload.nics[number :: workload.clients]
        self.conns = [_connect(url) for url in workload.urls]

    # -- calls ---------------------------------------------------------------------------------
    def call(self, kind: str, action: Callable[[Any], Any]) -> Any:
        """``action(conn)`` on a random API, retried on others; None when it was given up."""
        for attempt in range(ATTEMPTS):
            conn = self.rng.choice(self.conns)
            try:
                result = action(conn)
            except (exceptions.ConflictException, exceptions.NotFoundException) as error:
                self.workload.tally.error(error)  # another client got there first: not transient
                self.workload.tally.add(kind, "refused")
                return None
            except Exception as error:
                self.workload.tally.error(error)
                time.sleep(0.5 * (attempt + 1))
                continue
            self.workload.tally.add(kind, "ok" if attempt == 0 else "retried")
            return result if result is not None else True
        self.workload.tally.add(kind, "gave-up")
        return None

    def ports_on(self, nic: Nic) -> list[Any] | None:
        ports = self.call("read", lambda c: list(c.network.ports(mac_address=nic.mac)))
        return None if ports is None or ports is True else ports

    def networks(self) -> list[Any]:
        found = self.call("read", lambda c: list(c.network.networks(project_id=PROJECT_ID)))
        if not found or found is True:
            return []
        return [n for n in found if n.provider_segmentation_id in self.workload.vlans]

    # -- one step ------------------------------------------------------------------------------
    def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.12:
            self.create_network()
        elif roll < 0.18:
            self.delete_network()
        else:
            self.port_step(self.rng.choice(self.nics))

    def create_network(self) -> None:
        vlan = self.rng.choice(self.workload.vlans)
        taken = {n.provider_segmentation_id for n in self.networks()}
        if vlan in taken:
            self.workload.tally.add("network-create", "skipped")
            return
        self.call(
            "network-create",
            lambda c: c.network.create_network(
                name=f"chaos-{vlan}",
                project_id=PROJECT_ID,
                provider_network_type="vlan",
                provider_physical_network="physnet1",
                provider_segmentation_id=vlan,
            ),
        )

    def delete_network(self) -> None:
        """Only a network without ports: Neutron refuses the others (NetworkInUse)."""
        ports = self.call("read", lambda c: list(c.network.ports(project_id=PROJECT_ID)))
        used = {p.network_id for p in ports} if isinstance(ports, list) else None
        networks = [n for n in self.networks() if used is not None and n.id not in used]
        if len(networks) <= 1:
            self.workload.tally.add("network-delete", "skipped")
            return
        network = self.rng.choice(networks)
        self.call("network-delete", lambda c: c.network.delete_network(network.id))

    def port_step(self, nic: Nic) -> None:
        ports = self.ports_on(nic)
        if ports is None:
            return
        for extra in ports[1:]:  # a create retried after its answer was lost: Ironic repairs
            self.call("port-delete", lambda c, p=extra: c.network.delete_port(p.id))
        if not ports:
            self.create_port(nic)
            return
        port = ports[0]
        roll = self.rng.random()
        if roll < 0.3:
            self.flip(nic, port)
        elif roll < 0.5:
            self.call("port-delete", lambda c: c.network.delete_port(port.id))
        elif port.binding_host_id:
            self.call("port-unbind", lambda c: c.network.update_port(port.id, binding_host_id=""))
        else:
            node = _node(nic)
            self.call("port-bind", lambda c: c.network.update_port(port.id, binding_host_id=node))

    def create_port(self, nic: Nic) -> None:
        networks = self.networks()
        if not networks:
            self.workload.tally.add("port-create", "skipped")
            return
        network = self.rng.choice(networks)
        bootable = self.rng.choice([None, None, True, False])
        self.call(
            "port-create",
            lambda c: create_baremetal_port(c, network.id, nic.mac, _node(nic), bootable=bootable),
        )

    def flip(self, nic: Nic, port: Any) -> None:
        """Ironic moving a node between networks: the old port goes, a new one comes."""
        if self.call("port-flip", lambda c: c.network.delete_port(port.id)) is not None:
            self.create_port(nic)


def _node(nic: Nic) -> str:
    """The Ironic node (binding host) of a server: one per server, as Ironic has."""
    return "node-" + "".join(ch for ch in nic.server if ch.isalnum()).lower()


def _connect(url: str) -> Any:
    return openstack.connection.Connection(
        auth_type="none", network_endpoint_override=url, api_timeout=API_TIMEOUT
    )
