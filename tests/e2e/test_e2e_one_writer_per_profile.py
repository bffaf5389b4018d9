"""Several processes, one server: two Neutron API processes (two "hosts") with their background
reconcilers and neutron-periodic-workers all apply work for ports of the same server at once, on
MariaDB, with OneView tasks of 1.5 s.

The lease is per server, so the appliance never sees two profile writes of one server in flight,
no claim is lost, and in-place changes on a running server never power it off.
"""

from __future__ import annotations

import concurrent.futures
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from oneview_simulator.server import SimulatorServer
from tests.e2e.helpers import CLOUD, Neutron, OneView, wait_until
from tests.mariadb import fresh_database
from tools.neutron_api import PROJECT_ID, NeutronAPI, OneViewTarget, create_baremetal_port

pytestmark = pytest.mark.mariadb

SERVER = "Frame1, bay 7"  # powered on, no profile in the fixture
NICS = ("Mezz 3:1-a", "Mezz 3:1-b", "Mezz 3:1-c", "Mezz 3:1-d")
VLANS = (501, 502, 503, 504)
TASK_SECONDS = 1.5


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with fresh_database("oneview_e2e") as url:
        yield url


@pytest.fixture(scope="module")
def neutron_options(database: str) -> dict[str, Any]:
    return {
        "periodic_workers": True,
        "database_url": database,
        "oneview_options": {"sync_interval": 10},
    }


@pytest.fixture(scope="module")
def second_api(
    sim: SimulatorServer,
    neutron_api: NeutronAPI,
    database: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[NeutronAPI]:
    """Another API process on the same database, as on a second controller host."""
    with NeutronAPI(
        OneViewTarget.from_simulator(sim),
        workdir=tmp_path_factory.mktemp("neutron-second"),
        cloud_name=CLOUD,
        database_url=database,
    ) as api:
        conn = api.connection()  # warm up as the first host's client did: a first write
        conn.network.delete_network(
            conn.network.create_network(name="warm-up", project_id=PROJECT_ID).id
        )
        yield api


def template_like_profile(oneview: OneView) -> list[dict[str, Any]]:
    """Four connections on the provisioning network, one per NIC function, as a template makes
    them; applied with the server off, then the server is powered on again."""
    hardware = oneview.hardware(SERVER)
    power = f"{hardware['uri']}/powerState"
    oneview.client.put(power, {"powerState": "Off", "powerControl": "PressAndHold"})
    provisioning = oneview.network("provisioning")["uri"]
    connections = [
        {
            "id": index,
            "name": f"nic-{index}",
            "functionType": "Ethernet",
            "networkUri": provisioning,
            "portId": nic,
            "boot": {"priority": "Primary" if index == 1 else "NotBootable"},
        }
        for index, nic in enumerate(NICS, start=1)
    ]
    oneview.client.create(
        "/rest/server-profiles",
        {
            "name": "e2e-one-writer",
            "serverHardwareUri": hardware["uri"],
            "connectionSettings": {"manageConnections": True, "connections": connections},
        },
        kind="server-profile",
    )
    oneview.client.put(power, {"powerState": "On", "powerControl": "MomentaryPress"})
    return oneview.connections(SERVER)


def profile_writes_overlap(oneview: OneView, profile_uri: str) -> list[tuple[dict, dict]]:
    """Pairs of profile-update tasks of one profile that ran at the same time."""
    writes = sorted(
        (
            t
            for t in oneview.sim.appliance.task_history
            if t.get("resourceUri") == profile_uri and t.get("method") == "PUT"
        ),
        key=lambda t: t["started"],
    )
    return [
        (a, b)
        for a, b in itertools.pairwise(writes)
        if a["ended"] is None or b["started"] < a["ended"]
    ]


def claims(database: str, profile_uri: str) -> int:
    engine = sa.create_engine(database)
    try:
        with engine.connect() as conn:
            return conn.execute(
                sa.text("SELECT COUNT(*) FROM oneview_nic_claims WHERE server_profile_uri = :uri"),
                {"uri": profile_uri},
            ).scalar_one()
    finally:
        engine.dispose()


def power_requests(oneview: OneView) -> list[dict[str, Any]]:
    return [r for r in oneview.sim.appliance.request_log if r["path"].endswith("/powerState")]


def test_ports_of_one_server_bound_and_deleted_at_once_never_have_two_profile_writers(
    neutron: Neutron,
    neutron_api: NeutronAPI,
    second_api: NeutronAPI,
    oneview: OneView,
    database: str,
):
    apis = [neutron_api, second_api]
    networks = [neutron.vlan_network(vlan) for vlan in VLANS]
    for vlan in VLANS:
        wait_until(f"VLAN {vlan} in OneView", lambda vlan=vlan: oneview.fully_mirrored(vlan))
    before = template_like_profile(oneview)
    profile_uri = oneview.hardware(SERVER)["serverProfileUri"]
    oneview.slow_tasks(TASK_SECONDS)
    oneview.sim.appliance.clear_request_log()

    def bind(args: tuple[int, Any, str]) -> Any:
        index, network, nic = args
        conn = apis[index % 2].connection()  # the two hosts take turns
        return create_baremetal_port(conn, network.id, oneview.mac_of(SERVER, nic), "node-e2e")

    with concurrent.futures.ThreadPoolExecutor(len(NICS)) as pool:
        ports = list(pool.map(bind, zip(range(len(NICS)), networks, NICS, strict=True)))
    wait_until(
        "every port ACTIVE",
        lambda: all(neutron.status(p.id) == "ACTIVE" for p in ports),
        timeout=180,
    )

    on_nic = {c["portId"]: c for c in oneview.connections(SERVER)}
    for vlan, nic in zip(VLANS, NICS, strict=True):
        assert on_nic[nic]["networkUri"] == oneview.with_vlan(vlan)["uri"]
    assert sorted(c["id"] for c in on_nic.values()) == [1, 2, 3, 4]  # taken over, not re-added
    assert claims(database, profile_uri) == len(NICS)
    assert power_requests(oneview) == []
    assert profile_writes_overlap(oneview, profile_uri) == []

    with concurrent.futures.ThreadPoolExecutor(len(ports)) as pool:
        list(
            pool.map(
                lambda ip: apis[ip[0] % 2].connection().network.delete_port(ip[1].id),
                enumerate(ports),
            )
        )
    wait_until(
        "the original connections back",
        lambda: oneview.connections(SERVER) == before,
        timeout=180,
    )
    wait_until("no claims left", lambda: claims(database, profile_uri) == 0, timeout=60)
    assert power_requests(oneview) == []
    assert profile_writes_overlap(oneview, profile_uri) == []
    assert oneview.hardware(SERVER)["powerState"] == "On"
