"""A real Neutron API process with the ``oneview`` mechanism driver, pointed at a OneView.

Used by the demo (``tools/demo.py``) and the end-to-end tests (``tests/e2e``)::

    with SimulatorServer() as sim, NeutronAPI(OneViewTarget.from_simulator(sim)) as neutron:
        conn = neutron.connection()          # openstacksdk, no Keystone (auth_strategy noauth)
        conn.network.create_network(project_id="demo", ...)

In a temporary directory it writes ``neutron.conf``, ``ml2_conf.ini``, ``policy.yaml`` and a copy
of the venv's ``api-paste.ini``; builds a SQLite database (Neutron's schema from its models, as
``neutron-db-manage upgrade`` cannot run Neutron's migrations on SQLite, plus our own alembic
branch, then ``neutron-db-manage --subproject neutron stamp heads``); serves
``neutron.wsgi.api:application`` with waitress and, optionally, runs what
``neutron-periodic-workers`` runs, so our ``OneViewWorker`` does its periodic full sync (both
through ``tools/neutron_launcher.py``, which also makes SQLite queue concurrent transactions
instead of failing them).  The driver's background reconciler runs inside the API process: that
is what makes OneView catch up after each API call.

Every process runs in its own session and is stopped by its id (SIGTERM to its process group,
SIGKILL after a timeout) by ``stop()``, which ``__exit__`` always calls; ``kill()`` SIGKILLs one
of them with all it forked, as a crash would, and ``start_api()`` / ``start_periodic_workers()``
start them again.  Several instances with their own ``host`` and ``database_url`` (one Galera node
each, ``build_db=False`` on all but the first) stand for several controller hosts.
When ``start()`` fails it stops what it started and raises ``NeutronAPIError`` with the end of
the failing log; the work directory is then kept for a look (``stop()`` removes it).
Run as a script it only builds the database::

    python tools/neutron_api.py build-db SQLALCHEMY_URL
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
LAUNCHER = HERE / "neutron_launcher.py"
PROJECT_ID = "demo-project"
# What a started neutron-periodic-workers logs once our OneViewWorker ran its first full sync.
WORKER_READY = "Full sync:"
EVENTLET_WARNING = "ignore::Warning:futurist._utils"


class NeutronAPIError(RuntimeError):
    """The Neutron API (or its worker process) could not be set up; the message has its log."""


@dataclass(frozen=True)
class OneViewTarget:
    """Where the driver finds OneView and how the physnets map onto it."""

    manager_url: str
    ca_file: str
    lig_id: str
    provisioning_network_id: str
    username: str
    password: str

    @classmethod
    def from_simulator(cls, sim: Any, provisioning_name: str = "provisioning") -> OneViewTarget:
        """The target for a running ``SimulatorServer``: its (first) LIG and provisioning net."""
        store = sim.appliance.store
        lig = store.members("/rest/logical-interconnect-groups")[0]
        prov = next(
            n for n in store.members("/rest/ethernet-networks") if n["name"] == provisioning_name
        )
        settings = sim.appliance.settings
        return cls(
            manager_url=sim.url,
            ca_file=str(sim.ca_file),
            lig_id=_last(lig["uri"]),
            provisioning_network_id=_last(prov["uri"]),
            username=settings.username,
            password=settings.password,
        )


def _last(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def venv_bin(name: str) -> str:
    """A console script of the interpreter running us (the project venv)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise NeutronAPIError(f"{name} not found next to {sys.executable}")
    return str(path)


def api_paste_ini() -> Path:
    """The ``api-paste.ini`` neutron ships into ``<venv>/etc/neutron/`` (or its tests' copy)."""
    candidates = [Path(sys.prefix) / "etc" / "neutron" / "api-paste.ini"]
    spec = importlib.util.find_spec("neutron")  # locate the package without importing it
    if spec is not None and spec.origin:
        candidates.append(Path(spec.origin).parent / "tests" / "etc" / "api-paste.ini")
    for path in candidates:
        if path.exists():
            return path
    raise NeutronAPIError(f"api-paste.ini not found (looked in {', '.join(map(str, candidates))})")


def _ini(sections: dict[str, dict[str, Any]]) -> str:
    lines: list[str] = []
    for section, options in sections.items():
        lines.append(f"[{section}]")
        for key, value in options.items():
            if isinstance(value, bool):
                value = str(value).lower()
            lines.append(f"{key} = {value}")
        lines.append("")
    return "\n".join(lines)


class NeutronAPI:
    """Neutron API (+ optional periodic workers) with our driver; a context manager."""

    def __init__(
        self,
        target: OneViewTarget,
        *,
        periodic_workers: bool = False,
        oneview_options: dict[str, Any] | None = None,
        cloud_name: str = "demo",
        mechanism_drivers: str = "oneview",
        workdir: str | Path | None = None,
        startup_timeout: float = 60.0,
        stop_timeout: float = 10.0,
        debug: bool = False,
        database_url: str | None = None,
        vlan_ranges: str = "physnet1:1:1000",
        host: str = "neutron-demo",
        build_db: bool = True,
    ) -> None:
        self.target = target
        self.host = host  # [DEFAULT] host: one controller's name, as each of three would have
        self.build_db = build_db  # False: another host's start() already built the database
        self.vlan_ranges = vlan_ranges  # [ml2_type_vlan] network_vlan_ranges
        self._database_url = database_url
        self.periodic_workers = periodic_workers
        self.cloud_name = cloud_name
        self.mechanism_drivers = mechanism_drivers
        self.oneview_options = dict(oneview_options or {})
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.debug = debug
        self._own_workdir = workdir is None
        self.workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="neutron-api-"))
        self.port: int | None = None
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: dict[str, Any] = {}

    # -- public --------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self.port is None:
            raise NeutronAPIError("the Neutron API is not started")
        return f"http://127.0.0.1:{self.port}/"

    @property
    def config_files(self) -> list[Path]:
        return [self.workdir / "neutron.conf", self.workdir / "ml2_conf.ini"]

    @property
    def database_url(self) -> str:
        """SQLite in the work directory, unless a (MariaDB) URL was given."""
        return self._database_url or f"sqlite:///{self.workdir / 'neutron.sqlite'}"

    @property
    def log_paths(self) -> dict[str, Path]:
        """Log file of each process: ``api`` and, when enabled, ``periodic-workers``."""
        names = ["build-db", "api"] + (["periodic-workers"] if self.periodic_workers else [])
        return {name: self.workdir / f"{name}.log" for name in names}

    @property
    def pids(self) -> dict[str, int]:
        return {name: p.pid for name, p in self._processes.items() if p.poll() is None}

    def group_pids(self, name: str) -> list[int]:
        """Every live process of ``name``: the launcher and all it forked (its process group).

        neutron-periodic-workers forks a worker process per plugin worker; ours applies the
        driver's work, so its PID (not the launcher's) is the one in its lease holder name.
        """
        process = self._processes.get(name)
        return [] if process is None else _live_group_members(process.pid)

    def kill(self, name: str) -> list[int]:
        """SIGKILL process ``name`` and every process it forked, as a crash or the OOM killer
        would: nothing gets to clean up or release what it holds.  Returns the killed PIDs."""
        process = self._processes.pop(name)
        pids = _live_group_members(process.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(self.stop_timeout)
        deadline = time.monotonic() + self.stop_timeout
        while _live_group_members(process.pid):
            if time.monotonic() > deadline:
                raise NeutronAPIError(f"{name}: processes of group {process.pid} outlived SIGKILL")
            time.sleep(0.05)
        handle = self._logs.pop(name, None)
        if handle is not None:
            handle.close()
        return pids

    def kill_periodic_workers(self) -> list[int]:
        """SIGKILL neutron-periodic-workers and its worker processes; returns their PIDs."""
        return self.kill("periodic-workers")

    def start_periodic_workers(self) -> None:
        """Start neutron-periodic-workers (again, e.g. after ``kill_periodic_workers``) and wait
        until our OneViewWorker ran its first full sync."""
        if "periodic-workers" in self._processes:
            raise NeutronAPIError("neutron-periodic-workers is already running")
        self.periodic_workers = True
        self._start_periodic_workers()

    def start_api(self) -> None:
        """Start the API again (e.g. after ``kill("api")``) on the port it had, so clients
        holding its URL reach it again once it answers."""
        if "api" in self._processes:
            raise NeutronAPIError("the Neutron API is already running")
        self._start_api()

    def connection(self) -> Any:
        """An openstacksdk Connection to this API (no Keystone; send ``project_id``)."""
        import openstack.connection

        return openstack.connection.Connection(auth_type="none", network_endpoint_override=self.url)

    def start(self) -> NeutronAPI:
        try:
            self.write_config()
            if self.build_db:
                self.build_database()
            self._start_api()
            if self.periodic_workers:
                self._start_periodic_workers()
        except BaseException:
            self.stop(clean=False)
            raise
        return self

    def stop(self, clean: bool = True) -> None:
        """Stop every process (SIGTERM, then SIGKILL); remove the temp dir when it is ours."""
        for name in list(self._processes):
            self._terminate(name)
        for handle in self._logs.values():
            handle.close()
        self._logs.clear()
        if clean and self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> NeutronAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log_tail(self, name: str, lines: int = 60) -> str:
        path = self.log_paths.get(name)
        if path is None or not path.exists():
            return f"(no {name} log)"
        text = path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    # -- configuration -------------------------------------------------------------------------
    def write_config(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "lock").mkdir(exist_ok=True)
        shutil.copy(api_paste_ini(), self.workdir / "api-paste.ini")
        policy = {
            f"{action}_port:binding:profile": "rule:admin_only or rule:service_api"
            for action in ("create", "update")
        }
        (self.workdir / "policy.yaml").write_text(
            "".join(f'"{rule}": "{check}"\n' for rule, check in policy.items())
        )
        neutron = {
            "DEFAULT": {
                "auth_strategy": "noauth",
                "transport_url": "fake:/",
                "core_plugin": "ml2",
                "service_plugins": "",
                "api_workers": 1,
                "rpc_workers": 0,
                "rpc_state_report_workers": 0,
                "notify_nova_on_port_status_changes": False,
                "notify_nova_on_port_data_changes": False,
                "dhcp_agent_notification": False,
                "state_path": self.workdir,
                "host": self.host,
                "debug": self.debug,
                "use_stderr": True,
            },
            "database": {"connection": self.database_url},
            # A rehearsal Neutron: no quota stands in the way of a benchmark's 1,000 networks.
            "quotas": {"quota_network": -1, "quota_subnet": -1, "quota_port": -1},
            "oslo_policy": {"policy_file": self.workdir / "policy.yaml"},
            "oslo_concurrency": {"lock_path": self.workdir / "lock"},
        }
        lig = self.target.lig_id
        oneview = {
            "manager_url": self.target.manager_url,
            "username": self.target.username,
            "password": self.target.password,
            "tls_cacert_file": self.target.ca_file,
            "uplinkset_mappings": f"physnet1:{lig}:US-Tagged,flatnet:{lig}:US-Untagged",
            "flat_net_mappings": f"prov:{self.target.provisioning_network_id}",
            "cloud_name": self.cloud_name,
            "polling_interval": 0.2,
            **self.oneview_options,
        }
        ml2 = {
            "ml2": {
                "mechanism_drivers": self.mechanism_drivers,
                "type_drivers": "flat,vlan,vxlan",
                "project_network_types": "vxlan",
                "extension_drivers": "",
            },
            "ml2_type_vlan": {"network_vlan_ranges": self.vlan_ranges},
            "ml2_type_flat": {"flat_networks": "flatnet,prov"},
            "ml2_type_vxlan": {"vni_ranges": "1:1000"},
            "oneview": oneview,
        }
        (self.workdir / "neutron.conf").write_text(_ini(neutron))
        (self.workdir / "ml2_conf.ini").write_text(_ini(ml2))

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["OS_NEUTRON_CONFIG_DIR"] = str(self.workdir)
        env["OS_NEUTRON_CONFIG_FILES"] = ";".join(p.name for p in self.config_files)
        env["PYTHONUNBUFFERED"] = "1"
        # futurist imports eventlet, which warns that it is deprecated: noise in every log.
        env.setdefault("PYTHONWARNINGS", EVENTLET_WARNING)
        return env

    # -- database ------------------------------------------------------------------------------
    def build_database(self) -> None:
        """On MariaDB ``neutron-db-manage upgrade heads``, as operators run it.  On SQLite
        (where Neutron's migrations cannot run) Neutron's schema from its models,
        ``stamp heads``, then our branch."""
        log = self.log_paths["build-db"]
        if not self.database_url.startswith("sqlite"):
            steps = [
                [
                    venv_bin("neutron-db-manage"),
                    *(f"--config-file={p}" for p in self.config_files),
                    "upgrade",
                    "heads",
                ]
            ]
        else:
            steps = [
                [sys.executable, str(Path(__file__).resolve()), "build-db", self.database_url],
                [
                    venv_bin("neutron-db-manage"),
                    *(f"--config-file={p}" for p in self.config_files),
                    "--subproject",
                    "neutron",
                    "stamp",
                    "heads",
                ],
            ]
        with log.open("ab") as out:
            for command in steps:
                result = subprocess.run(  # noqa: S603 - our own interpreter and console script
                    command,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=self._env(),
                    cwd=self.workdir,
                    timeout=max(self.startup_timeout, 300.0),
                    check=False,
                )
                if result.returncode != 0:
                    raise NeutronAPIError(
                        f"building the database failed ({Path(command[1]).name} exited "
                        f"{result.returncode}):\n{self.log_tail('build-db')}"
                    )

    # -- processes -----------------------------------------------------------------------------
    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        handle = self.log_paths[name].open("ab")
        self._logs[name] = handle
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and console scripts
            command,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=self._env(),
            cwd=self.workdir,
            start_new_session=True,  # its own process group: stop() reaches its children too
        )
        self._processes[name] = process
        return process

    def _start_api(self) -> None:
        port_file = self.workdir / "api.port"
        port = ["--port", str(self.port)] if self.port is not None else []  # a restart keeps it
        process = self._spawn(
            "api", [sys.executable, str(LAUNCHER), "api", "--port-file", str(port_file), *port]
        )
        deadline = time.monotonic() + self.startup_timeout
        while True:
            self._check_alive("api", process)
            if self.port is None and port_file.exists():
                self.port = int(port_file.read_text())
            if self.port is not None and self._answers():
                return
            if time.monotonic() > deadline:
                raise NeutronAPIError(
                    f"the Neutron API did not answer within {self.startup_timeout:.0f} s:\n"
                    f"{self.log_tail('api')}"
                )
            time.sleep(0.2)

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url, timeout=2) as response:  # noqa: S310 - http
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def _start_periodic_workers(self) -> None:
        log = self.log_paths["periodic-workers"]
        earlier = log.stat().st_size if log.exists() else 0  # a restart appends to the same log
        process = self._spawn(
            "periodic-workers", [sys.executable, str(LAUNCHER), "periodic-workers"]
        )
        deadline = time.monotonic() + self.startup_timeout
        while WORKER_READY.encode() not in log.read_bytes()[earlier:]:
            self._check_alive("periodic-workers", process)
            if time.monotonic() > deadline:
                raise NeutronAPIError(
                    "neutron-periodic-workers did not run the OneView full sync within "
                    f"{self.startup_timeout:.0f} s:\n{self.log_tail('periodic-workers')}"
                )
            time.sleep(0.2)

    def _check_alive(self, name: str, process: subprocess.Popen[bytes]) -> None:
        code = process.poll()
        if code is not None:
            raise NeutronAPIError(f"{name} exited with status {code}:\n{self.log_tail(name)}")

    def _terminate(self, name: str) -> None:
        process = self._processes.pop(name)
        if process.poll() is not None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)  # the group we created with start_new_session
            except ProcessLookupError:
                return
            try:
                process.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                continue
            # The leader is gone; give its children the same signal and a moment to go.
            _reap_group(process.pid, self.stop_timeout)
            return


def _live_group_members(pgid: int) -> list[int]:
    """PIDs of the processes in group ``pgid`` that are not zombies (Linux ``/proc``)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended while we looked
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
        state, _ppid, group = text[text.rindex(")") + 2 :].split()[:3]
        if int(group) == pgid and state != "Z":
            members.append(int(stat.parent.name))
    return sorted(members)


def _reap_group(pgid: int, timeout: float) -> None:
    """Wait until no process is left in group ``pgid``; SIGKILL the group if some linger."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


# -- database builder (runs in a subprocess: it imports all of Neutron's models) -------------------
def _build_db(url: str) -> None:
    import sqlalchemy as sa
    from neutron.db.migration.models import head

    from networking_oneview.db import migration

    def ours(name: str) -> bool:
        return name.startswith(migration.TABLE_PREFIX) or name == migration.VERSION_TABLE

    engine = sa.create_engine(url)
    try:
        metadata = head.get_metadata()
        metadata.create_all(engine, tables=[t for t in metadata.sorted_tables if not ours(t.name)])
        migration.upgrade(url)  # our own branch, as operators run it
    finally:
        engine.dispose()


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "build-db":
        sys.exit(f"usage: {sys.argv[0]} build-db SQLALCHEMY_URL")
    _build_db(sys.argv[2])


def create_baremetal_port(
    conn: Any,
    network_id: str,
    mac: str,
    node: str,
    *,
    bootable: bool | None = None,
    name: str = "",
) -> Any:
    """A Neutron port the way Ironic creates one for a node's NIC (openstacksdk ``conn``).

    ``switch_info.bootable`` is sent only when given, as an operator would set it on the Ironic
    port's ``local_link_connection``; Ironic itself sends none.
    """
    switch_info = {} if bootable is None else {"bootable": str(bootable).lower()}
    return conn.network.create_port(
        network_id=network_id,
        project_id=PROJECT_ID,
        name=name,
        mac_address=mac,
        device_owner="baremetal:none",
        device_id=node,
        binding_host_id=node,
        binding_vnic_type="baremetal",
        binding_profile={
            "local_link_information": [
                {
                    "switch_id": "01:23:45:67:89:ab",
                    "port_id": "1",
                    "switch_info": switch_info,
                }
            ]
        },
    )
