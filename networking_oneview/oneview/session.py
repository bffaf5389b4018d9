"""The logged-in session: API version negotiation, login, one re-login after a 401, logout.

Every authenticated request goes through ``Session.attempt`` (one try) or ``Session.call``
(with the retries of ``retries``).  The version is asked for and the login made lazily, on the
first request, so building a client never touches the appliance.  OneView expires idle
sessions and can revoke them; the 401 that follows leads to one fresh login per logical
request, never a loop.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from networking_oneview.oneview import paths, retries, versions
from networking_oneview.oneview.documents import Reader
from networking_oneview.oneview.errors import (
    OneViewAuthenticationError,
    OneViewError,
    error_from_response,
)
from networking_oneview.oneview.forks import ForkGuard
from networking_oneview.oneview.paths import path_of
from networking_oneview.oneview.settings import ClientSettings
from networking_oneview.oneview.transport import Reply, Transport, json_body

# The name the client's records had before it was split into modules: log filters keep working.
LOG = logging.getLogger("networking_oneview.oneview.client")


@dataclass
class Answer:
    """A successful (< 400) answer to an authenticated request, its body parsed."""

    status: int
    headers: Mapping[str, str]
    body: Any
    method: str = ""  # the request it answers, for errors about its body
    path: str = ""


@dataclass
class Call:
    """One logical request across its retries: counts attempts, allows one re-login."""

    method: str
    path: str
    body: Any = None
    params: Any = None
    attempts: int = 0
    relogged_in: bool = False


class Session:
    """The token and the negotiated version for one appliance, shared by the client's threads."""

    def __init__(self, settings: ClientSettings, transport: Transport, forks: ForkGuard) -> None:
        self._settings = settings
        self._transport = transport
        self._lock = threading.Lock()  # guards version negotiation, login and logout
        self._token: str | None = None
        self._api_version: int | None = None
        self._closed = False
        forks.on_fork(self._new_lock)

    def _new_lock(self) -> None:
        self._lock = threading.Lock()  # a lock held by another thread at fork time stays held

    @property
    def negotiated_version(self) -> int | None:
        """The X-API-Version in use, or None before the appliance was first asked."""
        return self._api_version

    @property
    def api_version(self) -> int:
        """The negotiated X-API-Version (asks the appliance on first use)."""
        if self._api_version is None:
            with self._lock:
                self._check_open()
                if self._api_version is None:
                    self._api_version = self._negotiate(retried=True)
        return self._api_version

    def _check_open(self) -> None:
        if self._closed:
            raise OneViewError(f"the OneView client for {self._settings.manager_url} is closed")

    def _send(self, method: str, path: str, **kwargs: Any) -> Reply:
        """One exchange at the negotiated version (set before any versioned request)."""
        return self._transport.send(method, path, api_version=self._api_version, **kwargs)

    def _set_up(self, retried: bool, method: str, path: str, **kwargs: Any) -> Reply:
        """A set-up exchange (version, login), with retries only when ``retried``.

        Set-up inside ``attempt`` is already inside a request's retry loop; retrying there too
        would multiply the attempts, and the time to give up on an appliance that never
        answers, by max_retries + 1.
        """
        if not retried:
            return self._send(method, path, **kwargs)
        return retries.retrying(self._settings, method, path)(self._send, method, path, **kwargs)

    def _negotiate(self, *, retried: bool) -> int:
        # No X-API-Version on this one: none is known yet (self._api_version is None).
        answer = self._set_up(retried, "GET", paths.VERSION)
        if answer.status_code >= 400:
            raise error_from_response(
                answer.status_code, json_body(answer), method="GET", path=paths.VERSION
            )
        reader = Reader("GET", paths.VERSION)
        data = reader.object(reader.parse(answer.content, answer.status_code))
        current = reader.field(data, "currentVersion", int)
        minimum = reader.field(data, "minimumVersion", int)
        version = versions.negotiate(minimum, current, self._settings.api_version_cap)
        LOG.info(
            "OneView %s speaks API %d..%d; using X-API-Version %d",
            self._settings.manager_url,
            minimum,
            current,
            version,
        )
        return version

    def _login(self, *, retried: bool) -> str:
        settings = self._settings
        body: dict[str, Any] = {
            "userName": settings.username,
            "password": settings.password,
            "loginMsgAck": True,
        }
        if settings.auth_login_domain:
            body["authLoginDomain"] = settings.auth_login_domain
        response = self._set_up(retried, "POST", paths.LOGIN_SESSIONS, body=body)
        if response.status_code >= 400:
            error = error_from_response(
                response.status_code,
                json_body(response),
                method="POST",
                path=paths.LOGIN_SESSIONS,
                text=response.text,
            )
            raise OneViewAuthenticationError(
                self._scrub(error.message),
                status=error.status,
                error_code=error.error_code,
                details=self._scrub(error.details) if error.details else None,
                recommended_actions=error.recommended_actions,
                method="POST",
                path=paths.LOGIN_SESSIONS,
            )
        reader = Reader("POST", paths.LOGIN_SESSIONS)
        data = reader.object(reader.parse(response.content, response.status_code))
        token = reader.field(data, "sessionID", str)
        if not token:
            raise OneViewAuthenticationError(
                "the appliance accepted the login but returned no sessionID",
                status=response.status_code,
                method="POST",
                path=paths.LOGIN_SESSIONS,
            )
        if not (token.isascii() and token.isprintable()) or " " in token:
            # It goes into the Auth header of every request: no spaces, controls or non-ASCII.
            raise reader.error("the sessionID is not a printable ASCII token")
        LOG.info("Logged in to OneView %s as %s", settings.manager_url, settings.username)
        return token

    def _scrub(self, text: str) -> str:
        """The appliance may echo the login body in its error; never log the password."""
        password = self._settings.password
        return text.replace(password, "***") if password else text

    def _session_token(self) -> str:
        token = self._token
        if token is not None:
            return token
        with self._lock:
            self._check_open()
            # Called from attempt(), inside the request's retry loop: one try each.
            if self._api_version is None:
                self._api_version = self._negotiate(retried=False)
            if self._token is None:
                self._token = self._login(retried=False)
            return self._token

    def _renew_session(self, stale: str) -> str:
        """Log in again unless another thread already replaced the stale token."""
        with self._lock:
            self._check_open()
            if self._token in (stale, None):
                self._token = None
                self._token = self._login(retried=False)
            return self._token

    def close(self) -> None:
        """Log out (so sessions do not pile up on the appliance) and close the connections."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            token, self._token = self._token, None
        try:
            if token:
                response = self._send(
                    "DELETE",
                    paths.LOGIN_SESSIONS,
                    token=token,
                    timeout=(self._settings.connect_timeout, 10),
                )
                if response.status_code >= 400:
                    LOG.info("OneView logout answered HTTP %s", response.status_code)
                else:
                    LOG.info("Logged out of OneView %s", self._settings.manager_url)
        except OneViewError as error:
            LOG.warning("Could not log out of OneView: %s", error)
        finally:
            self._transport.close()

    def attempt(self, call: Call) -> Answer:
        """One authenticated attempt; a 401 leads to one fresh login per logical call.

        4xx other than that 401 raise their typed error (not retried: they would recur).
        """
        call.attempts += 1
        token = self._session_token()
        kwargs = {"body": call.body, "params": call.params}
        response = self._send(call.method, call.path, token=token, **kwargs)
        if response.status_code == 401 and not call.relogged_in:
            call.relogged_in = True
            LOG.info(
                "OneView refused the session on %s %s; logging in again", call.method, call.path
            )
            token = self._renew_session(token)
            response = self._send(call.method, call.path, token=token, **kwargs)
        if response.status_code >= 400:
            raise error_from_response(
                response.status_code,
                json_body(response),
                method=call.method,
                path=call.path,
                text=response.text,
            )
        body = Reader(call.method, call.path).parse(response.content, response.status_code)
        return Answer(response.status_code, response.headers, body, call.method, call.path)

    def call(self, call: Call, *, unsent_only: bool = False) -> Answer:
        """``attempt`` with the retries of ``retries.retrying`` (see there for ``unsent_only``)."""
        return retries.retrying(self._settings, call.method, call.path, unsent_only=unsent_only)(
            self.attempt, call
        )

    def get(self, uri: str) -> Any:
        """GET one resource or document by URI, with retries: its JSON body."""
        return self.call(Call("GET", path_of(uri))).body
