"""The appliance's pool of virtual MAC addresses, handed to connections of macType Virtual.

The pool is one locally administered range (first octet 0x16: locally administered, unicast)
walked by a counter: the n-th address is ``pool_mac(n)``.  The counter only moves forward, so an
address freed by a removed connection is not handed out again until the range wraps around, and
an address still assigned to a connection (or typed in as a UserDefined MAC) is skipped.  A
fixture's profiles may already use pool addresses; loading it moves the counter past them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from oneview_simulator.errors import ApplianceError

POOL_PREFIX = (0x16, 0x5E, 0xA0)
POOL_SIZE = 1 << 24
MAC_FORMAT = re.compile(r"^[0-9A-F]{2}(:[0-9A-F]{2}){5}$")


def pool_mac(index: int) -> str:
    """The address at position ``index`` of the pool (upper-case, colon-separated)."""
    octets = [*POOL_PREFIX, (index >> 16) & 0xFF, (index >> 8) & 0xFF, index & 0xFF]
    return ":".join(f"{octet:02X}" for octet in octets)


def pool_index(mac: str) -> int | None:
    """The position of ``mac`` in the pool, or None when it is not a pool address."""
    mac = mac.upper()
    if not MAC_FORMAT.match(mac):
        return None
    octets = [int(part, 16) for part in mac.split(":")]
    if tuple(octets[:3]) != POOL_PREFIX:
        return None
    return (octets[3] << 16) | (octets[4] << 8) | octets[5]


class MacPool:
    """Deterministic allocation from the pool; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next = 0

    def restart(self, used: Iterable[str]) -> None:
        """Start over after the highest pool address in ``used`` (a freshly loaded fixture)."""
        indexes = [i for i in (pool_index(mac) for mac in used if mac) if i is not None]
        with self._lock:
            self._next = (max(indexes) + 1) % POOL_SIZE if indexes else 0

    def allocate(self, in_use: set[str]) -> str:
        """The next pool address that is not in ``in_use`` (upper-case MACs)."""
        with self._lock:
            for _ in range(POOL_SIZE):
                mac = pool_mac(self._next)
                self._next = (self._next + 1) % POOL_SIZE
                if mac not in in_use:
                    return mac
        raise ApplianceError(
            500,
            "MAC_POOL_EXHAUSTED",
            "Every address of the virtual MAC pool is assigned.",
            recommended_actions=["Delete server profiles or use macType Physical."],
        )

    def peek(self) -> str:
        with self._lock:
            return pool_mac(self._next)
