"""Several processes, one server: two Neutron API processes (two "hosts") with their background
reconcilers and neutron-periodic-workers all apply work for ports of the same server at once, on
MariaDB, with OneView tasks of 1.5 s.

The lease is per server, so the appliance never sees two profile writes of one server in flight,
no claim is lost, and in-place changes on a running server never power it off.

The binds, and the first AT_ONCE deletes, race with every reconciler free.  Left alone, the first
reconciler to wake applies everything: it claims every due item, and once it finishes the server
it claims the server's next work itself, before the others wake up.  So that more than one
process really writes the profile, the other deletes are staggered: each, once the deletes before
it are applied, goes through a host whose process has not written the profile yet, and only that
host's reconciler is woken by it (the periodic workers' full sync, every 10 s, may still apply
one first, hence several such deletes).  The periodic workers themselves may get nothing to
apply while the hosts' reconcilers are awake; their full sync once the deletes are applied is
theirs.  The request log's User-Agent (``agent``, ``networking-oneview/VERSION (HOST; pid
PID)``) tells which process sent each request.
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
NICS = tuple(f"Mezz 3:{port}-{function}" for port in (1, 2) for function in "abcd")
VLANS = tuple(range(501, 501 + len(NICS)))
TASK_SECONDS = 1.5
AT_ONCE = 4  # deleted together first; the rest one by one (see the module docstring)
SYNC_INTERVAL = 10  # the periodic workers' full sync (the option's minimum)
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
        "oneview_options": {"sync_interval": SYNC_INTERVAL},
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
    """A connection on the provisioning network on every NIC, as a template makes them;
    applied with the server off, then the server is powered on again."""
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


def hosts_yet_to_write(
    oneview: OneView, profile_uri: str, apis: list[NeutronAPI]
) -> list[NeutronAPI]:
    """The API hosts whose process has not written the profile so far."""
    writers = {agent_pid(agent) for agent in profile_writers(oneview, profile_uri)}
    return [api for api in apis if not writers & set(api.group_pids("api"))]


def next_full_sync(api: NeutronAPI) -> None:
    """Wait until the periodic workers run a full sync from now on.  With every API host idle
    it is theirs to apply; while the hosts' reconcilers are busy they may take it over."""
    log = api.log_paths["periodic-workers"]
    earlier = log.read_text().count("Full sync:")
    wait_until(
        "the periodic workers' next full sync",
        lambda: log.read_text().count("Full sync:") > earlier,
        timeout=2 * SYNC_INTERVAL + 10,
    )


def delete_at_once(deletes: list[tuple[NeutronAPI, Any]]) -> None:
    """Delete each port through its host, all at the same time."""
    with concurrent.futures.ThreadPoolExecutor(len(deletes)) as pool:
        list(pool.map(lambda hp: hp[0].connection().network.delete_port(hp[1].id), deletes))


@dataclass(frozen=True)
class Scenario:
    """What the phases leave to look at (the appliance and database move on after each)."""

    profile_uri: str
    before: list[dict[str, Any]]  # the template-like connections
    bound: dict[str, dict[str, Any]]  # NIC -> connection, once every port was ACTIVE
    vlan_networks: dict[str, str]  # NIC -> the OneView network its port's VLAN became
    claims_bound: int
    power_requests_bound: int
    ports: list[Any]  # one per NIC, in the order of NICS


@pytest.fixture(scope="module")
def bound_at_once(
    neutron: Neutron,
    neutron_api: NeutronAPI,
    second_api: NeutronAPI,
    oneview: OneView,
    database: str,
) -> Scenario:
    """A port on every NIC, all bound at once, the two hosts taking turns."""
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
    )


@pytest.fixture(scope="module")
def deleted(
    bound_at_once: Scenario,
    neutron_api: NeutronAPI,
    second_api: NeutronAPI,
    oneview: OneView,
    database: str,
) -> Scenario:
    """AT_ONCE ports deleted at once, the hosts taking turns; then the others one by one, each
    through a host whose process has not written the profile yet (else the hosts take turns),
    once the deletes before it are applied."""
    apis = [neutron_api, second_api]
    scenario = bound_at_once
    original = {c["portId"]: c for c in scenario.before}
    oneview.slow_tasks(TASK_SECONDS)  # again: each test ends with no faults

    def applied(count: int) -> None:
        nics = NICS[:count]
        wait_until(
            f"the original connections back on {', '.join(nics)}",
            lambda: (
                all(
                    c == original[c["portId"]]
                    for c in oneview.connections(SERVER)
                    if c["portId"] in nics
                )
                and claims(database, scenario.profile_uri) == len(NICS) - count
            ),
            timeout=120,
        )

    delete_at_once(list(zip(itertools.cycle(apis), scenario.ports[:AT_ONCE])))
    applied(AT_ONCE)
    for count, port in enumerate(scenario.ports[AT_ONCE:], start=AT_ONCE + 1):
        missing = hosts_yet_to_write(oneview, scenario.profile_uri, apis)
        delete_at_once([(missing[0] if missing else apis[count % 2], port)])
        applied(count)
    next_full_sync(neutron_api)
    return scenario


def test_ports_bound_at_once_take_over_each_nic_in_place(bound_at_once: Scenario):
    on_nic = bound_at_once.bound
    for nic, network_uri in bound_at_once.vlan_networks.items():
        assert on_nic[nic]["networkUri"] == network_uri
    assert sorted(c["id"] for c in on_nic.values()) == list(range(1, len(NICS) + 1))  # in place
    assert bound_at_once.claims_bound == len(NICS)
    assert bound_at_once.power_requests_bound == 0


def test_deleted_ports_put_the_original_connections_back(deleted: Scenario, oneview: OneView):
    assert oneview.connections(SERVER) == deleted.before


def test_the_profile_never_had_two_writes_in_flight(deleted: Scenario, oneview: OneView):
    writes = [
        t
        for t in oneview.sim.appliance.task_history
        if t["resourceUri"] == deleted.profile_uri and t["method"] == "PUT"
    ]
    assert len(writes) >= 2  # the bind phase and the delete phase each wrote it
    assert profile_writes_overlap(oneview, deleted.profile_uri) == []


def test_more_than_one_process_wrote_the_profile(deleted: Scenario, oneview: OneView):
    writers = profile_writers(oneview, deleted.profile_uri)
    assert len(set(writers)) >= 2, f"every profile write came from one client: {writers}"


def test_both_hosts_and_the_periodic_workers_made_requests(
    deleted: Scenario, neutron_api: NeutronAPI, second_api: NeutronAPI, oneview: OneView
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


def test_no_power_operation_and_the_server_stays_on(deleted: Scenario, oneview: OneView):
    assert power_requests(oneview) == []
    assert oneview.hardware(SERVER)["powerState"] == "On"
