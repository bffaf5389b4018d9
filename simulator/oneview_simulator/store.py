"""The appliance's resource database: typed collections of JSON documents with eTags."""

from __future__ import annotations

import copy
import itertools
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from oneview_simulator.errors import ApplianceError, not_found


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class ResourceStore:
    """Documents keyed by URI, grouped by collection path (``/rest/ethernet-networks``).

    Every write stamps a fresh ``eTag`` and ``modified`` time.  Callers hold ``lock`` around
    read-modify-write sequences; the store hands out deep copies so nobody edits state by accident.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._docs: dict[str, dict[str, Any]] = {}
        self._serial = itertools.count(1)

    def _stamp(self, doc: dict[str, Any]) -> None:
        stamp = now_iso()
        doc["eTag"] = f"{stamp}/{next(self._serial)}"
        doc["modified"] = stamp
        doc.setdefault("created", stamp)

    def new_uri(self, collection: str, resource_id: str | None = None) -> str:
        return f"{collection}/{resource_id or uuid.uuid4()}"

    def insert(self, collection: str, doc: dict[str, Any], resource_id: str | None = None) -> dict:
        with self.lock:
            doc = copy.deepcopy(doc)
            uri = doc.get("uri") or self.new_uri(collection, resource_id)
            if uri in self._docs:
                raise ApplianceError(409, "RESOURCE_EXISTS", f"{uri} already exists.")
            doc["uri"] = uri
            self._stamp(doc)
            self._docs[uri] = doc
            return copy.deepcopy(doc)

    def get(self, uri: str) -> dict[str, Any]:
        with self.lock:
            doc = self._docs.get(uri)
            if doc is None:
                raise not_found(uri)
            return copy.deepcopy(doc)

    def find(self, uri: str | None) -> dict[str, Any] | None:
        with self.lock:
            doc = self._docs.get(uri) if uri else None
            return copy.deepcopy(doc) if doc is not None else None

    def replace(self, uri: str, doc: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            if uri not in self._docs:
                raise not_found(uri)
            doc = copy.deepcopy(doc)
            doc["uri"] = uri
            doc["created"] = self._docs[uri].get("created")
            self._stamp(doc)
            self._docs[uri] = doc
            return copy.deepcopy(doc)

    def annotate(
        self, uri: str, fields: dict[str, Any], drop: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        """Set (and ``drop``) fields the appliance derives, such as a profile's progress, without a
        new eTag: they are not a change a client made.  None when ``uri`` is gone."""
        with self.lock:
            doc = self._docs.get(uri)
            if doc is None:
                return None
            doc.update(copy.deepcopy(fields))
            for key in drop:
                doc.pop(key, None)
            return copy.deepcopy(doc)

    def delete(self, uri: str) -> None:
        with self.lock:
            if self._docs.pop(uri, None) is None:
                raise not_found(uri)

    def members(self, collection: str) -> list[dict[str, Any]]:
        prefix = collection.rstrip("/") + "/"
        with self.lock:
            return [
                copy.deepcopy(d)
                for uri, d in self._docs.items()
                if uri.startswith(prefix) and "/" not in uri[len(prefix) :]
            ]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        with self.lock:
            return iter([copy.deepcopy(d) for d in self._docs.values()])

    def clear(self) -> None:
        with self.lock:
            self._docs.clear()

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Every document grouped by collection, for the admin state dump."""
        grouped: dict[str, list[dict[str, Any]]] = {}
        with self.lock:
            for uri, doc in sorted(self._docs.items()):
                grouped.setdefault(uri.rsplit("/", 1)[0], []).append(copy.deepcopy(doc))
        return grouped
