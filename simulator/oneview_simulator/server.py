"""Serve the simulated appliance over HTTPS on loopback, in a thread (tests) or a process (CLI)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter

from oneview_simulator import tls
from oneview_simulator.app import CONNECTION_KEY, create_app
from oneview_simulator.appliance import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    Appliance,
    ApplianceSettings,
)
from oneview_simulator.synthetic import SiteSize
from oneview_simulator.versions import CURRENT_VERSION

LOG = logging.getLogger(__name__)


def _quiet_error_log(msg: str = "", level: int = 20, traceback: bool = False) -> None:
    """cheroot reports dropped clients (e.g. a client refusing our CA) on stderr; log instead."""
    LOG.debug("simulator connection: %s", msg, exc_info=traceback)


class _Gateway(wsgi.Gateway_10):
    """Hands the app its connection, so faults can reset it or delay its first request."""

    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        environ[CONNECTION_KEY] = self.req.conn
        return environ


class SimulatorServer:
    """One simulated OneView appliance listening on ``host:port`` (port 0 = pick a free one)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        fixture: str | Path | dict[str, Any] | SiteSize | None = None,
        api_version: int | None = None,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        cert_hostnames: tuple[str, ...] = ("127.0.0.1", "localhost"),
        certificate: tls.ServerCertificate | None = None,
        tls_dir: Path | None = None,
    ) -> None:
        settings = ApplianceSettings(
            current_version=api_version or CURRENT_VERSION, username=username, password=password
        )
        self.appliance = Appliance(settings, fixture)
        self.certificate = certificate or tls.generate(cert_hostnames, tls_dir)
        # cheroot: threaded, HTTP/1.1 keep-alive (like the appliance's web front end), TLS.
        self._server = wsgi.Server(
            (host, port), create_app(self.appliance), numthreads=16, server_name="oneview"
        )
        self._server.gateway = _Gateway
        self._server.ssl_adapter = BuiltinSSLAdapter(
            str(self.certificate.cert_file), str(self.certificate.key_file)
        )
        self._server.error_log = _quiet_error_log  # type: ignore[method-assign]
        self._server.prepare()  # binds now, so the port is known before start()
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._server.bind_addr[0])

    @property
    def port(self) -> int:
        return int(self._server.bind_addr[1])

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    @property
    def ca_file(self) -> Path:
        return self.certificate.ca_file

    def start(self) -> SimulatorServer:
        self._thread = threading.Thread(
            target=self._server.serve, name="oneview-simulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.stop()
        self.appliance.tasks.cancel_all()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
