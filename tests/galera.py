"""A throwaway MariaDB Galera cluster on loopback, for the tests that must see Galera itself:
certification conflicts, writes on one node read on another, a node leaving and rejoining.

``galera_cluster(nodes=3)`` starts ``nodes`` ``mariadbd`` processes as the current user in a
temporary directory (each with its own datadir, SQL port, group-communication port, IST port and
rsync SST port, all chosen free at run time), bootstraps the first with ``--wsrep-new-cluster``,
joins the others one by one, waits until every node reports ``wsrep_cluster_size = nodes`` and
``Synced``, and creates one database. It stops every process it started, by PID, on the way out,
failures included. The MariaDB at 127.0.0.1:3306 (``tests/mariadb.py``) is not involved.

Without ``mariadbd``, ``mariadb-install-db``, rsync or the Galera provider (Debian:
``mariadb-server`` and ``galera-4``) the tests skip with the reason; under ``CI=true`` they fail
instead, like the MariaDB tests.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pymysql
import pytest

HOST = "127.0.0.1"
USER = "root"
DATABASE = "oneview_galera"
#: Where distributions put the Galera 4 provider.
PROVIDER_CANDIDATES = (
    "/usr/lib/galera/libgalera_smm.so",
    "/usr/lib/galera-4/libgalera_smm.so",
    "/usr/lib64/galera-4/libgalera_smm.so",
    "/usr/lib64/galera/libgalera_smm.so",
    "/usr/lib/x86_64-linux-gnu/galera/libgalera_smm.so",
)
#: How long one node may take to start, and to join (SST included).
START_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0


class GaleraUnavailable(Exception):
    """What is missing to run a Galera cluster here."""


def _which(name: str) -> str | None:
    path = os.environ.get("PATH", "") + os.pathsep + "/usr/sbin:/sbin:/usr/local/sbin"
    return shutil.which(name, path=path)


def find_binaries() -> tuple[str, str, str]:
    """``(mariadbd, mariadb-install-db, libgalera_smm.so)``, or ``GaleraUnavailable`` saying
    what is missing."""
    mariadbd = _which("mariadbd") or _which("mysqld")
    install_db = _which("mariadb-install-db") or _which("mysql_install_db")
    provider = next((p for p in PROVIDER_CANDIDATES if os.path.exists(p)), None)
    missing = []
    if mariadbd is None:
        missing.append("mariadbd (package mariadb-server)")
    if install_db is None:
        missing.append("mariadb-install-db (package mariadb-server)")
    if provider is None:
        missing.append("libgalera_smm.so (package galera-4)")
    if _which("rsync") is None or _which("wsrep_sst_rsync") is None:
        missing.append("rsync and wsrep_sst_rsync (packages rsync, mariadb-server)")
    if missing:
        raise GaleraUnavailable("Galera cluster unavailable: missing " + ", ".join(missing))
    return mariadbd, install_db, provider


def binaries_or_skip() -> tuple[str, str, str]:
    """``find_binaries()``; skip the test (fail it under ``CI=true``) when something is missing."""
    try:
        return find_binaries()
    except GaleraUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{exc}; CI=true requires the Galera tests to run", pytrace=False)
        pytest.skip(str(exc))


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _candidate_ports() -> range:
    """Ports below the kernel's ephemeral range, so that no outgoing connection takes one of ours
    between choosing it and a node (re)binding it (IST ports bind only when a node joins)."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    return range(10000, max(low - 1, 20000))


def free_port_pairs(count: int, taken: set[int]) -> list[int]:
    """``count`` ports ``p`` with ``p`` and ``p + 1`` both free (Galera's base port and the IST
    port right above it) and not in ``taken``; the chosen ports are added to ``taken``."""
    candidates = _candidate_ports()
    found: list[int] = []
    for _ in range(10_000):
        if len(found) == count:
            return found
        port = random.choice(candidates)
        if {port, port + 1} & taken or not (_port_is_free(port) and _port_is_free(port + 1)):
            continue
        taken.update({port, port + 1})
        found.append(port)
    raise RuntimeError("no free ports for the Galera cluster")


def free_ports(count: int, taken: set[int]) -> list[int]:
    candidates = _candidate_ports()
    found: list[int] = []
    for _ in range(10_000):
        if len(found) == count:
            return found
        port = random.choice(candidates)
        if port in taken or not _port_is_free(port):
            continue
        taken.add(port)
        found.append(port)
    raise RuntimeError("no free ports for the Galera cluster")


@dataclass
class GaleraNode:
    index: int
    directory: Path
    sql_port: int
    base_port: int  # group communication; IST listens on base_port + 1
    sst_port: int
    process: subprocess.Popen | None = None
    log: Path = field(init=False)
    config: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.directory / "error.log"
        self.config = self.directory / "my.cnf"

    @property
    def datadir(self) -> Path:
        return self.directory / "data"

    @property
    def gcomm(self) -> str:
        return f"{HOST}:{self.base_port}"

    def connect(self, database: str | None = None, timeout: float = 3) -> pymysql.Connection:
        return pymysql.connect(
            host=HOST,
            port=self.sql_port,
            user=USER,
            password="",
            database=database,
            connect_timeout=timeout,
            read_timeout=30,
            autocommit=True,
        )

    def status(self) -> dict[str, str]:
        """This node's ``wsrep_%`` status variables."""
        with contextlib.closing(self.connect()) as conn, conn.cursor() as cursor:
            cursor.execute("SHOW GLOBAL STATUS LIKE 'wsrep_%'")
            return {name: value for name, value in cursor.fetchall()}

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no error log)"


class GaleraCluster:
    """A running cluster: ``url(i)`` is node ``i``'s SQLAlchemy URL (0-based), ``stop_node(i)``
    and ``start_node(i)`` take one node out and bring it back (it rejoins through IST)."""

    def __init__(self, directory: Path, size: int, name: str) -> None:
        self.mariadbd, self.install_db, self.provider = find_binaries()
        self.directory = directory
        self.name = name
        self.database = DATABASE
        self.bin_dir = directory / "bin"
        self.rsync = _which("rsync")
        taken: set[int] = set()
        sql_ports = free_ports(size, taken)
        base_ports = free_port_pairs(size, taken)
        sst_ports = free_ports(size, taken)
        self.nodes = [
            GaleraNode(i, directory / f"node{i}", sql_ports[i], base_ports[i], sst_ports[i])
            for i in range(size)
        ]

    # -- URLs and status ---------------------------------------------------------------------

    def url(self, index: int) -> str:
        node = self.nodes[index]
        return f"mysql+pymysql://{USER}@{HOST}:{node.sql_port}/{self.database}?charset=utf8mb4"

    @property
    def urls(self) -> list[str]:
        return [self.url(i) for i in range(len(self.nodes))]

    def running(self) -> list[GaleraNode]:
        return [n for n in self.nodes if n.process is not None and n.process.poll() is None]

    def cluster_size(self, index: int) -> int:
        return int(self.nodes[index].status()["wsrep_cluster_size"])

    def query(self, index: int, sql: str) -> list[tuple]:
        """``sql`` in the cluster database on node ``index``, once that node has applied every
        write committed anywhere before (``wsrep_sync_wait``: Galera applies other nodes'
        writes asynchronously, so a plain read right after a commit elsewhere can miss it)."""
        connection = self.nodes[index].connect(self.database)
        with contextlib.closing(connection), connection.cursor() as cursor:
            cursor.execute("SET SESSION wsrep_sync_wait = 1")
            cursor.execute(sql)
            return list(cursor.fetchall())

    # -- set-up ----------------------------------------------------------------------------

    def _write_config(self, node: GaleraNode) -> None:
        address = ",".join(n.gcomm for n in self.nodes)
        provider_options = ";".join(
            [
                f"base_port={node.base_port}",
                f"gmcast.listen_addr=tcp://{HOST}:{node.base_port}",
                f"ist.recv_addr={HOST}:{node.base_port + 1}",
                "gcache.size=64M",
                # A node that leaves without saying so is evicted within seconds, not minutes.
                "evs.suspect_timeout=PT3S",
                "evs.inactive_timeout=PT6S",
                "evs.install_timeout=PT6S",
                "pc.wait_prim_timeout=PT30S",
            ]
        )
        lines = [
            "[mysqld]",
            f"datadir={node.datadir}",
            f"socket={node.directory / 'mysqld.sock'}",
            f"pid-file={node.directory / 'mysqld.pid'}",
            f"log-error={node.log}",
            f"tmpdir={node.directory / 'tmp'}",
            f"port={node.sql_port}",
            f"bind-address={HOST}",
            "skip-name-resolve",
            "character-set-server=utf8mb4",
            "collation-server=utf8mb4_general_ci",
            "default_storage_engine=InnoDB",
            "binlog_format=ROW",
            "innodb_autoinc_lock_mode=2",
            "innodb_buffer_pool_size=32M",
            "innodb_log_file_size=16M",
            "innodb_flush_log_at_trx_commit=0",
            "performance_schema=OFF",
            "max_connections=100",
            "wsrep_on=ON",
            f"wsrep_provider={self.provider}",
            f"wsrep_cluster_name={self.name}",
            f"wsrep_cluster_address=gcomm://{address}",
            f"wsrep_node_name=node{node.index}",
            f"wsrep_node_address={node.gcomm}",
            f"wsrep_node_incoming_address={HOST}:{node.sql_port}",
            f'wsrep_provider_options="{provider_options}"',
            f"wsrep_sst_method={'rsync_root' if os.geteuid() == 0 else 'rsync'}",
            f"wsrep_sst_receive_address={HOST}:{node.sst_port}",
            "wsrep_slave_threads=2",
        ]
        if os.geteuid() == 0:
            lines.append("user=root")  # mariadbd refuses to run as root otherwise
        node.config.write_text("\n".join(lines) + "\n")

    def install(self) -> None:
        """One ``mariadb-install-db``; every node starts from a copy of that datadir (the
        joiners' copies are replaced by the state transfer anyway)."""
        template = self.directory / "template"
        command = [
            self.install_db,
            "--no-defaults",
            f"--datadir={template}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
        ]
        if os.geteuid() == 0:
            command.append("--user=root")
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                f"mariadb-install-db failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        for node in self.nodes:
            node.directory.mkdir()
            (node.directory / "tmp").mkdir()
            shutil.copytree(template, node.datadir, symlinks=True)
            self._write_config(node)
        shutil.rmtree(template)
        if os.geteuid() == 0:
            self._root_rsync_wrapper()

    def _root_rsync_wrapper(self) -> None:
        """SST method ``rsync_root``: ``wsrep_sst_rsync`` with an ``rsync`` first on its PATH
        that keeps the joiner's rsync daemon (used for the IST hand-shake as well as for full
        transfers) running as root. Started by root, rsyncd otherwise switches to ``nobody``,
        which cannot write the root-owned datadir, and every state transfer fails. (A plain
        ``rsync`` wrapper is not enough: mariadbd puts its own bin directory first on PATH.)"""
        self.bin_dir.mkdir()
        rsync = self.bin_dir / "rsync"
        rsync.write_text(
            "#!/bin/sh\n"
            "prev=\n"
            'for arg in "$@"; do\n'
            '  if [ "$prev" = --config ]; then\n'
            '    { printf \'uid = root\\ngid = root\\n\'; cat "$arg"; } > "$arg.root" &&'
            ' mv "$arg.root" "$arg"\n'
            "  fi\n"
            '  prev="$arg"\n'
            "done\n"
            f'exec {self.rsync} "$@"\n'
        )
        sst = self.bin_dir / "wsrep_sst_rsync_root"
        sst.write_text(
            f'#!/bin/sh\nPATH="{self.bin_dir}:$PATH" exec {_which("wsrep_sst_rsync")} "$@"\n'
        )
        for script in (rsync, sst):
            script.chmod(0o755)

    # -- processes ---------------------------------------------------------------------------

    def _spawn(self, node: GaleraNode, bootstrap: bool) -> None:
        command = [self.mariadbd, f"--defaults-file={node.config}"]
        if bootstrap:
            command.append("--wsrep-new-cluster")
        env = dict(os.environ)
        # mariadbd runs the SST script (wsrep_sst_rsync) from PATH.
        env["PATH"] = os.pathsep.join(
            [str(self.bin_dir), env.get("PATH", ""), "/usr/bin:/bin:/usr/sbin:/sbin"]
        )
        with open(node.directory / "stdout.log", "ab") as out:
            node.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )

    def _wait_synced(self, node: GaleraNode, size: int, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        last = "not reachable yet"
        while time.monotonic() < deadline:
            if node.process is None or node.process.poll() is not None:
                code = None if node.process is None else node.process.returncode
                raise RuntimeError(
                    f"Galera node {node.index} exited ({code}) while starting:\n{node.log_tail()}"
                )
            try:
                status = node.status()
            except pymysql.err.Error as exc:
                last = str(exc)
            else:
                last = (
                    f"size={status.get('wsrep_cluster_size')} "
                    f"state={status.get('wsrep_local_state_comment')} "
                    f"ready={status.get('wsrep_ready')}"
                )
                if (
                    status.get("wsrep_cluster_size") == str(size)
                    and status.get("wsrep_local_state_comment") == "Synced"
                    and status.get("wsrep_ready") == "ON"
                ):
                    return
            time.sleep(0.2)
        raise RuntimeError(
            f"Galera node {node.index} not Synced in a cluster of {size} after {timeout:.0f}s "
            f"({last}):\n{node.log_tail()}"
        )

    def wait_all_synced(self, timeout: float = START_TIMEOUT) -> None:
        """Every running node Synced, in a cluster of exactly the running nodes."""
        running = self.running()
        for node in running:
            self._wait_synced(node, len(running), timeout)

    def start(self) -> None:
        first, *others = self.nodes
        self._spawn(first, bootstrap=True)
        self._wait_synced(first, 1)
        for count, node in enumerate(others, start=2):
            self._spawn(node, bootstrap=False)
            self._wait_synced(node, count)
        self.wait_all_synced()
        with contextlib.closing(first.connect()) as conn, conn.cursor() as cursor:
            cursor.execute(
                f"CREATE DATABASE `{self.database}` "
                "CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
            )

    def stop_node(self, index: int, timeout: float = STOP_TIMEOUT) -> None:
        """Shut node ``index`` down cleanly (SIGTERM, then SIGKILL if it hangs); the others
        carry on as a smaller cluster, which this waits for."""
        node = self.nodes[index]
        self._terminate(node, timeout)
        self.wait_all_synced()

    def kill_node(self, index: int, timeout: float = START_TIMEOUT) -> None:
        """SIGKILL node ``index`` (a crash, no goodbye): the others evict it after the
        ``evs`` timeouts above, and this waits until they are a Synced smaller cluster."""
        node = self.nodes[index]
        process = node.process
        if process is not None and process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)
        self.wait_all_synced(timeout)

    def start_node(self, index: int) -> None:
        """Bring node ``index`` back: it rejoins (IST from the gcache) and the whole cluster is
        Synced again when this returns."""
        node = self.nodes[index]
        if node.process is not None and node.process.poll() is None:
            raise RuntimeError(f"Galera node {index} is already running")
        self._spawn(node, bootstrap=False)
        self.wait_all_synced()

    @staticmethod
    def _terminate(node: GaleraNode, timeout: float = STOP_TIMEOUT) -> None:
        process = node.process
        if process is None or process.poll() is not None:
            return
        try:
            os.kill(process.pid, signal.SIGTERM)
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=timeout)
        except ProcessLookupError:
            pass

    def stop(self) -> None:
        """Stop every node this cluster started, by PID; the last one standing goes last."""
        for node in reversed(self.nodes):
            self._terminate(node)


@contextlib.contextmanager
def galera_cluster(nodes: int = 3) -> Iterator[GaleraCluster]:
    """A running ``nodes``-node Galera cluster on 127.0.0.1 with an empty database
    (``cluster.database``) created; torn down, directory and all, afterwards."""
    binaries_or_skip()
    directory = Path(tempfile.mkdtemp(prefix="galera-"))
    cluster = GaleraCluster(directory, nodes, name=f"oneview-{uuid.uuid4().hex[:8]}")
    try:
        cluster.install()
        cluster.start()
        yield cluster
    finally:
        try:
            cluster.stop()
        finally:
            if os.environ.get("GALERA_KEEP_DIR"):  # for debugging: logs and datadirs stay
                print(f"Galera cluster directory kept: {directory}")
            else:
                shutil.rmtree(directory, ignore_errors=True)
