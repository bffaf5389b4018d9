"""How a reconcile that did not finish tells the work runner when to try again."""

from __future__ import annotations


class NotReady(Exception):
    """A dependency is not there yet (a network, a profile, a running task); retry with backoff."""

    retry_after: float | None = None  # None: the runner's exponential backoff


class WaitingForServer(NotReady):
    """The change needs the server off and we may not power it off; look again soon."""

    retry_after = 15.0


class Refused(Exception):
    """OneView (or our policy) refused a change that retrying cannot cure.

    The work is parked: tried again when something about the object changes, on
    ``networking-oneview status --retry-now``, never in a loop.
    """
