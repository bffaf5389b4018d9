"""Fixtures shared by every test: a simulated OneView appliance and clients for it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from oslo_service import backend as oslo_service_backend

from oneview_simulator.server import SimulatorServer

# Neutron's test package runs on oslo.service's threading backend and refuses another one. Pick
# it before anything imports neutron, so test files can be collected in any order.
oslo_service_backend.init_backend(oslo_service_backend.BackendType.THREADING)

FINAL_TASK_STATES = {"Completed", "Warning", "Error", "Killed", "Terminated", "Interrupted"}


@pytest.fixture(scope="session")
def simulator_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorServer]:
    server = SimulatorServer(tls_dir=tmp_path_factory.mktemp("simulator-tls"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def simulator(simulator_server: SimulatorServer) -> SimulatorServer:
    """The session's simulator, reset to the default fixture for this test."""
    simulator_server.appliance.reset()
    return simulator_server


@dataclass
class Rest:
    """Raw authenticated HTTPS calls to the simulator, the way any OneView client makes them."""

    base: str
    ca_file: str
    api_version: int = 8600
    username: str = "Administrator"
    password: str = "simulator"
    http: requests.Session = field(default_factory=requests.Session)
    token: str | None = None

    def at(self, api_version: int) -> Rest:
        return Rest(self.base, self.ca_file, api_version, self.username, self.password)

    def login(self) -> str:
        response = self.http.post(
            self.base + "/rest/login-sessions",
            json={"userName": self.username, "password": self.password, "loginMsgAck": True},
            headers={"X-API-Version": str(self.api_version)},
            verify=self.ca_file,
            timeout=30,
        )
        response.raise_for_status()
        self.token = response.json()["sessionID"]
        return self.token

    def request(self, method: str, path: str, body: Any = None, **headers: str):
        if self.token is None:
            self.login()
        sent = {"X-API-Version": str(self.api_version), "auth": self.token or ""}
        sent.update(headers)
        return self.http.request(
            method,
            self.base + path,
            json=body,
            headers=sent,
            verify=self.ca_file,
            timeout=30,
        )

    def get(self, path: str, **headers: str):
        return self.request("GET", path, **headers)

    def post(self, path: str, body: Any, **headers: str):
        return self.request("POST", path, body, **headers)

    def put(self, path: str, body: Any, **headers: str):
        return self.request("PUT", path, body, **headers)

    def delete(self, path: str, **headers: str):
        return self.request("DELETE", path, **headers)

    def wait(self, response: requests.Response, timeout: float = 30.0) -> dict[str, Any]:
        """Poll the task a 202 answer points at until it is final; return the task."""
        assert response.status_code == 202, (response.status_code, response.text)
        location = response.headers["Location"]
        deadline = time.monotonic() + timeout
        while True:
            task = self.get(location).json()
            if task["taskState"] in FINAL_TASK_STATES:
                return task
            if time.monotonic() > deadline:
                raise AssertionError(f"task {location} still {task['taskState']}")
            time.sleep(0.02)

    def created(self, response: requests.Response) -> dict[str, Any]:
        """The resource a successful create task made."""
        task = self.wait(response)
        assert task["taskState"] == "Completed", task
        return self.get(task["associatedResource"]["resourceUri"]).json()

    def members(self, path: str) -> list[dict[str, Any]]:
        response = self.get(path)
        assert response.status_code == 200, response.text
        return response.json()["members"]


@pytest.fixture
def rest(simulator: SimulatorServer) -> Rest:
    return Rest(simulator.url, str(simulator.ca_file))


@pytest.fixture
def sdk_client(simulator: SimulatorServer) -> Callable[[int], Any]:
    """Factory: HPE's own SDK logged in to the simulator at a given API version."""
    from hpeOneView.oneview_client import OneViewClient

    def connect(api_version: int) -> Any:
        return OneViewClient(
            {
                "ip": f"{simulator.host}:{simulator.port}",
                "api_version": api_version,
                "ssl_certificate": str(simulator.ca_file),
                "credentials": {"userName": "Administrator", "password": "simulator"},
            }
        )

    return connect
