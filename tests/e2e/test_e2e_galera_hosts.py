"""Three controller hosts on a Galera cluster: each host's Neutron API and
neutron-periodic-workers on its own Galera node (``tests/cluster.py``), one simulated OneView,
OneView tasks of 1 s.

Six clients drive all three APIs at once: they create VLAN networks, bind two bare-metal ports on
each of six servers (the two ports of a server through two different hosts, so the hosts compete
for the server's lease), and rename one shared network from every host at once, which makes
Galera certification fail on some commits.  Then a host dies while it writes a profile, and a
Galera node leaves and comes back.  The simulator's request log and task history say who wrote
what and when; the database says what is owed.  The figures are printed at the end of the module
(``pytest -s``) for docs/reliability.md.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from oneview_simulator.server import SimulatorServer
from tests.cluster import ThreeControllers, host_name, three_controllers
from tests.e2e.helpers import CLOUD, OneView, wait_until
from tools.neutron_api import PROJECT_ID, create_baremetal_port

pytestmark = pytest.mark.galera

CLIENTS = 6  # two per host
NETWORKS_PER_CLIENT = 4
FIRST_VLAN = 600
NICS = ("Mezz 3:1-a", "Mezz 3:2-a")
TASK_SECONDS = 1.0
RENAMES_PER_HOST = 8
CONVERGE = 180.0
AGENT_HOST = re.compile(r"\(([^;]+); pid \d+\)$")


@dataclass
class Figures:
    """What the module measured, printed at its end."""

    values: dict[str, Any] = field(default_factory=dict)

    def report(self) -> str:
        return "\n".join(f"  {key}: {value}" for key, value in self.values.items())


@pytest.fixture(scope="module")
def figures() -> Iterator[Figures]:
    found = Figures()
    yield found
    print(f"\nThree controllers on Galera, figures:\n{found.report()}")


@pytest.fixture(scope="module")
def cloud(
    sim: SimulatorServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ThreeControllers]:
    with three_controllers(
        sim,
        tmp_path_factory.mktemp("controllers"),
        cloud_name=CLOUD,
        oneview_options={"sync_interval": 10},
    ) as controllers:
        yield controllers


def certification_failures(cloud: ThreeControllers) -> int:
    """Commits Galera refused (certification failures and brute-force aborts), every node."""
    total = 0
    for node in cloud.galera.running():
        status = node.status()
        total += int(status["wsrep_local_cert_failures"]) + int(status["wsrep_local_bf_aborts"])
    return total


def idle_servers(oneview: OneView, count: int) -> list[str]:
    """Blades without a profile, powered off (by us, as an operator would, where they ran):
    adding a connection to a server that is off needs no power operation."""
    blades = sorted(
        (h for h in oneview.members("/rest/server-hardware") if not h.get("serverProfileUri")),
        key=lambda h: h["name"],
    )
    chosen = [h for h in blades if has_nics(oneview, h)][:count]
    if len(chosen) < count:
        pytest.fail(
            f"the fixture has {len(chosen)} blades without a profile, the test needs {count}"
        )
    for hardware in chosen:
        if hardware.get("powerState") != "Off":
            oneview.client.put(
                f"{hardware['uri']}/powerState",
                {"powerState": "Off", "powerControl": "PressAndHold"},
            )
    return [h["name"] for h in chosen]


def has_nics(oneview: OneView, hardware: dict[str, Any]) -> bool:
    """Whether the server has the NICs the test binds (rack servers have no mezzanine)."""
    try:
        return all(oneview.mac_of(hardware["name"], nic) for nic in NICS)
    except AssertionError:
        return False


def ours(oneview: OneView) -> list[dict[str, Any]]:
    return [n for n in oneview.members("/rest/ethernet-networks") if n["name"].startswith(CLOUD)]


def agent_host(agent: str) -> str | None:
    found = AGENT_HOST.search(agent or "")
    return found.group(1) if found else None


def profile_writes(oneview: OneView) -> list[dict[str, Any]]:
    return [
        t
        for t in oneview.sim.appliance.task_history
        if t.get("method") == "PUT" and (t.get("path") or "").startswith("/rest/server-profiles/")
    ]


def overlapping(writes: list[dict[str, Any]]) -> list[tuple[dict, dict]]:
    """Pairs of PUT tasks on one profile that ran at the same time."""
    pairs = []
    by_profile = itertools.groupby(
        sorted(writes, key=lambda t: (t["resourceUri"], t["started"])),
        key=lambda t: t["resourceUri"],
    )
    for _, tasks in by_profile:
        for a, b in itertools.pairwise(tasks):
            if a["ended"] is None or b["started"] < a["ended"]:
                pairs.append((a, b))
    return pairs


def pending(cloud: ThreeControllers, where: str = "TRUE") -> list[tuple]:
    """Work rows still owed (any node: the query waits until that node has every commit)."""
    node = cloud.galera.running()[0].index
    sql = "SELECT kind, object_id, lease_holder, last_error FROM oneview_pending_work WHERE "
    return cloud.galera.query(node, sql + where)


def calls(jobs: list[Callable[[], Any]], workers: int) -> tuple[list[Any], list[str]]:
    """Run ``jobs`` on ``workers`` threads; their results and the text of every failure."""
    results, failures = [], []
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        for future in [pool.submit(job) for job in jobs]:
            try:
                results.append(future.result())
            except Exception as error:
                failures.append(f"{type(error).__name__}: {error}")
    return results, failures


# -- the concurrent traffic ------------------------------------------------------------------------


@dataclass(frozen=True)
class Traffic:
    vlans: list[int]
    servers: list[str]
    ports: dict[tuple[str, str], Any]  # (server, NIC) -> port
    networks: dict[tuple[str, str], str]  # (server, NIC) -> the Neutron network id
    failures: list[str]
    certification_failures: int
    converged_after: float


def client_networks(conn: Any, client: int) -> list[Any]:
    created = []
    for offset in range(NETWORKS_PER_CLIENT):
        vlan = FIRST_VLAN + client * NETWORKS_PER_CLIENT + offset
        created.append(
            conn.network.create_network(
                name=f"hosts-{vlan}",
                project_id=PROJECT_ID,
                provider_network_type="vlan",
                provider_physical_network="physnet1",
                provider_segmentation_id=vlan,
            )
        )
    return created


@pytest.fixture(scope="module")
def traffic(cloud: ThreeControllers, oneview: OneView, figures: Figures) -> Traffic:
    servers = idle_servers(oneview, CLIENTS)
    for server in servers:
        oneview.give_profile(server)
    oneview.slow_tasks(TASK_SECONDS)
    oneview.sim.appliance.clear_request_log()
    conns = [cloud.hosts[client % 3].connection() for client in range(CLIENTS)]
    conflicts_before = certification_failures(cloud)

    created, failures = calls(
        [lambda c=client: client_networks(conns[c], c) for client in range(CLIENTS)], CLIENTS
    )
    networks = [n for batch in created for n in batch]
    # Server s gets NIC 0's port from client s and NIC 1's from the client on the next host.
    plan = [
        (
            server,
            nic,
            (index + nic_index) % CLIENTS,
            networks[(index * 2 + nic_index) % len(networks)],
        )
        for index, server in enumerate(servers)
        for nic_index, nic in enumerate(NICS)
    ]

    def bind(server: str, nic: str, client: int, network: Any) -> tuple[tuple[str, str], Any]:
        mac = oneview.mac_of(server, nic)
        port = create_baremetal_port(conns[client], network.id, mac, f"node-{mac}")
        return (server, nic), port

    shared = networks[0]

    def rename(host: int, round_: int) -> None:
        cloud.hosts[host].connection().network.update_network(
            shared.id, description=f"host {host} round {round_}"
        )

    jobs: list[Callable[[], Any]] = [lambda p=p: bind(*p) for p in plan]
    jobs += [lambda h=h, r=r: rename(h, r) for r in range(RENAMES_PER_HOST) for h in range(3)]
    results, more_failures = calls(jobs, CLIENTS + 3)
    failures += more_failures
    last_call = time.monotonic()
    ports = dict(r for r in results if isinstance(r, tuple))

    def converged() -> bool:
        statuses = [conns[0].network.get_port(p.id).status for p in ports.values()]
        return all(s == "ACTIVE" for s in statuses) and all(
            oneview.fully_mirrored(n.provider_segmentation_id) for n in networks
        )

    wait_until("every network mirrored and every port ACTIVE", converged, CONVERGE)
    converged_after = time.monotonic() - last_call
    conflicts = certification_failures(cloud) - conflicts_before
    figures.values.update(
        {
            "API calls (networks, ports, renames of one network from 3 hosts)": (
                f"{len(networks)} + {len(plan)} + {3 * RENAMES_PER_HOST}"
            ),
            "API calls failed": len(failures),
            "Galera certification failures / brute-force aborts during the traffic": conflicts,
            "converged after the last call": f"{converged_after:.1f} s",
        }
    )
    return Traffic(
        vlans=[n.provider_segmentation_id for n in networks],
        servers=servers,
        ports=ports,
        networks={(server, nic): net.id for server, nic, _, net in plan},
        failures=failures,
        certification_failures=conflicts,
        converged_after=converged_after,
    )


def test_every_api_call_from_every_host_succeeded(traffic: Traffic):
    assert traffic.failures == []


def test_every_vlan_is_one_oneview_network_in_the_lig_and_every_li(
    traffic: Traffic, oneview: OneView
):
    names = Counter(n["name"] for n in ours(oneview))
    for vlan in traffic.vlans:
        assert names[f"{CLOUD}_physnet1_{vlan}"] == 1, vlan
        assert oneview.fully_mirrored(vlan), vlan


def test_no_oneview_network_exists_twice(traffic: Traffic, oneview: OneView):
    names = Counter(n["name"] for n in oneview.members("/rest/ethernet-networks"))
    assert [name for name, count in names.items() if count > 1] == []
    vlans = Counter(n["vlanId"] for n in ours(oneview))
    assert [vlan for vlan, count in vlans.items() if count > 1] == []


def test_each_bound_nic_has_exactly_one_connection_of_ours_on_its_network(
    traffic: Traffic, oneview: OneView, cloud: ThreeControllers
):
    conn = cloud.hosts[2].connection()
    for (server, nic), port in traffic.ports.items():
        network = conn.network.get_network(port.network_id)
        expected = oneview.with_vlan(network.provider_segmentation_id)["uri"]
        on_nic = [c for c in oneview.our_connections(server) if c["portId"] == nic]
        assert [c["networkUri"] for c in on_nic] == [expected], (server, nic)


def test_no_profile_was_written_by_two_processes_at_once(traffic: Traffic, oneview: OneView):
    writes = profile_writes(oneview)
    assert len({t["resourceUri"] for t in writes}) == len(traffic.servers)
    assert overlapping(writes) == []


def test_profiles_were_written_from_more_than_one_host(
    traffic: Traffic, oneview: OneView, figures: Figures
):
    writers = Counter(
        agent_host(r["agent"])
        for r in oneview.sim.appliance.request_log
        if r["method"] == "PUT" and r["path"].startswith("/rest/server-profiles/")
    )
    figures.values["profile PUTs by host"] = dict(sorted(writers.items()))
    assert len(set(writers) & {host_name(i) for i in range(3)}) >= 2, writers


def test_certification_conflicts_happened_and_lost_no_work(
    traffic: Traffic, cloud: ThreeControllers
):
    assert traffic.certification_failures > 0, "the renames from three hosts made no conflict"
    assert traffic.failures == []
    # Every change was applied and its work row completed (renames queue network work too).
    wait_until("the work queue to drain", lambda: not pending(cloud, "kind <> 'full'"), 60)


# -- a host dies while it writes a profile -------------------------------------------------------


@dataclass(frozen=True)
class Takeover:
    dead: str  # the killed host's name
    holder: str  # the server's lease holder when the host was killed
    killed_pids: list[int]
    port: Any
    server: str
    after_kill: list[dict[str, Any]]  # the profile's requests from the kill on
    profile_puts: int  # in the whole scenario
    taken_over_after: float


def holder_of(cloud: ThreeControllers, kind: str, object_id: str) -> str | None:
    """Who holds the lease on that work, if anyone."""
    rows = pending(cloud, f"kind = '{kind}' AND object_id = '{object_id}'")
    return next((row[2] for row in rows if row[2]), None)


def expire_leases(cloud: ThreeControllers) -> None:
    """What the lease's 180 s do to a dead holder's leases, without the wait."""
    node = cloud.galera.running()[0].index
    cloud.galera.query(
        node,
        "UPDATE oneview_pending_work SET lease_expires = '2000-01-01 00:00:00' "
        "WHERE lease_holder IS NOT NULL",
    )


@pytest.fixture(scope="module")
def takeover(
    traffic: Traffic, cloud: ThreeControllers, oneview: OneView, figures: Figures
) -> Takeover:
    server = idle_servers(oneview, 1)[0]
    profile = oneview.give_profile(server)
    hardware_id = oneview.hardware(server)["uri"].rsplit("/", 1)[-1]
    network_id = traffic.networks[(traffic.servers[0], NICS[0])]
    oneview.sim.appliance.faults.configure(
        {"rules": [{"method": "PUT", "path": "/rest/server-profiles/*", "task_duration": 8.0}]}
    )
    oneview.sim.appliance.clear_request_log()
    mac = oneview.mac_of(server, NICS[0])
    port = create_baremetal_port(cloud.hosts[0].connection(), network_id, mac, f"node-{mac}")
    wait_until(
        "a profile PUT of the new port's server",
        lambda: any(
            r["method"] == "PUT" and r["path"] == profile["uri"]
            for r in oneview.sim.appliance.request_log
        ),
        30,
    )
    holder = wait_until(
        "the server's lease holder", lambda: holder_of(cloud, "server", hardware_id), 10
    )
    dead = next(h for h in cloud.hosts if holder.startswith(f"{h.host}:"))
    killed = dead.kill("api") + dead.kill("periodic-workers")
    killed_at, seen = time.monotonic(), len(oneview.sim.appliance.request_log)
    oneview.sim.appliance.faults.clear()
    expire_leases(cloud)
    alive = next(h for h in cloud.hosts if h is not dead).connection()
    wait_until(
        "the port ACTIVE through another host",
        lambda: alive.network.get_port(port.id).status == "ACTIVE",
        90,
    )
    taken_over_after = time.monotonic() - killed_at
    requests = [r for r in oneview.sim.appliance.request_log if r["path"] == profile["uri"]]
    after_kill = [
        r for r in oneview.sim.appliance.request_log[seen:] if r["path"] == profile["uri"]
    ]
    figures.values["lease taken over (kill to ACTIVE, lease expiry by SQL)"] = (
        f"{taken_over_after:.1f} s"
    )
    puts = sum(r["method"] == "PUT" for r in requests)
    result = Takeover(dead.host, holder, killed, port, server, after_kill, puts, taken_over_after)
    dead.start_api()
    dead.start_periodic_workers()
    return result


def test_the_killed_process_held_the_servers_lease(takeover: Takeover):
    holder_pid = int(takeover.holder.split(":")[1])
    assert holder_pid in takeover.killed_pids


def test_another_host_finished_the_dead_hosts_work(takeover: Takeover, oneview: OneView):
    """The profile task the dead host started ran to its end in OneView; the host that took
    the lease over read the profile, found the connection and did not write it again."""
    finishers = {agent_host(r["agent"]) for r in takeover.after_kill}
    assert finishers, "nobody looked at the profile after the kill"
    assert takeover.dead not in finishers
    assert takeover.profile_puts == 1
    assert len([c for c in oneview.our_connections(takeover.server) if c["portId"] == NICS[0]]) == 1


def test_the_restarted_host_serves_again_and_duplicates_nothing(
    takeover: Takeover, cloud: ThreeControllers, oneview: OneView
):
    dead = next(h for h in cloud.hosts if h.host == takeover.dead)
    assert dead.connection().network.get_port(takeover.port.id).status == "ACTIVE"
    assert len([c for c in oneview.our_connections(takeover.server) if c["portId"] == NICS[0]]) == 1


# -- a Galera node leaves and comes back -----------------------------------------------------------


def test_two_hosts_keep_converging_while_the_third_hosts_galera_node_is_down(
    takeover: Takeover, cloud: ThreeControllers, oneview: OneView, figures: Figures
):
    cloud.galera.stop_node(2)
    try:
        network = (
            cloud.hosts[0]
            .connection()
            .network.create_network(
                name="hosts-node-down",
                project_id=PROJECT_ID,
                provider_network_type="vlan",
                provider_physical_network="physnet1",
                provider_segmentation_id=FIRST_VLAN + 100,
            )
        )
        started = time.monotonic()
        wait_until("the network mirrored", lambda: oneview.fully_mirrored(FIRST_VLAN + 100), 60)
        figures.values["network mirrored with one Galera node down"] = (
            f"{time.monotonic() - started:.1f} s"
        )
    finally:
        cloud.galera.start_node(2)
    started = time.monotonic()
    third = cloud.hosts[2].connection()
    wait_until(
        "the third host to serve the new network",
        lambda: _answers(lambda: third.network.get_network(network.id)),
        90,
    )
    figures.values["third host serving again after its node rejoined"] = (
        f"{time.monotonic() - started:.1f} s"
    )


def _answers(call: Callable[[], Any]) -> bool:
    try:
        return call() is not None
    except Exception:
        return False
