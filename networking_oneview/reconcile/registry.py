"""The kinds of reconcile work and who does each: the runner and the full sync dispatch here.

A new kind of work (network sets, an orphan sweep) is a new module with a ``Reconciler`` and one
line where the registry is assembled (``networking_oneview.reconcile.assemble``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol


class Reconciler(Protocol):
    """Makes one kind of OneView state match Neutron, level-triggered and idempotent."""

    #: The work kind it serves (``oneview_pending_work.kind``).
    kind: str
    #: How many objects one claim takes together (networks share one bulk request; servers go
    #: one per claim, so different servers run in parallel).
    batch: int

    def reconcile(self, context: Any, ids: list[str]) -> dict[str, Exception]:
        """Reconcile these objects; return the failures by object id (the rest succeeded)."""
        ...

    def all_ids(self, context: Any) -> set[str]:
        """Every object of this kind the full sync must compare."""
        ...


class Registry:
    """Reconcilers by work kind, in the order the full sync visits them."""

    def __init__(self, reconcilers: Iterable[Reconciler] = ()) -> None:
        self._by_kind: dict[str, Reconciler] = {}
        for reconciler in reconcilers:
            self.register(reconciler)

    def register(self, reconciler: Reconciler) -> None:
        if reconciler.kind in self._by_kind:
            raise ValueError(f"two reconcilers for work kind {reconciler.kind!r}")
        self._by_kind[reconciler.kind] = reconciler

    def get(self, kind: str) -> Reconciler | None:
        return self._by_kind.get(kind)

    def __iter__(self) -> Iterator[Reconciler]:
        return iter(list(self._by_kind.values()))

    def __contains__(self, kind: object) -> bool:
        return kind in self._by_kind
