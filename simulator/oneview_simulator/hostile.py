"""Hostile answers: how the HTTP layer carries out a fault rule's ``faults.Answer``.

``faults`` decides which request gets which answer; this module only produces it.  A redirect
and a huge body never reach the Flask app (nothing is changed on the appliance); a malformed,
truncated or edited body is made from the app's real answer, so the request itself still takes
effect, as when a proxy or a buggy appliance mangles an answer on its way back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from typing import Any

from oneview_simulator.faults import Answer

# Not JSON, though it starts like it: what a broken serializer or a proxy's splice sends.
MALFORMED_BODY = b'{"members": [{"name": "net-1",, }]'
_CHUNK = 64 * 1024


def respond(
    answer: Answer, app: Callable, environ: dict[str, Any], start_response: Callable
) -> Iterable[bytes]:
    """The hostile answer to this request, in place of (or made from) the app's own."""
    if answer.redirect_to:
        return _redirect(answer, environ, start_response)
    if answer.body == "huge":
        start_response("200 OK", [("Content-Type", "application/json")])  # chunked, no length
        return _huge_body(answer.body_bytes)
    status, headers, body = _real_answer(app, environ)
    body = _edited(answer, body)
    headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
    headers.append(("Content-Length", str(len(body))))
    start_response(status, headers)
    return [body]


def _redirect(answer: Answer, environ: dict[str, Any], start_response: Callable) -> list[bytes]:
    query = environ.get("QUERY_STRING", "")
    location = (answer.redirect_to or "").rstrip("/") + environ.get("PATH_INFO", "")
    if query:
        location += "?" + query
    status = HTTPStatus(answer.redirect_status)
    start_response(
        f"{status.value} {status.phrase}", [("Location", location), ("Content-Length", "0")]
    )
    return [b""]


def _huge_body(size: int) -> Iterator[bytes]:
    """A JSON listing ``size`` bytes long, streamed: valid if read whole, so only a size cap
    (not a parse error) can save a client from it."""
    head, tail = b'{"members": [', b"{}]}"
    member = b'{"name": "padding", "uri": "/rest/ethernet-networks/x"}, '
    chunk = member * max(1, _CHUNK // len(member))
    yield head
    sent = len(head)
    while sent + len(chunk) + len(tail) <= size:
        yield chunk
        sent += len(chunk)
    yield tail


def _real_answer(app: Callable, environ: dict[str, Any]) -> tuple[str, list, bytes]:
    captured: dict[str, Any] = {}

    def capture(status: str, headers: list, exc_info: Any = None) -> Callable:
        captured.update(status=status, headers=list(headers))
        return lambda data: None

    chunks = app(environ, capture)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return captured["status"], captured["headers"], body


def _edited(answer: Answer, body: bytes) -> bytes:
    if answer.body == "malformed":
        return MALFORMED_BODY
    if answer.drop_fields or answer.set_fields:
        body = _with_fields(answer, body)
    if answer.body == "truncated":
        return body[: len(body) // 2]
    return body


def _with_fields(answer: Answer, body: bytes) -> bytes:
    """The JSON object answer without ``drop_fields`` and with ``set_fields``; any other
    answer (an array, an empty 204) is left as it is."""
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if not isinstance(document, dict):
        return body
    for name in answer.drop_fields:
        document.pop(name, None)
    document.update(dict(answer.set_fields))
    return json.dumps(document).encode()
