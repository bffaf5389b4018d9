"""The User-Agent names the package version, the host and the process (also after a fork).

The simulator does not keep request headers, so a tiny HTTPS server here records them; it uses
the simulator's certificate, which the client trusts through tls_cacert_file.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from networking_oneview.oneview import OneViewClient, transport
from tests.oneview.conftest import settings_for


class _Recorder(BaseHTTPRequestHandler):
    """Answers like an appliance just enough for a login and a GET; records User-Agents."""

    protocol_version = "HTTP/1.1"
    server: _RecordingServer

    def do_GET(self) -> None:
        self._answer(200, {"currentVersion": 8600, "minimumVersion": 800})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer(200, {"sessionID": "recorded-session"})

    def do_DELETE(self) -> None:
        self._answer(204, None)

    def _answer(self, status: int, document: object) -> None:
        self.server.agents.append(self.headers.get("User-Agent", ""))
        payload = json.dumps(document).encode() if document is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads what it needs from ``agents``."""


class _RecordingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, certificate) -> None:
        super().__init__(("127.0.0.1", 0), _Recorder)
        self.agents: list[str] = []
        self.socket = certificate.server_context().wrap_socket(self.socket, server_side=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def recorder(sim_server) -> Iterator[_RecordingServer]:
    server = _RecordingServer(sim_server.certificate)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def recorded_client(recorder, sim_server) -> Iterator[OneViewClient]:
    client = OneViewClient(settings_for(sim_server, manager_url=recorder.url))
    yield client
    client.close()


def expected_agent(pid: int) -> str:
    version = importlib.metadata.version("networking-oneview")
    return f"networking-oneview/{version} ({socket.gethostname()}; pid {pid})"


def test_every_request_names_version_host_and_pid(recorder, recorded_client):
    recorded_client.get("/rest/version")
    recorded_client.close()

    assert len(recorder.agents) == 4  # version, login, the GET, logout
    assert set(recorder.agents) == {expected_agent(os.getpid())}


def test_a_forked_child_sends_its_own_pid(recorder, recorded_client):
    recorded_client.get("/rest/version")
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: one request with its own pid, then leave at once
        try:
            recorded_client.get("/rest/version")
            os.write(write, b"1")
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    assert os.read(read, 1) == b"1"

    assert recorder.agents[-1] == expected_agent(child)
    recorded_client.get("/rest/version")
    assert recorder.agents[-1] == expected_agent(os.getpid())


def test_version_is_unknown_when_the_package_is_not_installed(monkeypatch):
    def missing(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    transport._package_version.cache_clear()
    monkeypatch.setattr(importlib.metadata, "version", missing)
    try:
        assert transport.user_agent().startswith("networking-oneview/unknown (")
    finally:
        transport._package_version.cache_clear()


def test_the_host_is_the_controller_name_the_settings_give(recorder, sim_server):
    client = OneViewClient(
        settings_for(sim_server, manager_url=recorder.url, controller="controller-3")
    )
    client.get("/rest/version")
    client.close()

    assert f"(controller-3; pid {os.getpid()})" in recorder.agents[-1]
