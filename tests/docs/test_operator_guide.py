"""docs/operator-guide.md, run as written: its ``ini`` blocks become the configuration files and
each command of its ``console`` blocks runs in a shell, in the guide's order, against the OneView
simulator and a fresh MariaDB database.  Only the appliance's address, the UUIDs, the database
URL and ``/etc/neutron`` are replaced, by the values of this test's site."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from oneview_simulator.server import SimulatorServer
from tests.mariadb import fresh_database

pytestmark = pytest.mark.mariadb

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "operator-guide.md"
FILE_MARK = re.compile(r"<!-- file: (\S+) -->\n```ini\n(.*?)```", re.S)
CONSOLE = re.compile(r"```console\n(.*?)```", re.S)
#: The guide's account, kept as written: the simulator is started with it.
USERNAME, PASSWORD = "openstack-neutron", "s3cret-from-your-vault"


@dataclass(frozen=True)
class Guide:
    files: dict[str, str]  # path in the guide -> its text (blocks of one file joined)
    commands: list[str]  # every "$ " line of every console block, in order


def read_guide() -> Guide:
    text = GUIDE.read_text()
    files: dict[str, str] = {}
    for path, body in FILE_MARK.findall(text):
        files[path] = files.get(path, "") + body
    commands = [
        line[2:]
        for block in CONSOLE.findall(text)
        for line in block.splitlines()
        if line.startswith("$ ")
    ]
    return Guide(files, commands)


@dataclass(frozen=True)
class Site:
    root: Path  # stands for /
    replacements: dict[str, str]

    def localize(self, text: str) -> str:
        for old, new in self.replacements.items():
            text = text.replace(old, new)
        return text


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("operator-guide")
    with (
        fresh_database("oneview_guide") as database,
        SimulatorServer(tls_dir=root / "tls", username=USERNAME, password=PASSWORD) as sim,
    ):
        store = sim.appliance.store
        lig = store.members("/rest/logical-interconnect-groups")[0]["uri"].rsplit("/", 1)[-1]
        provisioning = next(
            n for n in store.members("/rest/ethernet-networks") if n["name"] == "provisioning"
        )["uri"].rsplit("/", 1)[-1]
        etc = root / "etc" / "neutron"
        etc.mkdir(parents=True)
        shutil.copy(sim.ca_file, etc / "oneview-ca.pem")
        yield Site(
            root,
            {
                "https://oneview.example.org": sim.url,
                "oneview.example.org": sim.url.removeprefix("https://"),
                "LIG_UUID": lig,
                "PROVISIONING_NETWORK_UUID": provisioning,
                "mysql+pymysql://neutron:DB_PASSWORD@db.example.org/neutron": database,
                "/etc/neutron/": f"{etc}/",
            },
        )


@pytest.fixture(scope="module")
def guide(site: Site) -> Guide:
    guide = read_guide()
    for path, body in guide.files.items():
        target = Path(site.localize(path))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(site.localize(body))
    return guide


def run(site: Site, command: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run(
        ["bash", "-euc", site.localize(command)],
        env=env,
        cwd=site.root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_guide_has_its_configuration_files_and_commands():
    guide = read_guide()
    assert set(guide.files) == {
        "/etc/neutron/neutron.conf",
        "/etc/neutron/plugins/ml2/ml2_conf.ini",
        "/etc/neutron/plugins/ml2/ml2_conf_1x.ini",
    }
    assert len(guide.commands) >= 6


def test_every_command_of_the_guide_succeeds_in_order(guide: Guide, site: Site):
    for command in guide.commands:
        result = run(site, command)
        assert result.returncode == 0, f"$ {command}\n{result.stdout}\n{result.stderr}"


def test_check_config_says_both_configurations_of_the_guide_are_ready(guide: Guide, site: Site):
    checks = [c for c in guide.commands if c.startswith("networking-oneview check-config")]
    assert len(checks) == 2  # the new names, and release 1.x's
    for check in checks:
        result = run(site, check)
        assert "OK: the oneview driver can start and serve" in result.stdout, result.stdout
