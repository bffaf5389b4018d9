"""Benchmark: networking-oneview at scale (issue 7), every scenario side by side in one run.

One process starts a OneView simulator serving a synthetic site (``--site``, default 6x12/3: 6
frames in 3 logical interconnects, 72 blades, every blade with a template-made profile, half of
them On), with every task taking ``--task-seconds`` (1 s) and every request ``--request-latency``
(20 ms), as on an appliance.  A real Neutron API with ``oneview`` runs on a fresh MariaDB database
with ``neutron-periodic-workers``; openstacksdk clients call it from ``--threads`` (16) threads.
The simulator runs in this process, so convergence is polled from its store (exactly: a network
exists once with its VLAN and is in the LIG's US-Tagged template and in every logical
interconnect's US-Tagged uplink set; a deleted one is nowhere; a port is ACTIVE in Neutron and
its NIC's connection carries the network) without adding requests to the counts reported.

Scenarios (each selectable):

- ``--networks 50,200,1000``: N VLAN networks created, then deleted.  Time from the last API call
  until OneView has converged, requests and tasks per network.  Lower bound of an ideal client:
  3 sequential tasks per batch (create: one bulk create, the LIG template, then the logical
  interconnects' uplink sets in parallel; delete: the same in reverse, instances before their
  template), each task plus two requests (the write, the poll that sees it end).  Target 1.5x.
- ``--ports 64,200``: bare-metal ports bound round-robin over the blades (first ports take over a
  template connection on some servers, add one on a free NIC on others).  Time until every port
  is ACTIVE vs the lower bound (servers in parallel: one profile task each, framed by a power-off
  and -on where a running server gets a new connection), requests per port.  Target 2x.  Then
  the ports are deleted: time until every profile and power state is as before (no target).
- ``--single``: one network created, one deleted, one port bound on an Off and one on an On
  server, each alone: end to end from the start of the API call, vs the time its own tasks ran
  (target 1.2x), vs an ideal chain, and vs the first release's synchronous calls (create 4.3 s,
  delete 1.2 s).
- ``--api``: p50/p95 latency of create network, create bare-metal port, delete port, delete
  network, interleaved between this API and a baseline Neutron API with ``logger`` only (own
  MariaDB database).  Target: p95 ratio <= 1.25.  The baseline cannot bind bare-metal ports, so
  ML2 retries their binding there: its port creates are slower for that reason.
- ``--full-sync N,P``: N networks and P ports on a third Neutron API whose periodic full sync runs
  every ``--sync-interval`` s.  Once converged and idle: the next full sync's requests and wall
  time (first to last request) with no drift, then with 1% of networks dropped from an uplink set
  and 1% of port connections moved behind Neutron's back: the writes must touch only those.

Waits are capped by ``--timeout`` ("did not converge in N s").  Every process is stopped by its
id on exit, Ctrl-C or SIGTERM; every database is dropped.  ``--out`` writes a block labelled
``--label`` into the markdown file (other blocks kept).  The whole set (after the restructure):

    .venv/bin/python bench/bench_scale.py --networks 50,200,1000 --ports 64,200 --single --api \\
        --full-sync 1000,200 --label after --out docs/performance.md

The "before" baseline in docs/performance.md (small scale, the code before the restructure):

    .venv/bin/python bench/bench_scale.py --networks 50 --ports 16 --single --api \\
        --full-sync 50,16 --label before --out docs/performance.md
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import scale_report as report  # noqa: E402
from scale_oneview import (  # noqa: E402
    Nic,
    OneViewProbe,
    busy_seconds,
    drop_from_uplink_sets,
    first_nic,
    move_connections,
    nic_plan,
    tasks_per_server,
    written,
)

from oneview_simulator.server import SimulatorServer  # noqa: E402
from oneview_simulator.synthetic import SiteSize, size_argument  # noqa: E402
from tools.neutron_api import (  # noqa: E402
    PROJECT_ID,
    NeutronAPI,
    OneViewTarget,
    create_baremetal_port,
)

CLOUD = "bench"
# VLAN bands, one per scenario, so a scenario that did not clean up cannot disturb the next.
VLAN_RANGES = "physnet1:100:4094"
NETWORK_VLANS = range(100, 2000)  # each size its own VLANs while they last (50+200+1000 do)
PORT_VLANS = 2001  # PORT_NETWORKS networks the ports go to
SINGLE_VLANS = 2051
API_VLANS = 2101  # up to 899 iterations
SYNC_VLANS = 3001  # up to 1,000 networks
PORT_NETWORKS = 4
CREATE_CHAIN = 3  # bulk create; LIG template; LI uplink sets in parallel
DELETE_CHAIN = 3  # LI uplink sets in parallel; LIG template; bulk delete
FIRST_RELEASE = {"create network": 4.3, "delete network": 1.2}
PENDING_WORK_TABLE = "oneview_pending_work"  # what 'networking-oneview status' lists


@dataclass
class Settings:
    site: SiteSize
    task_seconds: float
    request_latency: float
    threads: int
    timeout: float
    quiet: float
    sync_interval: int
    polling_interval: float | None
    api_count: int

    def chain(self, tasks: int) -> float:
        """Seconds an ideal client needs for ``tasks`` sequential tasks."""
        return tasks * (self.task_seconds + 2 * self.request_latency)

    def fault_plan(self) -> dict[str, Any]:
        rules = [{"path": "/rest/*", "latency": self.request_latency}]
        return {"task_duration": self.task_seconds, "rules": rules}


def log(message: str) -> None:
    print(f"{datetime.datetime.now():%H:%M:%S} {message}", file=sys.stderr, flush=True)


# -- processes and databases -------------------------------------------------------------------
@contextlib.contextmanager
def fresh_database(prefix: str) -> Iterator[tuple[str, str]]:
    """(SQLAlchemy URL, name) of a new MariaDB database, dropped afterwards."""
    from tests.mariadb import MARIADB_HOST, MARIADB_PORT, MARIADB_USER, connect

    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    server = connect()
    with server.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
    try:
        yield (
            f"mysql+pymysql://{MARIADB_USER}@{MARIADB_HOST}:{MARIADB_PORT}/{name}?charset=utf8mb4",
            name,
        )
    finally:
        with server.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        server.close()


def driver_default(option: str) -> Any:
    """The driver's own default for an [oneview] option (None if it has no such option)."""
    from networking_oneview.conf import ONEVIEW_OPTS

    return next((o.default for o in ONEVIEW_OPTS if o.name == option), None)


@dataclass
class Neutron:
    """A started Neutron API and the name of its database."""

    api: NeutronAPI
    database: str


def start_neutron(
    stack: contextlib.ExitStack,
    sim: SimulatorServer,
    settings: Settings,
    *,
    label: str,
    drivers: str = "oneview",
    sync_interval: int = 3600,
) -> Neutron:
    """A Neutron API on a fresh database; ``stack`` stops it (by pid) and drops the database."""
    url, name = stack.enter_context(fresh_database(f"bench_{label}"))
    polling = settings.polling_interval or driver_default("polling_interval")
    options: dict[str, Any] = {"sync_interval": sync_interval}
    if polling is not None:
        options["polling_interval"] = polling
    api = NeutronAPI(
        OneViewTarget.from_simulator(sim),
        periodic_workers=drivers == "oneview",
        oneview_options=options,
        cloud_name=CLOUD,
        mechanism_drivers=drivers,
        database_url=url,
        vlan_ranges=VLAN_RANGES,
        startup_timeout=180.0,
    )
    log(f"starting the {label} Neutron API ({drivers}) on database {name}")
    stack.enter_context(api)
    warm_up(api)
    return Neutron(api, name)


def warm_up(api: NeutronAPI) -> None:
    """One admin-only call alone before any concurrent ones: Neutron loads its policy rules on
    first use, and concurrent first requests can be judged before they are loaded (403)."""
    conn = api.connection()
    network = conn.network.create_network(
        name="warm-up", project_id=PROJECT_ID, provider_network_type="vxlan"
    )
    conn.network.delete_network(network.id, ignore_missing=False)


def pending_work(database: str) -> int:
    """Work items the driver still has to apply (0 when the table cannot be read)."""
    from tests.mariadb import connect

    try:
        with connect(database) as server, server.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM `{PENDING_WORK_TABLE}`")  # noqa: S608
            return int(cursor.fetchone()[0])
    except Exception as error:
        log(f"cannot count pending work ({error}); relying on OneView being quiet")
        return 0


def stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so every ``with`` stops its processes."""

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


# -- clients -----------------------------------------------------------------------------------
Conns = Callable[[str], Any]
Call = Callable[[Conns], Any]


@dataclass
class Batch:
    results: list[Any]
    started: float
    last_return: float

    @property
    def seconds(self) -> float:
        return self.last_return - self.started


class Clients:
    """``threads`` threads, each with its own openstacksdk connection to each Neutron API."""

    def __init__(self, apis: dict[str, NeutronAPI], threads: int) -> None:
        self.apis = apis
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="bench-client")

    def conn(self, label: str) -> Any:
        conns = self._local.__dict__.setdefault("conns", {})
        if label not in conns:
            conns[label] = self.apis[label].connection()
        return conns[label]

    def run(self, calls: list[Call]) -> Batch:
        """Run every call on the pool; raise the first error once all have ended."""
        started = time.monotonic()
        futures = [self._pool.submit(call, self.conn) for call in calls]
        errors = [f.exception() for f in futures]
        last = time.monotonic()
        for error in errors:
            if error is not None:
                raise error
        return Batch([f.result() for f in futures], started, last)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def create_vlan(vlan: int, api: str = "oneview") -> Call:
    def call(conns: Conns) -> Any:
        return conns(api).network.create_network(
            name=f"scale-{vlan}",
            project_id=PROJECT_ID,
            provider_network_type="vlan",
            provider_physical_network="physnet1",
            provider_segmentation_id=vlan,
        )

    return call


def delete_network(network_id: str, api: str = "oneview") -> Call:
    return lambda conns: conns(api).network.delete_network(network_id, ignore_missing=False)


def node_name(nic: Nic) -> str:
    return "node-" + nic.server_name.lower().replace(", bay ", "-b").replace(" ", "")


def bind(network_id: str, nic: Nic, api: str = "oneview") -> Call:
    return lambda conns: create_baremetal_port(conns(api), network_id, nic.mac, node_name(nic))


def delete_port(port_id: str, api: str = "oneview") -> Call:
    return lambda conns: conns(api).network.delete_port(port_id, ignore_missing=False)


# -- waiting -----------------------------------------------------------------------------------
def wait_until(check: Callable[[], bool], timeout: float, interval: float = 0.1) -> float | None:
    """time.monotonic() when ``check`` first held, or None after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return time.monotonic()
        if time.monotonic() > deadline:
            return None
        time.sleep(interval)


def settle(probe: OneViewProbe, quiet: float, cap: float = 60.0) -> None:
    """Wait until OneView got no request for ``quiet`` seconds (at most ``cap``)."""
    deadline = time.monotonic() + cap
    last, changed = probe.requests(), time.monotonic()
    while time.monotonic() - changed < quiet and time.monotonic() < deadline:
        time.sleep(0.1)
        now = probe.requests()
        if now != last:
            last, changed = now, time.monotonic()


@dataclass
class Run:
    """What every scenario shares."""

    sim: SimulatorServer
    probe: OneViewProbe
    settings: Settings
    clients: Clients
    took: list[tuple[str, float]] = field(default_factory=list)

    def measure(
        self,
        calls: list[Call],
        converged: Callable[[Batch], bool],
        *,
        size: int,
        name: str,
        lower_bound: float,
        target: float,
        interval: float = 0.1,
    ) -> tuple[report.Phase, Batch]:
        """Quiet first; then the calls, the wait for ``converged`` and a quiet OneView again."""
        settle(self.probe, self.settings.quiet)
        self.probe.clear_counters()
        batch = self.clients.run(calls)
        done = wait_until(lambda: converged(batch), self.settings.timeout, interval)
        settle(self.probe, self.settings.quiet)
        phase = report.Phase(
            size=size,
            name=name,
            api_seconds=batch.seconds,
            after_last_call=None if done is None else done - batch.last_return,
            lower_bound=lower_bound,
            requests=self.probe.requests(),
            tasks=len(self.probe.tasks()),
            timeout=self.settings.timeout,
            target=target,
        )
        log(f"  {name} {size}: {report.seconds(phase.after_last_call, phase.timeout)} s")
        return phase, batch

    def networks(self, vlans: list[int], api: str = "oneview") -> dict[int, tuple[str, str]]:
        """Create networks and wait until mirrored (set-up, not measured): {vlan: (id, uri)}."""
        batch = self.clients.run([create_vlan(v, api) for v in vlans])
        done = wait_until(lambda: self.probe.mirrored(vlans) is not None, self.settings.timeout)
        if done is None:
            raise RuntimeError(f"set-up: {len(vlans)} networks not mirrored in time")
        uris = self.probe.mirrored(vlans) or {}
        return {v: (net.id, uris[v]) for v, net in zip(vlans, batch.results, strict=True)}

    def drop_networks(self, made: dict[int, tuple[str, str]]) -> None:
        """Delete set-up networks and wait until OneView has none of them (not measured)."""
        self.clients.run([delete_network(net_id) for net_id, _ in made.values()])
        uris = [uri for _, uri in made.values()]
        if wait_until(lambda: self.probe.gone(list(made), uris), self.settings.timeout) is None:
            log("  clean-up: networks still in OneView after the timeout")

    def ports_active(self, port_ids: set[str]) -> bool:
        ports = self.clients.conn("oneview").network.ports(device_owner="baremetal:none")
        active = {p.id for p in ports if p.status == "ACTIVE"}
        return port_ids <= active


def timed_scenario(run: Run, name: str, body: Callable[[], Any]) -> Any:
    started = time.monotonic()
    log(f"scenario {name}")
    try:
        return body()
    finally:
        run.took.append((name, time.monotonic() - started))


# -- scenario: networks ------------------------------------------------------------------------
def network_vlans(sizes: list[int]) -> list[list[int]]:
    """The VLANs of each networks scenario: fresh ones for each size, from the start again when
    the band is used up, so leftovers of a size that did not converge rarely collide."""
    bands, start = [], 0
    for count in sizes:
        if count > len(NETWORK_VLANS):
            raise ValueError(f"at most {len(NETWORK_VLANS)} networks, got {count}")
        if start + count > len(NETWORK_VLANS):
            start = 0
        bands.append(list(NETWORK_VLANS[start : start + count]))
        start += count
    return bands


def networks_scenario(run: Run, vlans: list[int]) -> list[report.Phase]:
    count = len(vlans)
    uris: dict[int, str] = {}

    def created(_: Batch) -> bool:
        found = run.probe.mirrored(vlans)
        uris.update(found or {})
        return found is not None

    settings = run.settings
    interval = 0.1 if count <= 200 else 0.25  # a check of 1,000 networks costs ~15 ms
    create, batch = run.measure(
        [create_vlan(v) for v in vlans],
        created,
        size=count,
        name="create",
        lower_bound=settings.chain(CREATE_CHAIN),
        target=1.5,
        interval=interval,
    )
    delete, _ = run.measure(
        [delete_network(net.id) for net in batch.results],
        lambda _: run.probe.gone(vlans, list(uris.values())),
        size=count,
        name="delete",
        lower_bound=settings.chain(DELETE_CHAIN),
        target=1.5,
        interval=interval,
    )
    return [create, delete]


# -- scenario: ports ---------------------------------------------------------------------------
def restored(probe: OneViewProbe, before: dict[str, Any], power: dict[str, str]) -> bool:
    """Every profile's connections and every server's power state as before the ports."""
    return all(probe.connections(uri) == conns for uri, conns in before.items()) and all(
        probe.power(uri) == state for uri, state in power.items()
    )


def ports_scenario(run: Run, count: int) -> list[report.Phase]:
    made = run.networks(list(range(PORT_VLANS, PORT_VLANS + PORT_NETWORKS)))
    try:
        return bind_and_unbind(run, count, list(made.values()))
    finally:
        run.drop_networks(made)


def bound_and_active(run: Run, nics: list[Nic], uris: list[str], batch: Batch) -> bool:
    """Every NIC carries its port's network in OneView, and every port is ACTIVE in Neutron."""
    if not run.probe.all_connected(nics, uris):
        return False
    return run.ports_active({port.id for port in batch.results})


def bind_and_unbind(run: Run, count: int, networks: list[tuple[str, str]]) -> list[report.Phase]:
    nics = nic_plan(run.probe, count)
    chosen = [networks[i % len(networks)] for i in range(count)]
    before = {n.profile_uri: run.probe.connections(n.profile_uri) for n in nics}
    power = {n.server_uri: run.probe.power(n.server_uri) for n in nics}
    lower = run.settings.chain(tasks_per_server(nics))
    phase, batch = run.measure(
        [bind(net_id, nic) for (net_id, _), nic in zip(chosen, nics, strict=True)],
        lambda b: bound_and_active(run, nics, [uri for _, uri in chosen], b),
        size=count,
        name="bind",
        lower_bound=lower,
        target=2.0,
    )
    unbind, _ = run.measure(
        [delete_port(port.id) for port in batch.results],
        lambda _: restored(run.probe, before, power),
        size=count,
        name="unbind",
        lower_bound=lower,
        target=0.0,
    )
    return [phase, unbind]


# -- scenario: single changes ------------------------------------------------------------------
def single_change(
    run: Run, change: str, call: Call, converged: Callable[[Any], bool], ideal_tasks: int
) -> tuple[report.Single, Any]:
    """One API call alone: end to end from its start until ``converged(result)``."""
    settle(run.probe, run.settings.quiet)
    run.probe.clear_counters()
    batch = run.clients.run([call])
    result = batch.results[0]
    done = wait_until(lambda: converged(result), run.settings.timeout, interval=0.05)
    tasks = [t for t in run.probe.tasks() if done is None or t["started"] <= done]
    row = report.Single(
        change=change,
        api_seconds=batch.seconds,
        end_to_end=None if done is None else done - batch.started,
        tasks=len(tasks),
        task_seconds=busy_seconds(tasks, done),
        ideal=run.settings.chain(ideal_tasks),
        first_release=FIRST_RELEASE.get(change),
        timeout=run.settings.timeout,
    )
    log(f"  {change}: {report.seconds(row.end_to_end, row.timeout)} s end to end")
    return row, result


def single_scenario(run: Run) -> list[report.Single]:
    probe = run.probe
    vlan = SINGLE_VLANS
    uris: dict[int, str] = {}

    def mirrored(_: Any) -> bool:
        uris.update(probe.mirrored([vlan]) or {})
        return vlan in uris

    create, network = single_change(
        run, "create network", create_vlan(vlan), mirrored, CREATE_CHAIN
    )
    delete, _ = single_change(
        run,
        "delete network",
        delete_network(network.id),
        lambda _: probe.gone([vlan], list(uris.values())),
        DELETE_CHAIN,
    )
    rows = [create, delete]
    made = run.networks([vlan + 1])
    try:
        for powered_on in (False, True):
            nic = first_nic(probe, powered_on=powered_on, takeover=False)
            rows.append(single_port(run, nic, made[vlan + 1]))
    finally:
        run.drop_networks(made)
    return rows


def single_port(run: Run, nic: Nic, network: tuple[str, str]) -> report.Single:
    """Bind one port on a free NIC (measured), then delete it and wait for the restore."""
    before = {nic.profile_uri: run.probe.connections(nic.profile_uri)}
    power = {nic.server_uri: run.probe.power(nic.server_uri)}
    state = "On" if nic.powered_on else "Off"
    row, port = single_change(
        run,
        f"bind port (server {state}, free NIC)",
        bind(network[0], nic),
        lambda p: run.probe.connected(nic, network[1]) and run.ports_active({p.id}),
        1 + 2 * nic.needs_power_cycle,
    )
    run.clients.run([delete_port(port.id)])
    if wait_until(lambda: restored(run.probe, before, power), run.settings.timeout) is None:
        log(f"  clean-up: {nic.server_name} not restored after the timeout")
    return row


# -- scenario: API latency ---------------------------------------------------------------------
API_CALLS = ("create network", "create bare-metal port", "delete port", "delete network")


def api_iteration(index: int, nic: Nic) -> Call:
    """The four calls on both APIs, interleaved call by call, alternating which goes first."""
    vlan = API_VLANS + index
    order = ["oneview", "logger"] if index % 2 else ["logger", "oneview"]

    def call(conns: Conns) -> list[tuple[str, str, float]]:
        samples: list[tuple[str, str, float]] = []
        made: dict[str, Any] = {}

        def timed(api: str, name: str, action: Call) -> Any:
            started = time.monotonic()
            result = action(conns)
            samples.append((api, name, time.monotonic() - started))
            return result

        for api in order:
            made[api] = [timed(api, API_CALLS[0], create_vlan(vlan, api))]
        for api in order:
            made[api].append(timed(api, API_CALLS[1], bind(made[api][0].id, nic, api)))
        for api in order:
            timed(api, API_CALLS[2], delete_port(made[api][1].id, api))
        for api in order:
            timed(api, API_CALLS[3], delete_network(made[api][0].id, api))
        return samples

    return call


def api_scenario(run: Run) -> list[report.Latency]:
    count = run.settings.api_count
    nics = nic_plan(run.probe, count)
    before = {n.profile_uri: run.probe.connections(n.profile_uri) for n in nics}
    power = {n.server_uri: run.probe.power(n.server_uri) for n in nics}
    settle(run.probe, run.settings.quiet)
    batch = run.clients.run([api_iteration(i, nic) for i, nic in enumerate(nics)])
    vlans = list(range(API_VLANS, API_VLANS + count))
    caught_up = wait_until(
        lambda: restored(run.probe, before, power) and run.probe.gone(vlans, []),
        run.settings.timeout,
    )
    if caught_up is None:
        log("  OneView did not settle after the API scenario within the timeout")
    rows = {name: report.Latency(name, [], []) for name in API_CALLS}
    for samples in batch.results:
        for api, name, seconds in samples:
            (rows[name].oneview if api == "oneview" else rows[name].baseline).append(seconds)
    return list(rows.values())


# -- scenario: full sync -----------------------------------------------------------------------
def full_syncs(api: NeutronAPI) -> int:
    """How many full syncs neutron-periodic-workers has logged."""
    path = api.log_paths["periodic-workers"]
    return path.read_text(errors="replace").count("Full sync:") if path.exists() else 0


def next_full_sync(run: Run, neutron: Neutron) -> tuple[float | None, int]:
    """Wait for the next periodic full sync and until it is done: OneView quiet for ``quiet``
    seconds and no work pending.  (seconds from its first to its last request, requests)."""
    idle = wait_until(lambda: pending_work(neutron.database) == 0, run.settings.timeout, 0.5)
    settle(run.probe, run.settings.quiet)  # no sync half done when counting starts
    if idle is None:
        log("  work still pending before the full sync; measuring anyway")
    seen = full_syncs(neutron.api)
    run.probe.clear_counters()
    deadline = time.monotonic() + run.settings.sync_interval + run.settings.timeout
    first = last = None
    total = 0
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = run.probe.requests()
        if now != total:
            first = first or time.monotonic()
            total, last = now, time.monotonic()
        idle = last is not None and time.monotonic() - last >= run.settings.quiet
        if idle and full_syncs(neutron.api) > seen and pending_work(neutron.database) == 0:
            return last - first, total
    return None, total


def measure_sync(
    run: Run, neutron: Neutron, case: str, size: tuple[int, int], drifted: set[str]
) -> report.Sync:
    took, requests = next_full_sync(run, neutron)
    counts = run.probe.counts()
    gets = sum(n for key, n in counts.items() if key.startswith("GET "))
    row = report.Sync(
        case=case,
        networks=size[0],
        ports=size[1],
        seconds=took,
        requests=requests,
        gets=gets,
        writes=written(counts),
        tasks=len(run.probe.tasks()),
        drifted=drifted,
    )
    log(f"  full sync, {case}: {report.seconds(took, run.settings.timeout)} s, {requests} requests")
    return row


def full_sync_scenario(run: Run, neutron: Neutron, networks: int, ports: int) -> list[report.Sync]:
    vlans = list(range(SYNC_VLANS, SYNC_VLANS + networks))
    log(f"  set-up: {networks} networks and {ports} ports")
    made = run.networks(vlans)
    nics = nic_plan(run.probe, ports)
    chosen = [made[vlans[i % len(vlans)]] for i in range(ports)]
    batch = run.clients.run([bind(n, nic) for (n, _), nic in zip(chosen, nics, strict=True)])
    uris = [uri for _, uri in chosen]
    if wait_until(lambda: bound_and_active(run, nics, uris, batch), run.settings.timeout) is None:
        raise RuntimeError(f"set-up: {ports} ports not ACTIVE in time")
    size = (networks, ports)
    rows = [measure_sync(run, neutron, "no drift", size, set())]
    step = 100  # 1%
    drift_networks = [made[v][1] for v in vlans[::step]]
    drift_nics = nics[::step]
    other = made[vlans[-1]][1]
    drifted = drop_from_uplink_sets(run.probe, drift_networks)
    drifted |= move_connections(run.probe, drift_nics, other)
    row = measure_sync(run, neutron, "1% drift", size, drifted)
    row.repaired = run.probe.mirrored(vlans) is not None and run.probe.all_connected(nics, uris)
    return [*rows, row]


# -- the run -----------------------------------------------------------------------------------
@dataclass
class Results:
    networks: list[report.Phase] = field(default_factory=list)
    ports: list[report.Phase] = field(default_factory=list)
    singles: list[report.Single] = field(default_factory=list)
    latencies: list[report.Latency] = field(default_factory=list)
    syncs: list[report.Sync] = field(default_factory=list)


def guarded(run: Run, name: str, body: Callable[[], list[Any]], failed: Callable[[str], Any]):
    """The scenario's rows, or one row saying why it failed (the run goes on)."""
    try:
        return timed_scenario(run, name, body)
    except Exception as error:
        log(f"scenario {name} failed: {type(error).__name__}: {error}")
        return [failed(f"{type(error).__name__}: {error}")]


def failed_phase(size: int, timeout: float) -> Callable[[str], report.Phase]:
    return lambda error: report.Phase(size, "-", 0, None, 1, 0, 0, timeout, 0, error=error)


def main_group(
    sim: SimulatorServer, probe: OneViewProbe, args: argparse.Namespace, results: Results
) -> list[tuple[str, float]]:
    """Networks, ports, single changes and API latency on one Neutron API with the driver."""
    settings: Settings = args.settings
    with contextlib.ExitStack() as group:
        oneview = start_neutron(group, sim, settings, label="oneview")
        clients = Clients({"oneview": oneview.api}, settings.threads)
        group.callback(clients.close)
        run = Run(sim, probe, settings, clients)
        for n, vlans in zip(args.networks, network_vlans(args.networks), strict=True):
            body = lambda vlans=vlans: networks_scenario(run, vlans)  # noqa: E731
            results.networks += guarded(run, f"networks {n}", body, failed_phase(n, args.timeout))
        for n in args.ports:
            body = lambda n=n: ports_scenario(run, n)  # noqa: E731
            results.ports += guarded(run, f"ports {n}", body, failed_phase(n, args.timeout))
        if args.single:
            results.singles += guarded(
                run,
                "single changes",
                lambda: single_scenario(run),
                lambda e: report.Single("all", 0, None, 0, 0, 0, None, args.timeout, e),
            )
        if args.api:
            clients.apis["logger"] = start_neutron(
                group, sim, settings, label="logger", drivers="logger"
            ).api
            results.latencies += guarded(
                run, "API latency", lambda: api_scenario(run), lambda e: report.Latency(e, [], [])
            )
        return run.took


def sync_group(
    sim: SimulatorServer, probe: OneViewProbe, args: argparse.Namespace, results: Results
) -> list[tuple[str, float]]:
    """The full sync on its own Neutron API, whose periodic full sync runs every interval."""
    settings: Settings = args.settings
    networks, ports = args.full_sync
    with contextlib.ExitStack() as group:
        neutron = start_neutron(
            group, sim, settings, label="sync", sync_interval=settings.sync_interval
        )
        clients = Clients({"oneview": neutron.api}, settings.threads)
        group.callback(clients.close)
        run = Run(sim, probe, settings, clients)
        results.syncs += guarded(
            run,
            f"full sync {networks},{ports}",
            lambda: full_sync_scenario(run, neutron, networks, ports),
            lambda e: report.Sync("-", networks, ports, None, 0, 0, {}, 0, error=e),
        )
        return run.took


def int_list(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def pair(text: str) -> tuple[int, int]:
    values = int_list(text)
    if len(values) != 2:
        raise argparse.ArgumentTypeError(f"expected NETWORKS,PORTS, got {text!r}")
    return values[0], values[1]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int_list, default=[], help="e.g. 50,200,1000")
    parser.add_argument("--ports", type=int_list, default=[], help="e.g. 64,200")
    parser.add_argument("--single", action="store_true", help="single changes, each alone")
    parser.add_argument("--api", action="store_true", help="API latency vs a logger-only API")
    parser.add_argument("--api-count", type=int, default=64, help="iterations of the 4 calls")
    parser.add_argument(
        "--full-sync", type=pair, nargs="?", const=(1000, 200), metavar="NETWORKS,PORTS"
    )
    parser.add_argument("--sync-interval", type=int, default=60, help="full-sync API (s, >= 10)")
    parser.add_argument("--site", type=size_argument, default=SiteSize(6, 12, 3))
    parser.add_argument("--task-seconds", type=float, default=1.0)
    parser.add_argument("--request-latency", type=float, default=0.02)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=600.0, help="cap of every wait (s)")
    parser.add_argument("--quiet", type=float, default=2.0, help="OneView idle this long = done")
    parser.add_argument(
        "--polling-interval", type=float, help="[oneview] polling_interval (default: driver's)"
    )
    parser.add_argument("--label", default="current", help="block name in --out")
    parser.add_argument("--out", type=Path, help="markdown file to write the block into")
    args = parser.parse_args(argv)
    args.settings = Settings(
        site=args.site,
        task_seconds=args.task_seconds,
        request_latency=args.request_latency,
        threads=args.threads,
        timeout=args.timeout,
        quiet=args.quiet,
        sync_interval=args.sync_interval,
        polling_interval=args.polling_interval,
        api_count=args.api_count,
    )
    return args


def commit() -> str:
    """The commit measured, flagged when the driver's code differs from it."""

    def git(*argv: str) -> str:
        return subprocess.run(
            ["git", "-C", str(ROOT), *argv], capture_output=True, text=True, check=False
        ).stdout.strip()

    driver = git("log", "-1", "--format=%h", "--", "networking_oneview")
    dirty = (
        " plus uncommitted changes"
        if git("status", "--porcelain", "--", "networking_oneview")
        else ""
    )
    return f"{git('rev-parse', '--short', 'HEAD')} (driver code of {driver}{dirty})"


def block(args: argparse.Namespace, argv: list[str], results: Results, took: list) -> str:
    settings: Settings = args.settings
    command = ".venv/bin/python bench/bench_scale.py " + shlex.join(argv)
    polling = settings.polling_interval or driver_default("polling_interval")
    parts = [
        f"## {args.label}: {datetime.date.today()}, commit {commit()}",
        f"Reproduce: `{command}`",
        f"Site {settings.site} ({settings.site.blades} blades), tasks {settings.task_seconds} s, "
        f"requests {settings.request_latency * 1000:.0f} ms, {settings.threads} client threads, "
        f"`polling_interval = {polling}`, {os.cpu_count()} CPUs.",
    ]
    if results.networks:
        parts += ["### Networks", report.phases_table(results.networks, "networks")]
        parts.append(report.linear_note(results.networks))
    if results.ports:
        parts += ["### Bare-metal ports", report.phases_table(results.ports, "ports")]
    if results.singles:
        parts += ["### Single changes", report.singles_table(results.singles)]
    if results.latencies:
        parts += ["### API latency", report.latency_table(results.latencies)]
    if results.syncs:
        parts += ["### Full sync", report.syncs_table(results.syncs, settings.timeout)]
    parts += [
        "### Run time",
        report.table(["scenario", "took (s)"], [[name, f"{sec:.0f}"] for name, sec in took]),
    ]
    return "\n\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    stop_on_sigterm()
    results = Results()
    took: list[tuple[str, float]] = []
    try:
        with SimulatorServer(fixture=args.site) as sim:
            sim.appliance.faults.configure(args.settings.fault_plan())
            probe = OneViewProbe(sim)
            if args.networks or args.ports or args.single or args.api:
                took += main_group(sim, probe, args, results)
            if args.full_sync:
                took += sync_group(sim, probe, args, results)
    except KeyboardInterrupt:
        log("interrupted: every process stopped, every database dropped; nothing written")
        return 130
    text = block(args, argv, results, took)
    print(text)
    if args.out:
        report.write_block(args.out, args.label, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
