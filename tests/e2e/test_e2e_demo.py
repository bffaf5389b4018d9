"""``tools/demo.py``, the demo users run, as a user runs it: a subprocess, checked by its output."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "tools" / "demo.py"


def _processes_mentioning(text: str) -> list[int]:
    """PIDs whose command line or environment mention ``text`` (our own user's processes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        for name in ("cmdline", "environ"):
            try:
                if text.encode() in (entry / name).read_bytes():
                    found.append(int(entry.name))
                    break
            except OSError:
                continue
    return found


def _run_demo(tmp_path: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, TMPDIR=str(tmp_path))  # the demo's Neutron work dir goes there
    process = subprocess.Popen(
        [sys.executable, str(DEMO), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)  # the demo stops its Neutron processes on SIGTERM
        out, _ = process.communicate(timeout=30)
        raise AssertionError(f"the demo did not finish in {timeout:.0f} s:\n{out}") from None
    return subprocess.CompletedProcess(process.args, process.returncode, out)


def test_demo_once_tells_the_whole_story_and_leaves_nothing_running(tmp_path: Path):
    start = time.monotonic()
    result = _run_demo(tmp_path, "--once")
    elapsed = time.monotonic() - start

    out = result.stdout
    assert result.returncode == 0, out
    for expected in (
        "Neutron API:",
        "with neutron-periodic-workers",
        '1. Neutron network "tenant-net" (vlan 100 on physnet1): API answered in',
        "OneView caught up",
        ": Tagged, VLAN 100",
        "member of LIG LIG-Synergy-VC / US-Tagged (template)",
        "member of LI LE-Frame1-LIG-Synergy-VC / US-Tagged",
        "member of LI LE-Frame2-LIG-Synergy-VC / US-Tagged",
        "status DOWN, vif_type other",
        "ACTIVE",
        "port Mezz 3:1-a",
        "boot Primary",
        "Deleted the port: its connection left the server profile",
        '"provisioning" stays',
        "After: OneView has 2 networks (datacenter-mgmt, provisioning)",
        "Demo story completed",
    ):
        assert expected in out, f"{expected!r} missing from the demo output:\n{out}"
    assert "FAILED" not in out
    assert elapsed < 90, f"the demo took {elapsed:.0f} s"
    assert _processes_mentioning(str(tmp_path)) == [], "the demo left processes running"
    assert list(tmp_path.iterdir()) == [], "the demo left its work dir behind"
