"""Serve the simulated appliance over HTTPS on loopback, in a thread (tests) or a process (CLI)."""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from oneview_simulator import tls
from oneview_simulator.app import create_app
from oneview_simulator.appliance import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    Appliance,
    ApplianceSettings,
)
from oneview_simulator.versions import CURRENT_VERSION

LOG = logging.getLogger(__name__)


class _QuietHandler(WSGIRequestHandler):
    """HTTP/1.1 keep-alive like the appliance; no access log on stderr (it keeps its own)."""

    protocol_version = "HTTP/1.1"

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        LOG.debug("%s %s -> %s", self.command, self.path, code)

    def log_error(self, format: str, *args: Any) -> None:
        LOG.debug(format, *args)


class SimulatorServer:
    """One simulated OneView appliance listening on ``host:port`` (port 0 = pick a free one)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        fixture: str | Path | dict[str, Any] | None = None,
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
        self._server: BaseWSGIServer = make_server(
            host,
            port,
            create_app(self.appliance),
            threaded=True,
            request_handler=_QuietHandler,
            ssl_context=self.certificate.server_context(),
        )
        self._server.handle_error = self._handle_error  # type: ignore[method-assign]
        self._thread: threading.Thread | None = None

    @staticmethod
    def _handle_error(request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        LOG.debug("connection from %s ended abnormally: %r", client_address, error)

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    @property
    def ca_file(self) -> Path:
        return self.certificate.ca_file

    def start(self) -> SimulatorServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="oneview-simulator", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.appliance.tasks.cancel_all()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
