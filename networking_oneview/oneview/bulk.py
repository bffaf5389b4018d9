"""Pure helpers for OneView's bulk ethernet-network endpoints: VLAN lists, ranges and names.

``POST /rest/ethernet-networks/bulk`` takes a ``namePrefix`` and a ``vlanIdRange`` such as
``"101-110,115"`` and names each network ``PREFIX_VLAN``; the client reads them back by that
name.  Kept apart from the client so the rules can be tested without an appliance.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

MIN_VLAN = 1
MAX_VLAN = 4094


def checked_vlans(vlan_ids: Iterable[int]) -> list[int]:
    """The VLAN ids as a list, or ValueError for one OneView would refuse or silently merge.

    A repeated id is refused: the range would create one network for it, and a caller that
    asked twice has a bug that should not turn into a silent de-duplication.
    """
    vlans = list(vlan_ids)
    for vlan in vlans:
        if isinstance(vlan, bool) or not isinstance(vlan, int) or not MIN_VLAN <= vlan <= MAX_VLAN:
            raise ValueError(
                f"VLAN ids must be integers from {MIN_VLAN} to {MAX_VLAN}; got {vlan!r}"
            )
    repeated = sorted(vlan for vlan, times in Counter(vlans).items() if times > 1)
    if repeated:
        raise ValueError(f"VLAN ids must not repeat; repeated: {repeated}")
    return vlans


def checked_prefix(name_prefix: str) -> str:
    """The prefix, or ValueError: OneView trims names, so ``" a"`` would not name ``" a_5"``."""
    if not isinstance(name_prefix, str) or not name_prefix or name_prefix != name_prefix.strip():
        raise ValueError(
            f"name_prefix must be a non-empty name without surrounding spaces; got {name_prefix!r}"
        )
    return name_prefix


def network_name(name_prefix: str, vlan: int) -> str:
    """The name OneView gives the bulk-created network of ``vlan``."""
    return f"{name_prefix}_{vlan}"


def vlan_id_range(vlans: Iterable[int]) -> str:
    """``"101-110,115"``: the ids as ascending runs.

    A single id alone is written ``"N-N"``: HPE's SDK reads a lone ``"N"`` as 1..N when it looks
    the created networks up, which suggests the appliance may too; ``N-N`` means N either way.
    """
    runs: list[list[int]] = []
    for vlan in sorted(set(vlans)):
        if runs and vlan == runs[-1][1] + 1:
            runs[-1][1] = vlan
        else:
            runs.append([vlan, vlan])
    if not runs:
        raise ValueError("a VLAN range needs at least one VLAN id")
    if len(runs) == 1:
        return f"{runs[0][0]}-{runs[0][1]}"
    return ",".join(f"{low}-{high}" if low != high else f"{low}" for low, high in runs)


def prefix_filter(name_prefix: str) -> str:
    """``name matches 'PREFIX_%'``: one filtered listing finds every network of the prefix.

    ``_`` is not escaped: an appliance that reads it as a one-character wildcard only returns
    more, and the caller keeps exact names alone.
    """
    escaped = name_prefix.replace("'", "''")
    return f"name matches '{escaped}_%'"
