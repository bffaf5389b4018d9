"""Two distributions from one repository: the driver's wheel carries no simulator, and the
simulator's wheel carries its fixtures and command."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def wheel_of(project: Path, out: Path) -> zipfile.ZipFile:
    """Build ``project``'s wheel as pip would for an install (isolated build, no dependencies)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(project)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = out.glob("*.whl")
    return zipfile.ZipFile(wheel)


@pytest.fixture(scope="module")
def driver_wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    return wheel_of(ROOT, tmp_path_factory.mktemp("driver-wheel"))


@pytest.fixture(scope="module")
def simulator_wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    return wheel_of(ROOT / "simulator", tmp_path_factory.mktemp("simulator-wheel"))


def metadata(wheel: zipfile.ZipFile, name: str) -> str:
    (path,) = [n for n in wheel.namelist() if n.endswith(f".dist-info/{name}")]
    return wheel.read(path).decode()


def test_the_drivers_wheel_holds_no_simulator(driver_wheel):
    names = driver_wheel.namelist()
    assert any(n.startswith("networking_oneview/") for n in names)
    assert not [n for n in names if n.startswith("oneview_simulator")]
    assert "oneview-simulator" not in metadata(driver_wheel, "entry_points.txt")


def test_the_drivers_runtime_requirements_name_no_simulator(driver_wheel):
    runtime = [
        line
        for line in metadata(driver_wheel, "METADATA").splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]
    assert runtime, "no runtime requirements at all"
    assert not [line for line in runtime if "simulator" in line or "flask" in line.lower()]


def test_the_simulators_wheel_has_its_fixture_and_command(simulator_wheel):
    assert "oneview_simulator/fixtures/default.json" in simulator_wheel.namelist()
    assert "oneview-simulator = oneview_simulator.cli:main" in metadata(
        simulator_wheel, "entry_points.txt"
    )


def test_both_take_their_version_from_the_git_tags(driver_wheel, simulator_wheel):
    versions = {
        metadata(w, "METADATA").split("\nVersion: ")[1].split("\n")[0]
        for w in (driver_wheel, simulator_wheel)
    }
    assert len(versions) == 1
    assert not versions & {"2.0.0.dev0", "0.0.0"}, versions
