"""The appliance's HTTP face: a Flask app behind a fault-injecting, request-logging WSGI layer."""

from __future__ import annotations

import errno
import logging
import socket
import struct
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, g, has_request_context, jsonify, request
from werkzeug.exceptions import HTTPException

from oneview_simulator import hostile
from oneview_simulator.appliance import Appliance
from oneview_simulator.errors import ApplianceError
from oneview_simulator.faults import Decision
from oneview_simulator.tasks import Origin
from oneview_simulator.versions import check_requested

LOG = logging.getLogger(__name__)
ADMIN_PREFIX = "/_sim"
CONNECTION_KEY = "oneview_simulator.connection"  # the server's connection object (server.py)
DECISION_KEY = "oneview_simulator.faults"  # the fault decision for the request being served
# Endpoints a client may call without a session (as on an appliance: what a login page needs).
_OPEN = {("GET", "/rest/version"), ("POST", "/rest/login-sessions"), ("GET", "/rest/logindetails")}


def error_response(error: ApplianceError):
    response = jsonify(error.body())
    response.status_code = error.status
    return response


def create_app(appliance: Appliance) -> Callable:
    """The WSGI application: fault layer wrapping the Flask app with every resource."""
    app = Flask("oneview_simulator")
    app.json.sort_keys = False
    app.extensions["oneview_appliance"] = appliance
    appliance.task_context = app.app_context
    appliance.request_origin = _request_origin
    appliance.request_faults = _request_faults

    @app.before_request
    def check_version_and_session():
        if request.path.startswith(ADMIN_PREFIX):
            return None
        if request.path == "/rest/version":
            g.api_version = appliance.settings.current_version
            return None
        g.api_version = check_requested(
            request.headers.get("X-API-Version"),
            appliance.settings.minimum_version,
            appliance.settings.current_version,
        )
        if (request.method, request.path) not in _OPEN:
            g.session = appliance.sessions.authenticate(request.headers.get("auth"))
        return None

    @app.errorhandler(ApplianceError)
    def appliance_error(error: ApplianceError):
        return error_response(error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        codes = {404: "RESOURCE_NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 500: "INTERNAL_ERROR"}
        status = error.code or 500
        code = codes.get(status, "BAD_REQUEST" if status < 500 else "INTERNAL_ERROR")
        return error_response(ApplianceError(status, code, error.description or ""))

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        LOG.error("simulator bug while serving %s %s", request.method, request.path, exc_info=error)
        return error_response(ApplianceError(500, "INTERNAL_ERROR", f"{type(error).__name__}"))

    from oneview_simulator import admin
    from oneview_simulator.resources import (
        appliance_api,
        networks,
        profile_templates,
        server_hardware,
        server_profiles,
        uplinks,
    )

    for module in (
        appliance_api,
        networks,
        uplinks,
        server_hardware,
        server_profiles,
        profile_templates,
        admin,
    ):
        app.register_blueprint(module.blueprint)
    return FaultLayer(app, appliance)


def _request_faults() -> Decision | None:
    if not has_request_context():
        return None
    return request.environ.get(DECISION_KEY)


def _request_origin() -> Origin:
    if not has_request_context():
        return Origin()
    return Origin(request.method, request.path)


class FaultLayer:
    """Applies injected faults before the app sees a request, and logs every request."""

    def __init__(self, app: Flask, appliance: Appliance) -> None:
        self.app = app
        self.appliance = appliance

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path.startswith(ADMIN_PREFIX):
            return self.app(environ, start_response)
        started = time.monotonic()
        self._delay_new_connection(environ)
        decision = self.appliance.faults.decide(method, path)
        environ[DECISION_KEY] = decision  # a rule's task_duration applies to the task it starts
        if decision.latency:
            time.sleep(decision.latency)
        status_holder: list[int] = [0]

        def recording_start(status: str, headers: list, exc_info: Any = None):
            status_holder[0] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        try:
            if decision.reset:
                status_holder[0] = 0
                _reset_connection(environ)
            answering = self._answering(decision)
            if decision.answer is not None:  # mangles whatever would have been answered
                return hostile.respond(decision.answer, answering, environ, recording_start)
            return answering(environ, recording_start)
        finally:
            self.appliance.record(
                method,
                path,
                environ.get("QUERY_STRING", ""),
                status_holder[0],
                time.monotonic() - started,
                agent=environ.get("HTTP_USER_AGENT", ""),
            )

    def _answering(self, decision: Decision) -> Callable:
        """The WSGI app that answers: an injected error (outage first), else the appliance."""
        if decision.outage:
            error = ApplianceError(
                503,
                "APPLIANCE_UNAVAILABLE",
                "The appliance is not available (simulated outage).",
                recommended_actions=["Wait for the appliance to come back and retry."],
            )
        elif decision.error_status:
            error = ApplianceError(
                decision.error_status,
                "SIMULATED_SERVER_ERROR",
                f"Injected HTTP {decision.error_status} from the simulator.",
            )
        else:
            return self.app
        return lambda environ, start_response: _wsgi_error(error, start_response)

    def _delay_new_connection(self, environ: dict[str, Any]) -> None:
        """connect_latency: the first request of a connection pays for its set-up."""
        connection = environ.get(CONNECTION_KEY)
        if connection is None or getattr(connection, "_oneview_seen", False):
            return
        connection._oneview_seen = True
        delay = self.appliance.faults.connect_latency()
        if delay:
            time.sleep(delay)


def _wsgi_error(error: ApplianceError, start_response: Callable) -> Iterable[bytes]:
    import json

    payload = json.dumps(error.body()).encode()
    start_response(
        f"{error.status} Error",
        [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
    )
    return [payload]


def _reset_connection(environ: dict[str, Any]) -> None:
    """Abort the TCP connection with a RST, as a crashing appliance or a middlebox would."""
    connection = environ.get(CONNECTION_KEY)
    sock = getattr(connection, "socket", None)
    if sock is not None:
        try:  # linger 0: closing sends a RST instead of a graceful FIN
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            LOG.debug("socket already gone while injecting a reset")
    # The server drops a connection whose handler fails with ECONNRESET, without answering.
    raise ConnectionResetError(errno.ECONNRESET, "connection reset injected by the simulator")
