"""``networking-oneview check-config`` tells an operator whether the driver can start."""

from __future__ import annotations

import pytest

from networking_oneview.cli import main


@pytest.fixture
def config_file(tmp_path, simulator):
    store = simulator.appliance.store
    lig_id = store.members("/rest/logical-interconnect-groups")[0]["uri"].rsplit("/", 1)[-1]

    def write(mappings: str, password: str = "simulator") -> str:
        path = tmp_path / "neutron.conf"
        path.write_text(
            "[ml2_type_vlan]\nnetwork_vlan_ranges = physnet1:1:100\n"
            "[ml2_type_flat]\nflat_networks = flatnet\n"
            f"[oneview]\nmanager_url = {simulator.url}\nusername = Administrator\n"
            f"password = {password}\ntls_cacert_file = {simulator.ca_file}\n"
            f"uplinkset_mappings = {mappings.format(lig=lig_id)}\n"
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
