"""The production OneView REST client: ``OneViewClient``, the facade the driver uses.

Why our own client and not HPE's SDK: the SDK opens a TLS connection per request, does not check
the host name, has no timeouts, retries a dropped connection forever and never logs in again after
a 401.  This client keeps one pooled keep-alive session with full certificate checking, puts
(connect, read) timeouts on every call, retries only what is safe to retry (connection failures
and 500/502/503/504, never a 4xx), logs in lazily and again once after a 401, and turns every
failure into a typed error from ``errors``.  Everything version-specific lives in ``versions``.

The client is generic (get, get_all, create, update, delete, put, post, wait_for_task), plus
bulk creation and deletion of ethernet networks; other resource-specific helpers are built on
top of it.  It is safe to share between threads: at most ``max_concurrent_tasks`` of their
writes are in flight at once, and tasks are polled soon after a write, then less and less often.

This module only wires the parts together and states the public contract.  Each part is one
module and uses only the parts listed before it:

- ``settings``: ClientSettings, what to reach and how patiently;
- ``forks``: per-process state a forked worker rebuilds (connections, lock, task slots);
- ``transport``: one HTTP exchange over the pooled, verified session, failures typed, the body
  capped and redirects refused;
- ``documents``: answers checked before use (JSON, and the fields the client reads);
- ``retries``: which failures are retried, how often and how far apart;
- ``session``: version negotiation, login, one re-login after a 401, logout;
- ``tasks``: waiting for tasks and the max_concurrent_tasks bound;
- ``paging``: every page of a collection, filters, look-up by field;
- ``writes``: create/update/delete/put/post, each retried only as far as is safe;
- ``bulk_networks``: many ethernet networks per task (pure rules in ``bulk``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from networking_oneview.oneview.bulk_networks import BulkNetworks
from networking_oneview.oneview.forks import ForkGuard
from networking_oneview.oneview.paging import DEFAULT_PAGE_SIZE, Pager, field_filter, quote_filter
from networking_oneview.oneview.session import Call, Session
from networking_oneview.oneview.settings import ClientSettings
from networking_oneview.oneview.tasks import Tasks, WriteOutcome
from networking_oneview.oneview.transport import Transport, user_agent
from networking_oneview.oneview.writes import Writer


class OneViewClient:
    """A logged-in, version-negotiated, retrying connection to one OneView appliance."""

    def __init__(self, settings: ClientSettings) -> None:
        self._settings = settings
        self._forks = ForkGuard()
        self._transport = Transport(settings, self._forks)
        self._session = Session(settings, self._transport, self._forks)
        self._tasks = Tasks(settings, self._session, self._forks)
        self._pager = Pager(self._session)
        self._writer = Writer(settings, self._session, self._tasks, self._pager)
        self._bulk = BulkNetworks(self._session, self._writer, self._pager)

    # -- setup -------------------------------------------------------------------------------

    def __repr__(self) -> str:
        return (
            f"OneViewClient(manager_url={self._settings.manager_url!r}, "
            f"username={self._settings.username!r}, "
            f"api_version={self._session.negotiated_version!r})"
        )

    def __enter__(self) -> OneViewClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def settings(self) -> ClientSettings:
        return self._settings

    @property
    def api_version(self) -> int:
        """The negotiated X-API-Version (asks the appliance on first use)."""
        return self._session.api_version

    def close(self) -> None:
        """Log out (so sessions do not pile up on the appliance) and close the connections."""
        self._session.close()

    # -- requests ----------------------------------------------------------------------------

    def request(
        self, method: str, path: str, *, body: Any = None, params: Any = None
    ) -> tuple[int, Mapping[str, str], Any]:
        """A raw authenticated request with retries: (status, headers, JSON body or None).

        Non-idempotent methods (POST, PATCH) are retried only when they surely were not sent.
        A task it starts is not waited for, nor counted against max_concurrent_tasks.
        """
        method = method.upper()
        answer = self._session.call(
            Call(method, path, body, params), unsent_only=method not in ("GET", "PUT", "DELETE")
        )
        return answer.status, answer.headers, answer.body

    def get(self, uri: str) -> Any:
        """GET one resource by URI (or any JSON document, e.g. a list of associations)."""
        return self._session.get(uri)

    def get_all(
        self,
        collection_uri: str,
        *,
        filters: list[str] | None = None,
        sort: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        retries: bool = True,
    ) -> list[dict[str, Any]]:
        """Every member of a collection, following ``nextPageUri`` until the last page.

        ``filters`` are OneView filter expressions (``name='x'``), ANDed by the appliance.
        ``retries=False`` makes one attempt per page, for callers already inside a retry loop.
        """
        return self._pager.get_all(
            collection_uri, filters=filters, sort=sort, page_size=page_size, retries=retries
        )

    def get_by_name(self, collection_uri: str, name: str) -> dict[str, Any] | None:
        """The member named ``name``, or None."""
        return self._pager.find(collection_uri, "name", name)

    def create(
        self,
        collection_uri: str,
        body: Mapping[str, Any],
        *,
        natural_key: str | None = "name",
        kind: str | None = None,
    ) -> dict[str, Any]:
        """POST a new resource, wait for its task and return the created resource.

        A POST is not idempotent, so before sending it again after a failure that may have
        reached the appliance (5xx, reset, read timeout) we look the resource up by its
        ``natural_key`` and return it if it exists; a refusal because the name exists is answered
        the same way.  Without a natural key only failures before sending are retried.
        """
        return self._writer.create(collection_uri, body, natural_key=natural_key, kind=kind)

    def update(self, resource: Mapping[str, Any], *, kind: str | None = None) -> dict[str, Any]:
        """PUT the whole resource (with the eTag it was read with) and return the new version.

        A stale eTag raises OneViewConflict: read again, re-apply the change, and retry.
        """
        return self._writer.update(resource, kind=kind)

    def delete(self, uri: str) -> None:
        """DELETE a resource and wait for its task.

        A 404 after an earlier attempt failed in flight means that attempt deleted it: success.
        """
        self._writer.delete(uri)

    def put(self, uri: str, body: Mapping[str, Any], *, kind: str | None = None) -> WriteOutcome:
        """PUT and wait for the task (PUTs are retried: same body, same result)."""
        return self._writer.put(uri, body, kind=kind)

    def post(
        self,
        uri: str,
        body: Mapping[str, Any] | None = None,
        *,
        kind: str | None = None,
        idempotent: bool = False,
    ) -> WriteOutcome:
        """POST and wait for the task.  Retried only before sending unless ``idempotent``."""
        return self._writer.post(uri, body, kind=kind, idempotent=idempotent)

    # -- ethernet networks in bulk ------------------------------------------------------------

    def create_networks_bulk(
        self,
        name_prefix: str,
        vlan_ids: Sequence[int],
        *,
        purpose: str = "General",
        smart_link: bool = True,
        private_network: bool = False,
        bandwidth: Mapping[str, int] | None = None,
    ) -> list[dict[str, Any]]:
        """Create Tagged networks ``PREFIX_VLAN`` for ``vlan_ids`` with one task; return them in
        the order of ``vlan_ids``.

        One ``POST /rest/ethernet-networks/bulk`` (``vlanIdRange`` built from the ids), one
        task, then one filtered, paged listing reads them back: no GET per network.  OneView
        refuses a bulk in which a name exists, so when some exist already (a retry after a
        crash, another process) or the POST failed after it may have been sent, the networks of
        the prefix are read and only the missing ones are sent again, once.  Existing ones are
        returned as they are; no name is ever created twice.  ``bandwidth``
        (``typicalBandwidth``/``maximumBandwidth`` in Mbps) is sent only when given.  Bulk
        networks are always Tagged: a VLAN range has no Untagged form.
        """
        return self._bulk.create(
            name_prefix,
            vlan_ids,
            purpose=purpose,
            smart_link=smart_link,
            private_network=private_network,
            bandwidth=bandwidth,
        )

    def delete_networks_bulk(self, uris: Iterable[str]) -> None:
        """Delete these ethernet networks and wait; ones already gone are not an error.

        From API 1600 several go in one ``POST /rest/ethernet-networks/bulk-delete`` (one task);
        below it, and for a single network, one DELETE each.  OneView refuses a bulk delete
        naming a network that does not exist, and a failed bulk task may have deleted some:
        either way each one is then deleted on its own, so the real error, if any, is raised.
        """
        self._bulk.delete(uris)

    # -- tasks -------------------------------------------------------------------------------

    def wait_for_task(self, task_or_uri: Mapping[str, Any] | str) -> dict[str, Any]:
        """Poll a task until it is final; return it, or raise OneViewTaskError/-Timeout.

        Completed and Warning are success.  Given the task a write answered with, its own state
        is looked at first (no request); given a URI, the first poll is at once.  Polls then come
        after 0.1 s, each wait 1.5 times the one before, up to polling_interval, so a task of
        one second costs about 1.3 s instead of a whole polling_interval.  The deadline is
        max_polling_attempts x polling_interval seconds; a task past it may still finish on the
        appliance.
        """
        return self._tasks.wait(task_or_uri)


__all__ = [
    "DEFAULT_PAGE_SIZE",
    "ClientSettings",
    "OneViewClient",
    "WriteOutcome",
    "field_filter",
    "quote_filter",
    "user_agent",
]
