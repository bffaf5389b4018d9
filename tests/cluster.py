"""Three controller hosts on a Galera cluster, as operators run neutron-server: one simulated
OneView, a 3-node MariaDB Galera cluster (``tests/galera.py``) and, per host, a Neutron API and
``neutron-periodic-workers`` with their own ``[DEFAULT] host``, each pointed at its own Galera
node.  The first host builds the database (``neutron-db-manage upgrade heads``); the others only
start.  Everything is stopped by PID on the way out, failures included.

Used by the multi-host e2e tests and the chaos run::

    with three_controllers(sim, workdir) as cloud:
        cloud.hosts[1].kill("api")           # a controller's API crashes
        cloud.galera.stop_node(2)            # host 3 loses its database node
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.galera import GaleraCluster, galera_cluster
from tools.neutron_api import PROJECT_ID, NeutronAPI, OneViewTarget

HOSTS = 3


@dataclass
class ThreeControllers:
    """The running cloud: ``hosts[i]`` is controller ``i``, on Galera node ``i``."""

    galera: GaleraCluster
    hosts: list[NeutronAPI] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        return [host.url for host in self.hosts]

    def log_paths(self) -> list[Path]:
        """Every log file any host wrote (API, periodic workers, database build)."""
        return [path for host in self.hosts for path in host.log_paths.values() if path.exists()]


def host_name(index: int) -> str:
    return f"controller-{index + 1}"


@contextlib.contextmanager
def three_controllers(
    sim: Any,
    workdir: Path,
    *,
    cloud_name: str = "demo",
    oneview_options: dict[str, Any] | None = None,
    debug: bool = False,
    vlan_ranges: str = "physnet1:1:1000",
) -> Iterator[ThreeControllers]:
    """A Galera cluster and three controller hosts serving one OneView simulator ``sim``."""
    with galera_cluster(HOSTS) as galera, contextlib.ExitStack() as stack:
        cloud = ThreeControllers(galera)
        for index in range(HOSTS):
            host = NeutronAPI(
                OneViewTarget.from_simulator(sim),
                periodic_workers=True,
                oneview_options=oneview_options,
                cloud_name=cloud_name,
                workdir=workdir / host_name(index),
                debug=debug,
                database_url=galera.url(index),
                vlan_ranges=vlan_ranges,
                host=host_name(index),
                build_db=index == 0,
            )
            stack.enter_context(host)
            cloud.hosts.append(host)
        for host in cloud.hosts:
            first_write(host)
        yield cloud


def first_write(host: NeutronAPI) -> None:
    """One write through the host's API before any test traffic: Neutron's policy engine loads
    on the first request, and several first requests at once can be refused 403 while it does."""
    conn = host.connection()
    conn.network.delete_network(conn.network.create_network(name="warm-up", project_id=PROJECT_ID))
