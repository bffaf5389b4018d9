"""Ironic's own network-interface code in a process of its own (``tools/ironic_driver.py``).

    with IronicDriver(neutron_api.url, networks, workdir=tmp) as ironic:
        ironic.enroll(node={...}, ports=[...])
        answer = ironic.network("add_cleaning_network", state="cleaning")

The script runs with the interpreter that has the ``ironic`` package: the project venv's (where
``tools/ironic_venv.sh`` installs it, so ``sys.executable``), or ``$IRONIC_VENV/bin/python``
when that variable names a venv of its own.  It is started in its own session and stopped by
its process id (``quit`` on stdin, then SIGTERM and SIGKILL to its process group); its log and
Ironic's (``ironic.log``) stay in the work directory.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "ironic_driver.py"


class IronicDriverError(RuntimeError):
    """The Ironic driver process failed or did not answer; the message has its log."""


def ironic_python() -> str:
    venv = os.environ.get("IRONIC_VENV")
    return str(Path(venv) / "bin" / "python") if venv else sys.executable


def ironic_missing(python: str | None = None) -> str | None:
    """Why Ironic cannot run here (None when it can)."""
    python = python or ironic_python()
    if not Path(python).exists():
        return f"{python} does not exist (run tools/ironic_venv.sh)"
    probe = (
        "import ironic.conductor.task_manager, ironic.version as v; "
        "print(v.version_info.release_string())"
    )
    result = subprocess.run(
        [python, "-W", "ignore", "-c", probe], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return f"ironic is not installed for {python} (run tools/ironic_venv.sh)"
    version = result.stdout.strip()
    if not version.startswith("39."):
        return f"ironic {version} found, the test is written for 39.x (tools/ironic_venv.sh)"
    return None


@dataclass(frozen=True)
class IronicNetworks:
    """Neutron network IDs for Ironic's ``[neutron]`` provisioning/cleaning/rescuing options."""

    provisioning: str
    cleaning: str
    rescuing: str


class IronicDriver:
    """``tools/ironic_driver.py`` as a child process: one JSON request, one JSON answer."""

    def __init__(
        self,
        neutron_url: str,
        networks: IronicNetworks,
        *,
        workdir: str | Path,
        max_attempts: int = 30,
        retry_interval: int = 1,
        call_timeout: float = 120.0,
        startup_timeout: float = 60.0,
        stop_timeout: float = 10.0,
    ) -> None:
        self.neutron_url = neutron_url
        self.networks = networks
        self.workdir = Path(workdir)
        self.max_attempts = max_attempts
        self.retry_interval = retry_interval
        self.call_timeout = call_timeout
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.process: subprocess.Popen[str] | None = None
        self._answers: queue.Queue[str | None] = queue.Queue()
        self._log: Any = None

    @property
    def log_path(self) -> Path:
        return self.workdir / "ironic-driver.log"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def log_tail(self, lines: int = 40) -> str:
        parts = []
        for path in (self.log_path, self.workdir / "ironic.log"):
            if path.exists():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(parts) or "(no log)"

    # -- life cycle ----------------------------------------------------------------------------
    def start(self) -> IronicDriver:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("a")
        command = [
            ironic_python(),
            str(SCRIPT),
            "--workdir",
            str(self.workdir),
            "--neutron-url",
            self.neutron_url,
            "--provisioning-network",
            self.networks.provisioning,
            "--cleaning-network",
            self.networks.cleaning,
            "--rescuing-network",
            self.networks.rescuing,
            "--max-attempts",
            str(self.max_attempts),
            "--retry-interval",
            str(self.retry_interval),
        ]
        env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONWARNINGS="ignore")
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            env=env,
            cwd=self.workdir,
            start_new_session=True,  # its own process group, stopped by its id
        )
        threading.Thread(target=self._read, name="ironic-driver-stdout", daemon=True).start()
        try:
            ready = self._answer(self.startup_timeout)
            if not ready.get("ready"):
                raise IronicDriverError(f"Ironic did not start: {ready}\n{self.log_tail()}")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                process.stdin.write('{"cmd": "quit"}\n')  # type: ignore[union-attr]
                process.stdin.flush()  # type: ignore[union-attr]
            try:
                process.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                _terminate_group(process, self.stop_timeout)
        if process is not None:
            for stream in (process.stdin, process.stdout):
                with contextlib.suppress(OSError):
                    stream.close()  # type: ignore[union-attr]
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> IronicDriver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- requests ------------------------------------------------------------------------------
    def call(self, **request: Any) -> dict[str, Any]:
        if self.process is None or self.process.poll() is not None:
            raise IronicDriverError(f"the Ironic driver is not running:\n{self.log_tail()}")
        self.process.stdin.write(json.dumps(request) + "\n")  # type: ignore[union-attr]
        self.process.stdin.flush()  # type: ignore[union-attr]
        return self._answer(self.call_timeout)

    def enroll(self, node: dict[str, Any], ports: list[dict[str, Any]]) -> dict[str, Any]:
        return self._ok(self.call(cmd="enroll", node=node, ports=ports))

    def update_node(self, **fields: Any) -> dict[str, Any]:
        return self._ok(self.call(cmd="update_node", fields=fields))

    def ports(self) -> dict[str, Any]:
        return self._ok(self.call(cmd="ports"))

    def network(self, method: str, state: str | None = None, **args: Any) -> dict[str, Any]:
        """``task.driver.network.METHOD(task)`` with the node in provision state ``state``.

        The answer comes back whether Ironic succeeded or not (``ok``, ``error``); ``waits`` says
        which Neutron port statuses Ironic waited for and how long.
        """
        return self.call(cmd="network", method=method, provision_state=state, args=args)

    def _ok(self, answer: dict[str, Any]) -> dict[str, Any]:
        if not answer.get("ok"):
            raise IronicDriverError(f"{answer.get('error_type')}: {answer.get('error')}")
        return answer

    def _read(self) -> None:
        process = self.process
        assert process is not None and process.stdout is not None
        for line in process.stdout:
            self._answers.put(line)
        self._answers.put(None)

    def _answer(self, timeout: float) -> dict[str, Any]:
        try:
            line = self._answers.get(timeout=timeout)
        except queue.Empty:
            raise IronicDriverError(
                f"no answer from the Ironic driver within {timeout:.0f} s:\n{self.log_tail()}"
            ) from None
        if line is None:
            raise IronicDriverError(f"the Ironic driver exited:\n{self.log_tail()}")
        return json.loads(line)


def _terminate_group(process: subprocess.Popen[str], timeout: float) -> None:
    """SIGTERM, then SIGKILL, to the process group the driver leads (its pid)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout)
            break
        except subprocess.TimeoutExpired:
            continue
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
