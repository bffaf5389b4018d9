"""One chaos run, as a library: the short CI test and ``tools/chaos.py`` both call ``chaos_run``.

A simulator and three controller hosts on Galera (debug logging), a baseline of OneView, the
seeded workload on client threads while the fault schedule plays, then the faults stop and the
run waits (with a deadline) until the invariant checker finds nothing; last, every log the run
wrote and ``networking-oneview status`` are searched for the password and session IDs.
"""

from __future__ import annotations

import contextlib
import logging
import secrets as token_source
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from oneview_simulator.server import SimulatorServer
from tests.chaos import faults, invariants, secrets, snapshots
from tests.chaos.workload import Nic, Workload, _connect
from tests.cluster import three_controllers

CLOUD = "chaos"
SERVERS = (  # the fixture's servers with a profile, On and Off
    "Frame1, bay 1",
    "Frame1, bay 2",
    "Frame2, bay 1",
    "Frame2, bay 2",
    "Frame2, bay 3",
    "Frame2, bay 8",
)
NICS = ("Mezz 3:1-b", "Mezz 3:2-b", "Mezz 3:1-c")  # free on each (the fixture uses 3:1-a, 3:2-a)
VLANS = range(700, 724)  # no foreign network of the fixture uses these
LOG = logging.getLogger(__name__)


@dataclass
class Settings:
    seed: int
    duration: float  # seconds of workload under faults
    workdir: Path
    outage: float = 60.0
    clients: int = 4
    converge_timeout: float = 240.0


@dataclass
class Report:
    seed: int
    duration: float
    operations: dict[str, dict[str, int]] = field(default_factory=dict)
    client_errors: dict[str, int] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)
    fault_log: list[dict[str, Any]] = field(default_factory=list)
    converge_seconds: float | None = None
    violations: list[str] = field(default_factory=list)
    final: dict[str, int] = field(default_factory=dict)
    logs_searched: int = 0
    converge_trace: list[dict[str, Any]] = field(default_factory=list)
    wall_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        ops = sum(sum(kinds.values()) for kinds in self.operations.values())
        return (
            f"chaos seed={self.seed} duration={self.duration:.0f}s operations={ops} "
            f"faults={self.faults} converge={self.converge_seconds}s "
            f"violations={len(self.violations)} wall={self.wall_seconds:.0f}s"
        )


def chaos_run(settings: Settings) -> Report:
    started = time.monotonic()
    report = Report(settings.seed, settings.duration)
    password = f"chaos-{settings.seed}-{token_source.token_hex(12)}"
    settings.workdir.mkdir(parents=True, exist_ok=True)
    sim_log = settings.workdir / "simulator.log"
    with (
        _captured_log(sim_log),
        SimulatorServer(tls_dir=settings.workdir / "tls", password=password) as sim,
        three_controllers(
            sim,
            settings.workdir / "cloud",
            cloud_name=CLOUD,
            oneview_options={"sync_interval": 30},
            debug=True,
        ) as cloud,
    ):
        store = sim.appliance.store
        mapping = snapshots.mapping(store, CLOUD)
        baseline = invariants.baseline_of(snapshots.oneview_state(store), mapping)
        injected = _Injected(sim.url, str(sim.ca_file))
        _under_faults(settings, cloud, sim, injected, report)
        report.converge_seconds, report.violations = _converge(
            settings, cloud, store, baseline, report.converge_trace
        )
        report.final = _final_counts(cloud)
        report.faults.update(injected.counts)
        issued = injected.player.admin("GET", "/sessions/issued")["sessions"]
        status = secrets.status_output(cloud.hosts[0].config_files)
        log_paths = cloud.log_paths()
    # After the processes stopped: what they logged on the way out is searched too.
    texts = secrets.read_logs([*log_paths, sim_log])
    texts["networking-oneview status"] = status
    texts["report"] = repr(report)
    report.violations += secrets.leaks(texts, secrets.secrets_of(password, issued))
    report.faults["sessions-issued"] = len(issued)
    report.logs_searched = len(texts)
    report.wall_seconds = round(time.monotonic() - started, 1)
    return report


class _Injected:
    """Counts what the simulator actually did: 5xx answers, resets, failed and slow tasks."""

    def __init__(self, sim_url: str, ca_file: str) -> None:
        self.player = faults.Player(sim_url, ca_file, None, 0)
        self.counts: dict[str, int] = {"http-5xx": 0, "reset": 0, "task-failed": 0, "task-slow": 0}

    def collect(self) -> None:
        """Read and clear the simulator's request log and task history (they are bounded)."""
        log = self.player.admin("GET", "/requests")["log"]
        tasks = self.player.admin("GET", "/tasks")["tasks"]
        self.player.admin("DELETE", "/requests")
        self.counts["http-5xx"] += sum(1 for r in log if r["status"] >= 500)
        self.counts["reset"] += sum(1 for r in log if r["status"] == 0)
        ended = [t for t in tasks if t.get("ended") is not None]
        self.counts["task-failed"] += sum(1 for t in ended if t.get("state") == "Error")
        self.counts["task-slow"] += sum(1 for t in ended if t["ended"] - t["started"] >= 1.0)


def _under_faults(settings: Settings, cloud: Any, sim: Any, injected: _Injected, report) -> None:
    """The workload on its threads while the schedule plays; both stopped after ``duration``."""
    workload = Workload(
        cloud.urls, _nics(sim.appliance.store), VLANS, settings.seed, settings.clients
    )
    player = faults.Player(sim.url, str(sim.ca_file), cloud, settings.seed)
    actions = faults.schedule(settings.seed, settings.duration, settings.outage)
    stop_workload, stop_faults = threading.Event(), threading.Event()
    threads = [
        threading.Thread(target=workload.run, args=(stop_workload,), name="chaos-workload"),
        threading.Thread(target=player.play, args=(actions, stop_faults), name="chaos-faults"),
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + settings.duration
    while time.monotonic() < deadline:
        time.sleep(min(5.0, max(0.0, deadline - time.monotonic())))
        injected.collect()
    stop_workload.set()
    stop_faults.set()
    for thread in threads:
        thread.join()
    player.end()
    injected.collect()
    report.operations = workload.tally.report()
    report.client_errors = dict(workload.tally.errors)
    report.faults.update(player.counts)
    report.fault_log = player.log


def _nics(store: Any) -> list[Nic]:
    state = snapshots.oneview_state(store)
    where = {location: mac for mac, location in state.nic_of_mac.items()}
    return [Nic(server, nic, where[(server, nic)]) for server in SERVERS for nic in NICS]


def _converge(
    settings: Settings, cloud: Any, store: Any, baseline, trace: list[dict[str, Any]]
) -> tuple[float | None, list]:
    """Seconds until the checker finds nothing (None: the deadline passed) and what it found;
    ``trace`` gets each look (time, count, the first few), to tell what was slow to converge."""
    start = time.monotonic()
    mapping = snapshots.mapping(store, CLOUD)
    conn = _connect(cloud.hosts[0].url)
    violations: list[str] = ["not checked yet"]
    while time.monotonic() - start < settings.converge_timeout:
        try:
            neutron = snapshots.neutron_state(conn)
        except Exception as error:
            LOG.info("chaos: Neutron not readable yet: %s", error)
            time.sleep(2)
            continue
        violations = invariants.check(neutron, snapshots.oneview_state(store), baseline, mapping)
        elapsed = round(time.monotonic() - start, 1)
        trace.append({"t": elapsed, "violations": len(violations), "first": violations[:3]})
        if not violations:
            return elapsed, []
        time.sleep(2)
    return None, violations


def _final_counts(cloud: Any) -> dict[str, int]:
    neutron = snapshots.neutron_state(_connect(cloud.hosts[0].url))
    bound = [p for p in neutron.ports if invariants.is_bound(p)]
    return {
        "networks": len(neutron.networks),
        "ports": len(neutron.ports),
        "bound-ports": len(bound),
        "active-ports": sum(1 for p in neutron.ports if p.status == "ACTIVE"),
    }


@contextlib.contextmanager
def _captured_log(path: Path) -> Iterator[None]:
    """This process's log (simulator, harness) at debug level into ``path``, for the grep."""
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
