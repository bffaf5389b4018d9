"""Typed errors of the OneView REST client.

Callers decide what to do by type (retry later, re-read and re-apply, give up and report), and
operators read ``str(error)``: one line naming the request, OneView's errorCode and its message.
No error ever carries a credential: requests are identified by method and path only, and the
client never puts request bodies or headers into errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class OneViewError(Exception):
    """Base of every error the client raises; the appliance's error body, parsed."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_code: str | None = None,
        details: str | None = None,
        recommended_actions: Sequence[str] = (),
        nested_errors: Sequence[Mapping[str, Any]] = (),
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.details = details
        # The appliance's error body is read, not trusted: a string where a list belongs must
        # not turn into a list of characters, nor a non-object into a crash while reporting.
        self.recommended_actions = _strings(recommended_actions)
        self.nested_errors = [dict(e) for e in _objects(nested_errors)]
        self.method = method
        self.path = path

    @property
    def request(self) -> str | None:
        """``"GET /rest/..."``: the request that failed, when there was one."""
        if self.method and self.path:
            return f"{self.method} {self.path}"
        return self.path

    def _parts(self) -> list[str]:
        parts = []
        if self.request:
            parts.append(f"OneView {self.request} failed:")
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.error_code:
            parts.append(f"[{self.error_code}]")
        parts.append(self.message)
        return parts

    def __str__(self) -> str:
        text = " ".join(self._parts())
        if self.recommended_actions:
            text += " Recommended: " + " ".join(str(a) for a in self.recommended_actions)
        # One line for the operator's log, whatever the appliance put in its message.
        return " ".join(text.split())

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, error_code={self.error_code!r}, "
            f"request={self.request!r}, message={self.message!r})"
        )


class OneViewAuthenticationError(OneViewError):
    """The appliance refused our credentials, or refused a fresh session again after 401."""


class OneViewNotFound(OneViewError):
    """404: the resource does not exist (any more)."""


class OneViewConflict(OneViewError):
    """409/412: the resource changed under us (stale eTag) or the change conflicts with state."""


class OneViewRequestError(OneViewError):
    """Any other 4xx: the request itself is wrong; sending it again will not help."""


class OneViewServerError(OneViewError):
    """5xx, still failing after the bounded retries."""

    attempts: int | None = None

    def _parts(self) -> list[str]:
        parts = super()._parts()
        if self.attempts and self.attempts > 1:
            parts.append(f"(gave up after {self.attempts} attempts)")
        return parts


class OneViewUnavailable(OneViewError):
    """The appliance could not be reached (refused, reset, timed out), even after retries."""

    attempts: int | None = None
    sent: bool = True  # False when the request surely never reached the appliance

    def _parts(self) -> list[str]:
        parts = super()._parts()
        if self.attempts and self.attempts > 1:
            parts.append(f"(gave up after {self.attempts} attempts)")
        return parts


class OneViewTLSError(OneViewError):
    """The appliance's certificate was not trusted or names another host. Never retried."""


class OneViewUnexpectedResponse(OneViewError):
    """The appliance answered something this client cannot use: a redirect, a body that is not
    JSON or is over the size cap, a field missing or of the wrong type.  Never retried: the same
    request gets the same answer.  Usually manager_url names a proxy or an old address rather
    than the appliance, or the appliance runs a version this client does not know."""


class OneViewVersionError(OneViewError):
    """The appliance and this client have no REST API version in common."""


class OneViewTaskError(OneViewError):
    """A task ended in Error, Killed, Terminated or Interrupted."""

    def __init__(self, task: Mapping[str, Any]) -> None:
        self.task_uri: str | None = task.get("uri")
        self.task_name: str | None = task.get("name")
        self.task_state: str | None = task.get("taskState")
        self.task_errors: list[dict[str, Any]] = [dict(e) for e in _objects(task.get("taskErrors"))]
        first = self.task_errors[0] if self.task_errors else {}
        message = (
            first.get("message") or task.get("taskStatus") or "the task failed with no message"
        )
        super().__init__(
            str(message),
            error_code=first.get("errorCode"),
            details=first.get("details"),
            recommended_actions=first.get("recommendedActions") or (),
            nested_errors=first.get("nestedErrors") or (),
            path=self.task_uri,
        )

    def _parts(self) -> list[str]:
        parts = [f"OneView task {self.task_name!r} ({self.task_uri}) ended {self.task_state}:"]
        if self.error_code:
            parts.append(f"[{self.error_code}]")
        parts.append(self.message)
        return parts


class OneViewTaskTimeout(OneViewError):
    """A task was not final within max_polling_attempts x polling_interval."""

    def __init__(self, task: Mapping[str, Any], waited: float) -> None:
        self.task_uri: str | None = task.get("uri")
        self.task_name: str | None = task.get("name")
        self.task_state: str | None = task.get("taskState")
        self.waited = waited
        super().__init__(
            f"OneView task {self.task_name!r} ({self.task_uri}) is still {self.task_state} "
            f"after {waited:.1f}s; giving up waiting (max_polling_attempts x polling_interval). "
            f"The task may still complete on the appliance.",
            path=self.task_uri,
        )

    def _parts(self) -> list[str]:
        return [self.message]


def error_from_response(
    status: int, body: Any, *, method: str, path: str, text: str = ""
) -> OneViewError:
    """The typed error for a non-2xx answer with OneView's error body (or a non-JSON one)."""
    fields: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    message = fields.get("message") or (text.strip()[:200] if text else "") or "no message"
    if status == 401:
        cls: type[OneViewError] = OneViewAuthenticationError
    elif status == 404:
        cls = OneViewNotFound
    elif status in (409, 412):
        cls = OneViewConflict
    elif 400 <= status < 500:
        cls = OneViewRequestError
    else:
        cls = OneViewServerError
    return cls(
        str(message),
        status=status,
        error_code=fields.get("errorCode"),
        details=fields.get("details"),
        recommended_actions=fields.get("recommendedActions") or (),
        nested_errors=fields.get("nestedErrors") or (),
        method=method,
        path=path,
    )


def _strings(value: Any) -> list[str]:
    """A list of strings from an answer's list field; anything else is no list at all."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        return []
    return [str(item) for item in value]


def _objects(value: Any) -> list[Mapping[str, Any]]:
    """The objects of an answer's list-of-objects field; anything else is dropped."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        return []
    return [item for item in value if isinstance(item, Mapping)]
