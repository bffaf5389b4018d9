"""What a sync would change, without changing anything (``networking-oneview sync --dry-run``).

Each reconciler that can say so implements ``drift(context, ids) -> list[Drift]`` with the same
planners it applies with, reading Neutron and OneView only; ``collect`` asks every registered
one about every object it knows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from networking_oneview.reconcile.registry import Registry


@dataclass(frozen=True)
class Drift:
    """One change a sync would make."""

    kind: str  # the work kind: network, lig, server, full
    target: str  # the OneView object (or Neutron network) concerned
    action: str  # create, delete, adopt, forget, add, remove, change, wait, refuse
    why: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def collect(registry: Registry, context: Any) -> list[Drift]:
    """The drift of every registered kind that can report it, in registry order."""
    found: list[Drift] = []
    for reconciler in registry:
        drift = getattr(reconciler, "drift", None)
        if drift is not None:
            found += drift(context, sorted(reconciler.all_ids(context)))
    return found
