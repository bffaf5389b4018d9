"""Fixtures for the client tests: the OneView simulator over real HTTPS, and client factories.

The server is shared by the module's tests (starting one costs a certificate); its state, faults,
sessions and request log are reset before each test.  Clients get tiny backoffs and polling
intervals so retry and task tests run in milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from networking_oneview.oneview import ClientSettings, OneViewClient
from oneview_simulator.server import SimulatorServer
from oneview_simulator.trap import Trap

USERNAME = "Administrator"
# Distinctive, so a test can prove it never shows up in logs, reprs or errors.
PASSWORD = "Sim-S3cret!pw-7c1d"

FAST = {
    "retry_backoff": 0.001,
    "retry_backoff_max": 0.01,
    "polling_interval": 0.01,
    "max_polling_attempts": 500,
    "connect_timeout": 5,
    "read_timeout": 10,
}


@pytest.fixture
def secret() -> str:
    """The simulator's password: tests check it never leaks."""
    return PASSWORD


@pytest.fixture(scope="module")
def sim_server() -> Iterator[SimulatorServer]:
    server = SimulatorServer(username=USERNAME, password=PASSWORD).start()
    yield server
    server.stop()


@pytest.fixture
def sim(sim_server: SimulatorServer) -> Iterator[SimulatorServer]:
    """The shared server with a freshly reset appliance."""
    sim_server.appliance.reset()
    yield sim_server
    sim_server.appliance.reset()


def settings_for(server: SimulatorServer, **overrides: Any) -> ClientSettings:
    values: dict[str, Any] = {
        "manager_url": server.url,
        "username": USERNAME,
        "password": PASSWORD,
        "tls_cacert_file": str(server.ca_file),
        **FAST,
    }
    values.update(overrides)
    return ClientSettings(**values)


@pytest.fixture
def make_client(sim: SimulatorServer) -> Iterator[Callable[..., OneViewClient]]:
    """Build clients for ``sim`` (or another server via ``server=``); closed after the test."""
    clients: list[OneViewClient] = []

    def make(server: SimulatorServer | None = None, **overrides: Any) -> OneViewClient:
        client = OneViewClient(settings_for(server or sim, **overrides))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., OneViewClient]) -> OneViewClient:
    return make_client()


@pytest.fixture
def start_server() -> Iterator[Callable[..., SimulatorServer]]:
    """Start extra simulators (other versions, other certificates); stopped after the test."""
    servers: list[SimulatorServer] = []

    def start(**kwargs: Any) -> SimulatorServer:
        kwargs.setdefault("username", USERNAME)
        kwargs.setdefault("password", PASSWORD)
        server = SimulatorServer(**kwargs).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def requests_to(sim: SimulatorServer) -> Callable[[str, str], int]:
    """How many requests the appliance received for this method and path (query ignored)."""

    def count(method: str, path: str) -> int:
        log = sim.appliance.request_log
        return sum(1 for r in log if r["method"] == method and r["path"] == path)

    return count


@pytest.fixture
def inject(sim: SimulatorServer) -> Callable[..., None]:
    """Install a fault plan: one rule from keyword arguments, plan knobs as ``plan_<name>``."""

    def configure(**rule: Any) -> None:
        plan = {key[5:]: rule.pop(key) for key in list(rule) if key.startswith("plan_")}
        sim.appliance.faults.configure({"rules": [rule] if rule else [], "seed": 1, **plan})

    return configure


@pytest.fixture
def trap() -> Iterator[Trap]:
    """Another host: a TCP listener that records what reaches it and never answers."""
    with Trap() as listener:
        yield listener
