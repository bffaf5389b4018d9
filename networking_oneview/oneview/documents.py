"""The appliance's answers, checked before use: JSON, objects where objects belong, and the
fields the client reads, of the type it needs.

A proxy's error page, an answer cut short, or an appliance that renamed or retyped a field must
end in one typed error (``OneViewUnexpectedResponse``) naming the request and what was wrong,
not in a KeyError or TypeError deep inside the client, and never in a listing silently read as
empty.  Values are never quoted in these errors, only their types: a mangled login answer may
hold a session ID.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from networking_oneview.oneview.errors import OneViewUnexpectedResponse

_KIND_NAMES = {str: "a string", int: "an integer", list: "a list", dict: "an object"}


class Reader:
    """Checks the answers to one request, naming it in every error."""

    def __init__(self, method: str, path: str) -> None:
        self.method = method
        self.path = path

    def error(self, problem: str) -> OneViewUnexpectedResponse:
        return OneViewUnexpectedResponse(
            f"unexpected answer: {problem}", method=self.method, path=self.path
        )

    def parse(self, content: bytes, status: int) -> Any:
        """The JSON document of a successful answer; None when it is empty (204)."""
        if not content.strip():
            return None
        try:
            return json.loads(content)
        except ValueError as exc:  # the message holds a position, never the body itself
            raise self.error(
                f"HTTP {status} with a {len(content)}-byte body that is not JSON ({_position(exc)})"
            ) from None

    def object(self, document: Any, what: str = "the answer") -> Mapping[str, Any]:
        """``document`` itself, when it is a JSON object."""
        if not isinstance(document, Mapping):
            raise self.error(f"{what} is {_kind(document)}, expected an object")
        return document

    def field(
        self,
        document: Mapping[str, Any],
        name: str,
        kind: type,
        *,
        required: bool = True,
        what: str = "the answer",
    ) -> Any:
        """``document[name]`` when it has the type this client needs; None when absent (or
        null) and not ``required``."""
        value = document.get(name)
        if value is None:
            if required:
                raise self.error(f"{what} has no {name!r}, expected {_KIND_NAMES[kind]}")
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(f"{what}'s {name!r} is {_kind(value)}, expected {_KIND_NAMES[kind]}")
        return value


def _kind(value: Any) -> str:
    """The JSON type of ``value`` in words, e.g. ``a string``; never the value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return _KIND_NAMES.get(type(value), type(value).__name__)


def _position(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    return type(exc).__name__
