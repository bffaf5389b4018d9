"""Find OneView networks that carry our name but have no record (pure), and sweep them.

A network can exist without our record after a crash between OneView's create and our record, or
after the database was restored from a backup.  A name is ours only when it has exactly the shape
we give: ``CLOUD_PHYSNET_VLAN`` / ``CLOUD_PHYSNET_flat`` for a physnet we map, or the
``CLOUD_LABEL_SEGMENT-UUID`` of earlier releases; a foreign network that merely starts with the
cloud name is never touched.  A live Neutron segment that wants the name adopts it (through its
network's work); any other is deleted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from networking_oneview.reconcile.networks import physnet_label
from networking_oneview.topology import NetworkSummary

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass(frozen=True)
class Orphan:
    network: NetworkSummary
    adopt_for: str | None  # the Neutron network that wants it, or None: delete it

    @property
    def action(self) -> str:
        return f"adopt for network {self.adopt_for}" if self.adopt_for else "delete"


def name_pattern(cloud: str, physnets: Iterable[str]) -> re.Pattern[str]:
    labels = "|".join(sorted(re.escape(physnet_label(p)) for p in physnets)) or "(?!)"
    cloud = re.escape(cloud)
    return re.compile(rf"^{cloud}_(?:(?:{labels})_(?:[0-9]{{1,4}}|flat)|.+_{_UUID})$")


def find_orphans(
    networks: Iterable[NetworkSummary],
    recorded_uris: set[str],
    wanted_names: Mapping[str, str],
    cloud: str,
    physnets: Iterable[str],
) -> list[Orphan]:
    """Our-named networks without a record; ``wanted_names`` maps a name a live segment wants
    to its Neutron network id."""
    pattern = name_pattern(cloud, physnets)
    return [
        Orphan(n, wanted_names.get(n.name))
        for n in sorted(networks, key=lambda n: n.name)
        if n.uri not in recorded_uris and pattern.match(n.name)
    ]
