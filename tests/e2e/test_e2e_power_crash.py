"""A real neutron-periodic-workers process killed between a server's power-off and power-on.

Only the periodic workers apply work (``apply_in_api_workers = false``), on MariaDB.  A port
bound to a running server's free NIC needs a new connection, which OneView refuses while the
server is on, so the driver records the power-on it will owe and presses the power button.  The
operating system takes its time to shut down; in that window the process and everything it
forked is SIGKILLed.  The server ends up off with nobody left to power it on, which is what the
debt in ``oneview_power_restores`` is for: the next periodic workers finish the change and power
the server on, without a second power-off.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from tests.e2e.helpers import Neutron, OneView, wait_until
from tests.mariadb import fresh_database
from tools.neutron_api import NeutronAPI

pytestmark = pytest.mark.mariadb

SERVER = "Frame1, bay 1"  # powered on; profile dc-hypervisor-1 uses only Mezz 3:1-a
NIC = "Mezz 3:2-b"  # free: binding it adds a connection, which needs the server off
VLAN = 601
SHUTDOWN_SECONDS = 10.0  # the operating system's graceful shutdown: the window for the crash


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with fresh_database("oneview_e2e_power") as url:
        yield url


@pytest.fixture(scope="module")
def neutron_options(database: str) -> dict[str, Any]:
    return {
        "periodic_workers": True,
        "database_url": database,
        "oneview_options": {"apply_in_api_workers": False},
    }


def query(database: str, sql: str) -> list[sa.Row]:
    engine = sa.create_engine(database)
    try:
        with engine.begin() as conn:
            result = conn.execute(sa.text(sql))
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()


def owed_power_ons(database: str) -> list[str]:
    rows = query(database, "SELECT server_hardware_uri FROM oneview_power_restores")
    return [row.server_hardware_uri for row in rows]


def lease_holders(database: str) -> dict[tuple[str, str], str]:
    rows = query(
        database,
        "SELECT kind, object_id, lease_holder FROM oneview_pending_work "
        "WHERE lease_holder IS NOT NULL",
    )
    return {(row.kind, row.object_id): row.lease_holder for row in rows}


def expire_leases(database: str) -> None:
    """What LEASE_SECONDS (180 s) of waiting does to the dead holder's leases, without the wait."""
    query(
        database,
        "UPDATE oneview_pending_work SET lease_expires = '2000-01-01 00:00:00' "
        "WHERE lease_holder IS NOT NULL",
    )


def power_tasks(oneview: OneView) -> list[dict[str, Any]]:
    """Power operations on SERVER the appliance ran ("Power off", "Power on"), oldest first."""
    path = oneview.hardware(SERVER)["uri"] + "/powerState"
    return [t for t in oneview.sim.appliance.task_history if t["path"] == path]


def power_requests(oneview: OneView) -> list[dict[str, Any]]:
    return [r for r in oneview.sim.appliance.request_log if r["path"].endswith("/powerState")]


def connection_on_nic(oneview: OneView) -> dict[str, Any] | None:
    return next((c for c in oneview.connections(SERVER) if c["portId"] == NIC), None)


@dataclass(frozen=True)
class Crash:
    """What the periodic workers left behind when they were killed mid power cycle."""

    port: Any
    network_uri: str
    killed: list[int]  # PIDs of neutron-periodic-workers and the workers it forked
    power_at_kill: str
    power_tasks_at_kill: list[dict[str, Any]]
    leases_at_kill: dict[tuple[str, str], str]
    power_after: str  # once the shutdown the process asked for has run its course
    owed_after: list[str]
    connection_after: dict[str, Any] | None
    port_status_after: str


@pytest.fixture(scope="module")
def crash(neutron: Neutron, neutron_api: NeutronAPI, oneview: OneView, database: str) -> Crash:
    """Bind the port, SIGKILL the periodic workers as soon as OneView got the power-off request,
    and let the shutdown finish with no process of ours alive."""
    network = neutron.vlan_network(VLAN)
    vlan = wait_until(f"VLAN {VLAN} in OneView", lambda: oneview.fully_mirrored(VLAN))
    oneview.sim.appliance.faults.configure({"graceful_shutdown_seconds": SHUTDOWN_SECONDS})
    oneview.sim.appliance.clear_request_log()
    port = neutron.baremetal_port(network.id, oneview.mac_of(SERVER, NIC))
    wait_until("the power-off request", lambda: power_requests(oneview))
    killed = neutron_api.kill_periodic_workers()
    at_kill = {
        "power_at_kill": oneview.hardware(SERVER)["powerState"],
        "power_tasks_at_kill": power_tasks(oneview),
        "leases_at_kill": lease_holders(database),
    }
    wait_until(
        "the shutdown to end",
        lambda: power_tasks(oneview)[0]["ended"] is not None,
        timeout=SHUTDOWN_SECONDS + 10,
    )
    return Crash(
        port=port,
        network_uri=vlan["uri"],
        killed=killed,
        **at_kill,
        power_after=oneview.hardware(SERVER)["powerState"],
        owed_after=owed_power_ons(database),
        connection_after=connection_on_nic(oneview),
        port_status_after=neutron.status(port.id),
    )


@pytest.fixture(scope="module")
def recovery(crash: Crash, neutron: Neutron, neutron_api: NeutronAPI, database: str) -> Crash:
    """Start the periodic workers again and wait for the port to turn ACTIVE."""
    # The dead process's lease on the server's work would be taken over LEASE_SECONDS (180 s)
    # after its last renewal; expiring it in the database is exactly what that wait does.
    expire_leases(database)
    neutron_api.start_periodic_workers()
    wait_until("the port ACTIVE", lambda: neutron.status(crash.port.id) == "ACTIVE")
    return crash


def server_work(oneview: OneView) -> tuple[str, str]:
    return ("server", oneview.hardware(SERVER)["uri"].rsplit("/", 1)[-1])


def test_the_kill_came_between_the_power_off_request_and_the_server_being_off(crash: Crash):
    assert crash.power_at_kill == "PoweringOff"
    [power_off] = crash.power_tasks_at_kill
    assert power_off["name"] == "Power off" and power_off["ended"] is None


def test_the_killed_process_held_the_servers_work(crash: Crash, oneview: OneView):
    holder = crash.leases_at_kill[server_work(oneview)]
    assert int(holder.split(":")[1]) in crash.killed  # holders are host:pid:nonce


def test_the_server_is_left_off_with_its_power_on_owed_and_the_port_down(
    crash: Crash, oneview: OneView
):
    assert crash.power_after == "Off"
    assert crash.owed_after == [oneview.hardware(SERVER)["uri"]]
    assert crash.connection_after is None
    assert crash.port_status_after == "DOWN"


def test_the_next_periodic_workers_add_the_connection_and_the_port_goes_active(
    recovery: Crash, oneview: OneView
):
    connection = connection_on_nic(oneview)
    assert connection is not None and connection["networkUri"] == recovery.network_uri


def test_the_next_periodic_workers_power_the_server_on_without_another_power_off(
    recovery: Crash, oneview: OneView, database: str
):
    assert oneview.hardware(SERVER)["powerState"] == "On"
    assert [t["name"] for t in power_tasks(oneview)] == ["Power off", "Power on"]
    assert len(power_requests(oneview)) == 2  # one off before the kill, one on after it
    assert owed_power_ons(database) == []
