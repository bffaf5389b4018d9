"""Several processes, one server: two Neutron API processes (two "hosts") with their background
reconcilers and neutron-periodic-workers all apply work for ports of the same server at once, on
MariaDB, with OneView tasks of 1.5 s.

The lease is per server, so the appliance never sees two profile writes of one server in flight,
no claim is lost, and in-place changes on a running server never power it off.

The binds race with every reconciler free.  Left alone, the first reconciler to wake applies
everything: it claims every due item, and once it finishes the server it claims the server's next
work itself, before the others wake up.  So that more than one process really writes the
profile, the deletes start while the host whose process wrote the binds is busy with a slow
profile update of another server (6 s).  The request log's User-Agent (``agent``,
``networking-oneview/VERSION (HOST; pid PID)``) tells which process sent each request.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
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
OTHER_SERVER = "Frame1, bay 1"  # powered on; dc-hypervisor-1's connection on OTHER_NIC
OTHER_NIC = "Mezz 3:1-a"  # taken over in place: a profile update, no power operation
OTHER_VLAN = 505
BUSY_SECONDS = 6.0  # OTHER_SERVER's profile update: one host's reconciler is busy that long
AGENT_PID = re.compile(r"; pid (\d+)\)$")


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


def profile_writers(oneview: OneView, profile_uri: str) -> list[str]:
    """The User-Agent of every PUT of the profile, in order."""
    return [
        r["agent"]
        for r in oneview.sim.appliance.request_log
        if r["method"] == "PUT" and r["path"] == profile_uri
    ]


def agent_pid(agent: str) -> int | None:
    """The process id in ``networking-oneview/VERSION (HOST; pid PID)``."""
    found = AGENT_PID.search(agent)
    return int(found.group(1)) if found else None


def slow_tasks(oneview: OneView) -> None:
    """Tasks of TASK_SECONDS, and of BUSY_SECONDS for updates of OTHER_SERVER's profile."""
    other_profile = oneview.hardware(OTHER_SERVER)["serverProfileUri"]
    slow_other = {"path": other_profile, "method": "PUT", "task_duration": BUSY_SECONDS}
    oneview.sim.appliance.faults.configure({"task_duration": TASK_SECONDS, "rules": [slow_other]})


def host_of(agent: str, apis: list[NeutronAPI]) -> NeutronAPI | None:
    """The API process that sent a request with this User-Agent (None: another process)."""
    pid = agent_pid(agent)
    return next((api for api in apis if pid in api.group_pids("api")), None)


def busy_elsewhere(oneview: OneView, api: NeutronAPI, network_id: str) -> Any:
    """Bind a port to OTHER_SERVER's NIC through ``api`` (its reconciler wakes at once and takes
    it); return the port once the slow profile update is in flight on the appliance."""
    other_profile = oneview.hardware(OTHER_SERVER)["serverProfileUri"]
    mac = oneview.mac_of(OTHER_SERVER, OTHER_NIC)
    port = create_baremetal_port(api.connection(), network_id, mac, "node-other")
    wait_until(
        f"the update of {OTHER_SERVER}'s profile in flight",
        lambda: profile_writers(oneview, other_profile),
    )
    return port


@dataclass(frozen=True)
class Scenario:
    """What the phases leave to look at (the appliance and database move on after each)."""

    profile_uri: str
    before: list[dict[str, Any]]  # the template-like connections
    bound: dict[str, dict[str, Any]]  # NIC -> connection, once every port was ACTIVE
    vlan_networks: dict[str, str]  # NIC -> the OneView network its port's VLAN became
    claims_bound: int
    power_requests_bound: int
    ports: list[Any]  # SERVER's four ports
    other_network_id: str


@pytest.fixture(scope="module")
def bound_at_once(
    neutron: Neutron,
    neutron_api: NeutronAPI,
    second_api: NeutronAPI,
    oneview: OneView,
    database: str,
) -> Scenario:
    """The four ports bound at once, the two hosts taking turns."""
    apis = [neutron_api, second_api]
    networks = [neutron.vlan_network(vlan) for vlan in VLANS]
    other_network = neutron.vlan_network(OTHER_VLAN)
    for vlan in (*VLANS, OTHER_VLAN):
        wait_until(f"VLAN {vlan} in OneView", lambda vlan=vlan: oneview.fully_mirrored(vlan))
    before = template_like_profile(oneview)
    profile_uri = oneview.hardware(SERVER)["serverProfileUri"]
    slow_tasks(oneview)
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
    return Scenario(
        profile_uri=profile_uri,
        before=before,
        bound={c["portId"]: c for c in oneview.connections(SERVER)},
        vlan_networks={
            nic: oneview.with_vlan(vlan)["uri"] for vlan, nic in zip(VLANS, NICS, strict=True)
        },
        claims_bound=claims(database, profile_uri),
        power_requests_bound=len(power_requests(oneview)),
        ports=ports,
        other_network_id=other_network.id,
    )


@pytest.fixture(scope="module")
def deleted_at_once(
    bound_at_once: Scenario,
    neutron: Neutron,
    neutron_api: NeutronAPI,
    second_api: NeutronAPI,
    oneview: OneView,
    database: str,
) -> Scenario:
    """The four ports deleted at once, the hosts taking turns, while the host whose process
    wrote the binds is busy taking over OTHER_SERVER's NIC."""
    apis = [neutron_api, second_api]
    slow_tasks(oneview)  # again: each test ends with no faults
    last_writer = profile_writers(oneview, bound_at_once.profile_uri)[-1]
    busy_host = host_of(last_writer, apis) or neutron_api  # the binds' writer, if an API
    other_port = busy_elsewhere(oneview, busy_host, bound_at_once.other_network_id)
    with concurrent.futures.ThreadPoolExecutor(len(NICS)) as pool:
        list(
            pool.map(
                lambda ip: apis[ip[0] % 2].connection().network.delete_port(ip[1].id),
                enumerate(bound_at_once.ports),
            )
        )
    wait_until(
        "the original connections back",
        lambda: oneview.connections(SERVER) == bound_at_once.before,
        timeout=180,
    )
    wait_until(
        "no claims left",
        lambda: claims(database, bound_at_once.profile_uri) == 0,
        timeout=60,
    )
    wait_until(
        f"the port on {OTHER_SERVER} ACTIVE (every reconciler idle again)",
        lambda: neutron.status(other_port.id) == "ACTIVE",
    )
    return bound_at_once


def test_ports_bound_at_once_take_over_each_nic_in_place(bound_at_once: Scenario):
    on_nic = bound_at_once.bound
    for nic, network_uri in bound_at_once.vlan_networks.items():
        assert on_nic[nic]["networkUri"] == network_uri
    assert sorted(c["id"] for c in on_nic.values()) == [1, 2, 3, 4]  # taken over, not re-added
    assert bound_at_once.claims_bound == len(NICS)
    assert bound_at_once.power_requests_bound == 0


def test_ports_deleted_at_once_put_the_original_connections_back(
    deleted_at_once: Scenario, oneview: OneView
):
    assert oneview.connections(SERVER) == deleted_at_once.before


def test_the_profile_never_had_two_writes_in_flight(deleted_at_once: Scenario, oneview: OneView):
    writes = [
        t
        for t in oneview.sim.appliance.task_history
        if t["resourceUri"] == deleted_at_once.profile_uri and t["method"] == "PUT"
    ]
    assert len(writes) >= 2  # the bind phase and the delete phase each wrote it
    assert profile_writes_overlap(oneview, deleted_at_once.profile_uri) == []


def test_more_than_one_process_wrote_the_profile(deleted_at_once: Scenario, oneview: OneView):
    writers = profile_writers(oneview, deleted_at_once.profile_uri)
    assert len(set(writers)) >= 2, f"every profile write came from one client: {writers}"


def test_both_hosts_and_the_periodic_workers_made_requests(
    deleted_at_once: Scenario, neutron_api: NeutronAPI, second_api: NeutronAPI, oneview: OneView
):
    senders = {agent_pid(r["agent"]) for r in oneview.sim.appliance.request_log}
    processes = {
        "first host's API": neutron_api.group_pids("api"),
        "second host's API": second_api.group_pids("api"),
        "periodic workers": neutron_api.group_pids("periodic-workers"),
    }
    silent = [name for name, pids in processes.items() if not senders & set(pids)]
    assert silent == [], (
        f"no request from {silent} (by the pid in each request's User-Agent); "
        f"senders {senders}, processes {processes}"
    )


def test_no_power_operation_and_the_server_stays_on(deleted_at_once: Scenario, oneview: OneView):
    assert power_requests(oneview) == []
    assert oneview.hardware(SERVER)["powerState"] == "On"
