"""Login sessions: the ``auth`` header tokens the appliance hands out, expires and revokes."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

from oneview_simulator.errors import ApplianceError


@dataclass
class Session:
    token: str
    user: str
    last_used: float


def unauthorized(message: str) -> ApplianceError:
    return ApplianceError(
        401,
        "AUTHORIZATION",
        message,
        recommended_actions=["Log in again with POST /rest/login-sessions."],
    )


class SessionRegistry:
    """Sessions by token; a session idle longer than ``idle_timeout`` seconds is dead."""

    def __init__(self, username: str, password: str, idle_timeout: float = 86400.0) -> None:
        self.username = username
        self._password = password
        self.idle_timeout = idle_timeout
        self._sessions: dict[str, Session] = {}
        self._issued: list[str] = []  # every token ever handed out: what a log grep looks for
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SessionRegistry(username={self.username!r}, sessions={len(self._sessions)})"

    def login(self, user: str | None, password: str | None) -> str:
        if user != self.username or not secrets.compare_digest(str(password or ""), self._password):
            raise ApplianceError(
                401,
                "AUTHN_AUTH_FAIL",
                "Invalid username or password or directory.",
                recommended_actions=["Enter correct credentials and try again."],
            )
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._sessions[token] = Session(token, user, time.monotonic())
            self._issued.append(token)
        return token

    def authenticate(self, token: str | None) -> Session:
        if not token:
            raise unauthorized("The request requires an auth header with a session ID.")
        with self._lock:
            session = self._sessions.get(token)
            now = time.monotonic()
            if session is None:
                raise unauthorized("The session ID is not valid or has been revoked.")
            if now - session.last_used > self.idle_timeout:
                del self._sessions[token]
                raise unauthorized("The session has expired.")
            session.last_used = now
            return session

    def logout(self, token: str | None) -> None:
        with self._lock:
            if token not in self._sessions:
                raise unauthorized("The session ID is not valid or has been revoked.")
            del self._sessions[token]

    def revoke_all(self) -> int:
        with self._lock:
            count = len(self._sessions)
            self._sessions.clear()
            return count

    def tokens(self) -> list[str]:
        """Every live session ID: tests prove none of them shows up where it must not."""
        with self._lock:
            return list(self._sessions)

    def issued(self) -> list[str]:
        """Every session ID issued since start, revoked or not (the chaos run's secrets grep)."""
        with self._lock:
            return list(self._issued)

    def count(self) -> int:
        with self._lock:
            return len(self._sessions)
