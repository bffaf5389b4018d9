"""``networking-oneview check-config`` tells an operator whether the driver can start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from oslo_config import cfg

from networking_oneview import cli


def main(argv):
    return cli.main(argv, cfg.ConfigOpts())  # keep the process-wide config untouched


@pytest.fixture
def config_file(tmp_path, simulator):
    store = simulator.appliance.store
    lig_id = store.members("/rest/logical-interconnect-groups")[0]["uri"].rsplit("/", 1)[-1]

    def write(mappings: str, password: str = "simulator", database: str = "") -> str:
        path = tmp_path / "neutron.conf"
        path.write_text(
            "[ml2_type_vlan]\nnetwork_vlan_ranges = physnet1:1:100\n"
            "[ml2_type_flat]\nflat_networks = flatnet\n"
            f"[oneview]\nmanager_url = {simulator.url}\nusername = Administrator\n"
            f"password = {password}\ntls_cacert_file = {simulator.ca_file}\n"
            f"uplinkset_mappings = {mappings.format(lig=lig_id)}\n"
            f"[database]\nconnection = {database or 'sqlite://'}\n"
        )
        return str(path)

    return write


def test_good_configuration_is_reported_ready(config_file, capsys):
    assert main(["check-config", "--config-file", config_file("physnet1:{lig}:US-Tagged")]) == 0
    assert "OK: the oneview driver can start and serve" in capsys.readouterr().out


def test_missing_uplink_set_is_named(config_file, capsys):
    assert main(["check-config", "--config-file", config_file("physnet1:{lig}:US-Nope")]) == 1
    assert "no uplink set named 'US-Nope'" in capsys.readouterr().out


def test_malformed_mapping_is_named(config_file, capsys):
    assert main(["check-config", "--config-file", config_file("physnet1:{lig}")]) == 1
    out = capsys.readouterr().out
    assert "uplinkset_mappings" in out and "PHYSNET:LIG_UUID:UPLINK_SET_NAME" in out


def test_wrong_password_is_reported_without_echoing_it(config_file, capsys):
    path = config_file("physnet1:{lig}:US-Tagged", password="hunter2-wrong")
    assert main(["check-config", "--config-file", path]) == 1
    out = capsys.readouterr().out
    assert "cannot use OneView" in out and "hunter2-wrong" not in out


@pytest.fixture
def database(tmp_path):
    """A database with our tables, as neutron-db-manage leaves it."""
    from networking_oneview.db import migration

    url = f"sqlite:///{tmp_path / 'neutron.sqlite'}"
    migration.upgrade(url)
    return url


def run_status(path: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "networking_oneview.cli", "status", "--config-file", path, *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_status_says_when_oneview_is_up_to_date(config_file, database):
    finished = run_status(config_file("physnet1:{lig}:US-Tagged", database=database))
    assert finished.returncode == 0, finished.stderr
    assert "nothing waiting" in finished.stdout


def test_status_lists_waiting_changes_with_their_last_error(config_file, database):
    import sqlalchemy as sa

    engine = sa.create_engine(database)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO oneview_pending_work (kind, object_id, created_at, not_before, "
                "attempts, last_error) VALUES ('network', 'net-1', '2026-11-22 00:00:00', "
                "'2999-01-01 00:00:00', 3, 'OneView unreachable')"
            )
        )
    path = config_file("physnet1:{lig}:US-Tagged", database=database)
    finished = run_status(path)
    assert finished.returncode == 1, finished.stderr
    assert "network net-1" in finished.stdout and "attempts 3" in finished.stdout
    assert "last error: OneView unreachable" in finished.stdout
    retried = run_status(path, "--retry-now")
    assert "1 waiting item(s) made due now" in retried.stdout


def test_the_command_prints_no_warning_noise_of_neutrons_imports(config_file):
    """Neutron's import announces eventlet's deprecation; an operator's command stays quiet."""
    command = Path(sys.executable).parent / "networking-oneview"
    result = subprocess.run(
        [str(command), "check-config", "--config-file", config_file("physnet1:{lig}:US-Tagged")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
