"""The ``openstack`` commands the serving demo prints, pasted as a user would: read from the demo's
own output and run with python-openstackclient in a shell, against the running demo."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "tools" / "demo.py"
SERVING = "Serving; stop with Ctrl-C."
STARTUP = 150.0


@dataclass(frozen=True)
class Walkthrough:
    exports: list[str]  # "export NAME=VALUE" lines, as printed
    commands: list[str]  # "openstack ..." lines, as printed


def read_until_serving(process: subprocess.Popen[str]) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        line = process.stdout.readline()  # type: ignore[union-attr]
        if not line:
            break  # the demo ended
        lines.append(line.rstrip("\n"))
        if line.strip() == SERVING:
            return lines
    raise AssertionError("the demo did not start serving:\n" + "\n".join(lines))


@pytest.fixture(scope="module")
def walkthrough(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walkthrough]:
    env = dict(os.environ, TMPDIR=str(tmp_path_factory.mktemp("demo-cli")))
    process = subprocess.Popen(
        [sys.executable, str(DEMO)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = [line.strip() for line in read_until_serving(process)]
        yield Walkthrough(
            exports=[line for line in lines if line.startswith("export OS_")],
            commands=[line for line in lines if line.startswith("openstack ")],
        )
    finally:
        process.send_signal(signal.SIGTERM)  # the demo stops its processes on SIGTERM
        process.communicate(timeout=60)


def paste(walkthrough: Walkthrough, command: str) -> str:
    """Run ``command`` in a shell after the printed exports, as a user pasting them would."""
    script = "\n".join([*walkthrough.exports, command])
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    result = subprocess.run(
        ["bash", "-euc", script], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, f"$ {command}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def fields(table: str) -> dict[str, str]:
    """``| Field | Value |`` rows of an openstack ``show`` table."""
    rows = [line.strip("|").split("|") for line in table.splitlines() if line.startswith("| ")]
    return {key.strip(): value.strip() for key, value in rows}


def command_starting(walkthrough: Walkthrough, prefix: str) -> str:
    found = [c for c in walkthrough.commands if c.startswith(prefix)]
    assert len(found) == 1, (prefix, walkthrough.commands)
    return found[0]


def test_the_demo_prints_the_environment_and_the_commands(walkthrough: Walkthrough):
    assert [e.split("=", 1)[0] for e in walkthrough.exports] == [
        "export OS_AUTH_TYPE",
        "export OS_ENDPOINT",
    ]
    assert len(walkthrough.commands) == 6


def test_the_pasted_commands_create_bind_and_delete(walkthrough: Walkthrough):
    for command in walkthrough.commands[:2]:  # network create, port create
        paste(walkthrough, command)

    network = fields(paste(walkthrough, command_starting(walkthrough, "openstack network show")))
    assert network["provider:segmentation_id"] == "200"

    show = command_starting(walkthrough, "openstack port show")
    deadline = time.monotonic() + 60
    while (shown := fields(paste(walkthrough, show)))["status"] != "ACTIVE":
        assert time.monotonic() < deadline, f"the port never turned ACTIVE: {shown}"
        time.sleep(1)
    assert shown["binding_vif_type"] == "other"

    for command in walkthrough.commands[4:]:  # port delete, network delete
        paste(walkthrough, command)
    assert "cli-net" not in paste(walkthrough, "openstack network list -f value -c Name")
