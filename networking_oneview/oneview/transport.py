"""One HTTP exchange with the appliance: pooled keep-alive session, TLS checks and timeouts.

Why not HPE's SDK: it opens a TLS connection per request, does not check the host name, has no
timeouts and retries a dropped connection forever.  Here one pooled keep-alive session per
client has full certificate checking and (connect, read) timeouts on every call, and every
transport failure becomes a typed error.  Nothing here retries or logs in: ``retries`` decides
what is sent again (``OneViewUnavailable.sent`` tells it whether a write may have arrived) and
``session`` adds the token and the API version.

What comes back is bounded as well: a body is read only up to MAX_BODY_BYTES (a streamed answer
that never ends costs at most that much memory), and a redirect is an error, never followed,
so the password and the session token only ever go to manager_url.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import logging
import os
import re
import socket
import time
import urllib.parse
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter

from networking_oneview.oneview.errors import (
    OneViewTLSError,
    OneViewUnavailable,
    OneViewUnexpectedResponse,
    error_from_response,
)
from networking_oneview.oneview.forks import ForkGuard
from networking_oneview.oneview.settings import ClientSettings

# The name the client's records had before it was split into modules: log filters keep working.
LOG = logging.getLogger("networking_oneview.oneview.client")

# SSL failures that no retry can fix: an untrusted or misnamed certificate, or no TLS at all.
_TLS_SETUP = re.compile(
    r"certificate verify failed|WRONG_VERSION_NUMBER|HANDSHAKE_FAILURE|UNSUPPORTED_PROTOCOL|"
    r"NO_PROTOCOLS_AVAILABLE|TLSV1_ALERT|SSLV3_ALERT|record layer failure",
    re.I,
)


# The largest answer body read, decompressed.  A OneView listing page is at most a few hundred
# members (a few MB of server profiles); past this the answer is not one the client can use.
MAX_BODY_BYTES = 32 * 1024 * 1024
_READ_CHUNK = 256 * 1024


@dataclass(frozen=True)
class Reply:
    """One answer, its body read whole (within MAX_BODY_BYTES) and the connection released."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


@functools.cache
def _package_version() -> str:
    try:
        return importlib.metadata.version("networking-oneview")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def user_agent(host: str | None = None) -> str:
    """``networking-oneview/VERSION (HOST; pid PID)``: OneView's audit log and a proxy's access
    log then name the host (Neutron's ``[DEFAULT] host`` when given, else the machine's name)
    and process that made a change, not just the user."""
    name = host or socket.gethostname()
    return f"networking-oneview/{_package_version()} ({name}; pid {os.getpid()})"


class Transport:
    """The HTTPS connections to one appliance, shared by the client's threads.

    ``http`` is replaced in a forked child (through the ForkGuard), which also gets its own
    User-Agent (its pid); the parent's pool is abandoned there, not closed.
    """

    def __init__(self, settings: ClientSettings, forks: ForkGuard) -> None:
        self._settings = settings
        self._forks = forks
        self._timeout = (settings.connect_timeout, settings.read_timeout)
        self._verify = self._verification()
        self.http = self._build_session()
        forks.on_fork(self._rebuild_session)

    def _build_session(self) -> requests.Session:
        """One keep-alive connection pool per client; urllib3 itself never retries."""
        http = requests.Session()
        adapter = HTTPAdapter(
            pool_connections=1, pool_maxsize=self._settings.connection_pool_size, max_retries=0
        )
        http.mount("https://", adapter)
        agent = user_agent(self._settings.controller)
        http.headers.update({"Accept": "application/json", "User-Agent": agent})
        return http

    def _rebuild_session(self) -> None:
        self.http = self._build_session()  # the inherited pool is abandoned, not closed

    def _verification(self) -> bool | str:
        """What requests' ``verify`` gets: a CA file, the default trust store, or False."""
        settings = self._settings
        if settings.allow_insecure_connections:
            LOG.warning(
                "TLS certificate verification of the OneView appliance %s is DISABLED "
                "(allow_insecure_connections = True)%s. Anyone on the network path can "
                "impersonate the appliance and capture its credentials. Set tls_cacert_file "
                "to the appliance's CA certificate instead.",
                settings.manager_url,
                "; tls_cacert_file is ignored" if settings.tls_cacert_file else "",
            )
            quiet_insecure_warnings(settings.host)
            return False
        if settings.tls_cacert_file:
            if not os.path.isfile(settings.tls_cacert_file):
                raise OneViewTLSError(
                    f"tls_cacert_file {settings.tls_cacert_file!r} does not exist or is not a "
                    f"file; set [oneview] tls_cacert_file to the PEM CA certificate that signed "
                    f"the appliance's certificate."
                )
            return settings.tls_cacert_file
        return True  # the default trust store, host name checked

    def close(self) -> None:
        self.http.close()

    def send(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Any = None,
        token: str | None = None,
        api_version: int | None = None,
        timeout: tuple[float, float] | None = None,
    ) -> Reply:
        """One HTTP exchange, no retries. Transport failures, redirects and 5xx raise; 4xx are
        returned.

        ``api_version`` goes out as X-API-Version; None sends none (``GET /rest/version``, asked
        before a version is known).  4xx are returned because only the caller knows what they
        mean (a 401 calls for a new login, a 404 after a retried DELETE is success).
        """
        headers = {}
        if api_version is not None:
            headers["X-API-Version"] = str(api_version)
        if token:
            headers["auth"] = token
        started = time.monotonic()
        self._forks.check()
        try:
            response = self.http.request(
                method,
                self._settings.manager_url + path,
                json=body,
                params=params,
                headers=headers,
                timeout=timeout or self._timeout,
                # Never: requests strips only ``Authorization`` on a redirect to another host,
                # and OneView's token travels in ``Auth`` (a login's password in the body).
                allow_redirects=False,
                # Always per request: requests lets REQUESTS_CA_BUNDLE override a session-level
                # verify (even verify=False), so the configured CA would silently be ignored.
                verify=self._verify,
                stream=True,  # read by _read_capped, which stops at MAX_BODY_BYTES
            )
            reply = _read_capped(response, method, path)
        # Errors are raised "from None": requests' exceptions hold the prepared request, whose
        # headers and body carry the session token (and, for a login, the password).
        except requests.exceptions.SSLError as exc:
            if _TLS_SETUP.search(str(exc)):
                raise self._tls_error(exc, method, path) from None
            # A handshake cut short (appliance restarting, reset): transient, like any drop.
            raise _unavailable(_reason(exc), method, path, sent=False) from None
        except requests.exceptions.ConnectTimeout:
            raise _unavailable(
                f"no connection within connect_timeout={self._settings.connect_timeout}s",
                method,
                path,
                sent=False,
            ) from None
        except requests.exceptions.ReadTimeout:
            # urllib3 reports a TLS handshake that stalls (bounded by connect_timeout) as a
            # read timeout too, so both are named.
            raise _unavailable(
                f"no answer within read_timeout={self._settings.read_timeout}s (or no TLS "
                f"handshake within connect_timeout={self._settings.connect_timeout}s)",
                method,
                path,
                sent=True,
            ) from None
        except requests.exceptions.ConnectionError as exc:
            raise _unavailable(_reason(exc), method, path, sent=_maybe_sent(exc)) from None
        except (
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as exc:
            raise _unavailable(_reason(exc), method, path, sent=True) from None
        LOG.debug(
            "OneView %s %s -> %s (%.0f ms)",
            method,
            path,
            reply.status_code,
            (time.monotonic() - started) * 1000,
        )
        if 300 <= reply.status_code < 400:
            raise self._redirect_error(reply, method, path)
        if reply.status_code >= 500:
            raise error_from_response(
                reply.status_code,
                json_body(reply),
                method=method,
                path=path,
                text=reply.text,
            )
        return reply

    def _redirect_error(self, reply: Reply, method: str, path: str) -> OneViewUnexpectedResponse:
        """A redirect, not followed: say where it pointed (scheme and host only) and what to fix."""
        target = urllib.parse.urlsplit(reply.headers.get("Location") or "")
        host = target.hostname  # not netloc: a user:password@ in it must not be repeated
        port = f":{target.port}" if host and target.port else ""
        where = f"{target.scheme}://{host}{port}" if host else "the same host"
        return OneViewUnexpectedResponse(
            f"unexpected answer: a redirect to {where}, not followed (credentials go only to "
            f"{self._settings.manager_url}). Set [oneview] manager_url to the address the "
            f"appliance itself answers on, not a proxy or an old name.",
            status=reply.status_code,
            method=method,
            path=path,
        )

    def _tls_error(self, exc: Exception, method: str, path: str) -> OneViewTLSError:
        """A TLS failure no retry can fix, with the setting that fixes it."""
        settings = self._settings
        text = _reason(exc)
        found = re.search(r"certificate verify failed: ([^(]*)", text)
        reason = (found.group(1) if found else text).strip().rstrip(".")
        if "mismatch" in reason.lower() or "not valid for" in reason.lower():
            hint = (
                f"The appliance's certificate is not issued for {settings.host!r}: use in "
                f"[oneview] manager_url a host name the certificate names (or reissue the "
                f"certificate). tls_cacert_file only chooses which CA is trusted; "
                f"allow_insecure_connections = True skips all checks (tests only)."
            )
        elif "expired" in reason.lower() or "not yet valid" in reason.lower():
            hint = (
                f"The appliance's certificate is outside its validity period: renew it on the "
                f"appliance at {settings.host!r} (and check this host's clock). "
                f"allow_insecure_connections = True skips all checks (tests only)."
            )
        elif found:
            trusted = settings.tls_cacert_file or "the system CA store"
            hint = (
                f"The appliance's certificate is not signed by a CA in {trusted}: set "
                f"[oneview] tls_cacert_file to the PEM CA certificate that signed it, or, for "
                f"tests only, allow_insecure_connections = True."
            )
        else:
            hint = (
                "Check that manager_url points at the appliance's HTTPS port, [oneview] "
                "tls_cacert_file, and allow_insecure_connections."
            )
        return OneViewTLSError(
            f"TLS with {settings.manager_url} failed ({reason}). {hint}",
            method=method,
            path=path,
        )


def quiet_insecure_warnings(host: str) -> None:
    """Silence urllib3's InsecureRequestWarning for requests to ``host`` only.

    An insecure client has warned once, loudly (``_verification``); urllib3 would warn again on
    every request.  ``urllib3.disable_warnings`` would silence every unverified request of the
    whole neutron-server process, including other libraries' to other hosts.  urllib3 has no
    per-pool switch, but its warning names the host, so a filter matching that text silences
    ours alone.  A filter, not ``warnings.catch_warnings``: that swaps the process-wide filter
    list and is not thread-safe.  Registering the same filter again replaces it, so building
    many clients adds one filter per appliance.
    """
    warnings.filterwarnings(
        "ignore",
        message=rf"Unverified HTTPS request is being made to host '{re.escape(host)}'",
        category=urllib3.exceptions.InsecureRequestWarning,
    )


def _read_capped(response: requests.Response, method: str, path: str) -> Reply:
    """Read the streamed body up to MAX_BODY_BYTES; past it drop the connection and refuse."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(_READ_CHUNK):
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise OneViewUnexpectedResponse(
                    f"unexpected answer: HTTP {response.status_code} with a body over "
                    f"{MAX_BODY_BYTES // (1024 * 1024)} MiB; stopped reading it",
                    status=response.status_code,
                    method=method,
                    path=path,
                )
            chunks.append(chunk)
    except BaseException:
        response.close()  # half-read: the connection cannot be reused
        raise
    return Reply(response.status_code, response.headers, b"".join(chunks))


def json_body(reply: Reply) -> Any:
    """The answer's JSON document, or None when it is empty or not JSON (an HTML error page)."""
    if not reply.content:
        return None
    try:
        return json.loads(reply.content)
    except ValueError:
        return None


def _reason(exc: Exception) -> str:
    """The root cause of a requests failure, without urllib3's misleading "Max retries"."""
    cause: Any = exc.args[0] if exc.args else exc
    cause = getattr(cause, "reason", None) or cause
    text = str(cause) if isinstance(cause, BaseException | str) else str(exc)
    return text if len(text) <= 300 else text[:297] + "..."


def _maybe_sent(exc: requests.exceptions.ConnectionError) -> bool:
    """False only when the connection was never made (refused, DNS), so nothing was sent."""
    cause = exc.args[0] if exc.args else None
    reason = getattr(cause, "reason", cause)
    return not isinstance(
        reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.NameResolutionError
    )


def _unavailable(reason: str, method: str, path: str, *, sent: bool) -> OneViewUnavailable:
    error = OneViewUnavailable(f"could not reach the appliance: {reason}", method=method, path=path)
    error.sent = sent
    return error
