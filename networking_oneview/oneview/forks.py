"""Per-process client state: what a forked child must rebuild before it talks to the appliance.

Neutron forks its API and plugin workers after the driver (and its client) is built, so one
client object is used by several processes.  Pooled TLS connections must not be shared (their
byte streams would interleave), a lock held by a parent thread at fork time stays held in the
child, and task slots taken by the parent's threads would never be given back there.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

# Held while a forked child replaces a client's connections, so two threads of the child that
# notice the fork at once rebuild them once.  A fresh lock in every child: one held at fork time
# would stay held there.
_FORK_LOCK = threading.Lock()


def _new_fork_lock() -> None:
    global _FORK_LOCK
    _FORK_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_new_fork_lock)


class ForkGuard:
    """Notices that the process is a forked child and runs a client's rebuild callbacks once.

    One guard per client, shared by its parts: each registers what it must rebuild, and
    ``check`` runs before anything that uses per-process state (sending a request, taking a
    task slot).  In the process that built the client, ``check`` is one ``getpid`` comparison.
    """

    def __init__(self) -> None:
        self._pid = os.getpid()
        self._rebuilds: list[Callable[[], None]] = []

    def on_fork(self, rebuild: Callable[[], None]) -> None:
        """Call ``rebuild`` in a forked child, at its first ``check``."""
        self._rebuilds.append(rebuild)

    def check(self) -> None:
        """Rebuild the per-process state if this process was forked since it was built."""
        if self._pid == os.getpid():
            return
        with _FORK_LOCK:
            if self._pid == os.getpid():
                return  # another thread of this child rebuilt everything meanwhile
            for rebuild in self._rebuilds:
                rebuild()
            self._pid = os.getpid()  # last: other threads must not see a half-rebuilt client
