"""Writes that wait for their task: create, update, put, post and delete, each safe to retry.

A write whose answer was lost may have been applied, so what may be sent again depends on the
method: PUT and DELETE are retried (a 404 after a retried DELETE is success), a create is looked
up by its natural key before it is sent again, and any other POST is retried only when it surely
was not sent.  Every write holds a task slot (``Tasks.slot``) until its task is final.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Mapping
from typing import Any

from networking_oneview.oneview import retries, versions
from networking_oneview.oneview.errors import (
    OneViewConflict,
    OneViewError,
    OneViewNotFound,
    OneViewRequestError,
    OneViewTaskError,
)
from networking_oneview.oneview.paging import Pager
from networking_oneview.oneview.paths import path_of
from networking_oneview.oneview.session import Answer, Call, Session
from networking_oneview.oneview.settings import ClientSettings
from networking_oneview.oneview.tasks import Tasks, WriteOutcome

# The name the client's records had before it was split into modules: log filters keep working.
LOG = logging.getLogger("networking_oneview.oneview.client")

# How a duplicate-name refusal of a create looks (errorCode or message); any 409 counts as well.
_DUPLICATE = re.compile(
    r"DUPLICATE|ALREADY[_ ]?EXISTS?|NOT[_ ]UNIQUE|NAME[_ ]?(IN[_ ]?USE|TAKEN)", re.I
)


def is_duplicate(error: OneViewError) -> bool:
    """The appliance refused a create because a resource of that name exists."""
    if isinstance(error, OneViewConflict):
        return True
    return bool(_DUPLICATE.search(f"{error.error_code or ''} {error.message}"))


class Writer:
    """The writes of one client; the public contract is on ``OneViewClient``."""

    def __init__(
        self, settings: ClientSettings, session: Session, tasks: Tasks, pager: Pager
    ) -> None:
        self._settings = settings
        self._session = session
        self._tasks = tasks
        self._pager = pager

    def typed(self, body: Mapping[str, Any], kind: str | None) -> dict[str, Any]:
        """A copy of ``body`` with the ``type`` this API version expects for ``kind``.

        A copy, so the caller's document is never changed; a ``type`` it set is kept.
        """
        result = copy.deepcopy(dict(body))
        if kind is not None and "type" not in result:
            type_name = versions.resource_type(kind, self._session.api_version)
            if type_name is not None:
                result["type"] = type_name
        return result

    def create(
        self,
        collection_uri: str,
        body: Mapping[str, Any],
        *,
        natural_key: str | None = "name",
        kind: str | None = None,
    ) -> dict[str, Any]:
        """POST, wait, return the resource; a retry first looks it up by ``natural_key``."""
        body = self.typed(body, kind)
        key_value = body.get(natural_key) if natural_key else None
        path = path_of(collection_uri)
        call = Call("POST", path, body)

        def existing(with_retries: bool = True) -> dict[str, Any] | None:
            if key_value is None or natural_key is None:  # no key, no look-up
                return None
            found = self._pager.find(path, natural_key, key_value, retries=with_retries)
            if found is not None:
                LOG.info(
                    "OneView %s %s=%r already exists as %s; not creating it again",
                    path,
                    natural_key,
                    key_value,
                    found.get("uri"),
                )
            return found

        def attempt() -> Answer | dict[str, Any]:
            if call.attempts:
                # Inside the retry loop already: one look-up attempt, no retries of its own.
                found = existing(with_retries=False)
                if found is not None:
                    return found
            return self._session.attempt(call)

        try:
            with self._tasks.slot():
                retrying = retries.retrying(
                    self._settings, "POST", path, unsent_only=key_value is None
                )
                result = retrying(attempt)
                if not isinstance(result, Answer):
                    return result
                outcome = self._tasks.outcome(result)
        except (OneViewConflict, OneViewRequestError, OneViewTaskError) as error:
            if is_duplicate(error) and (found := existing()) is not None:
                return found
            raise
        if outcome.task is None and outcome.body is not None and outcome.body.get("uri"):
            return outcome.body
        if outcome.resource_uri:
            return self._session.get(outcome.resource_uri)
        found = existing()
        if found is None:
            raise OneViewError(
                "the create finished but the appliance did not say which resource it made",
                method="POST",
                path=path,
            )
        return found

    def update(self, resource: Mapping[str, Any], *, kind: str | None = None) -> dict[str, Any]:
        """PUT the whole resource and return the new version (the answer's, or read again)."""
        uri = resource.get("uri")
        if not uri:
            raise ValueError("update() needs the resource as read from OneView, with its 'uri'")
        outcome = self.put(uri, resource, kind=kind)
        if outcome.task is None and outcome.body is not None and outcome.body.get("uri"):
            return outcome.body
        return self._session.get(outcome.resource_uri or uri)

    def delete(self, uri: str) -> None:
        """DELETE and wait; a 404 after a retry means the lost first attempt deleted it."""
        call = Call("DELETE", path_of(uri))
        with self._tasks.slot():
            try:
                answer = self._session.call(call)
            except OneViewNotFound:
                if call.attempts > 1:
                    LOG.info("OneView %s is gone after a retried DELETE; taking it as deleted", uri)
                    return
                raise
            self._tasks.outcome(answer)

    def put(self, uri: str, body: Mapping[str, Any], *, kind: str | None = None) -> WriteOutcome:
        """PUT and wait for the task (PUTs are retried: same body, same result)."""
        call = Call("PUT", path_of(uri), self.typed(body, kind))
        return self.write(call, unsent_only=False)

    def post(
        self,
        uri: str,
        body: Mapping[str, Any] | None = None,
        *,
        kind: str | None = None,
        idempotent: bool = False,
    ) -> WriteOutcome:
        """POST and wait for the task.  Retried only before sending unless ``idempotent``."""
        payload = self.typed(body, kind) if body is not None else None
        call = Call("POST", path_of(uri), payload)
        return self.write(call, unsent_only=not idempotent)

    def write(self, call: Call, *, unsent_only: bool) -> WriteOutcome:
        """Send a write and wait for its task, in one of the max_concurrent_tasks slots."""
        with self._tasks.slot():
            return self._tasks.outcome(self._session.call(call, unsent_only=unsent_only))
