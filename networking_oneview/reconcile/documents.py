"""One read-modify-write of an eTag'd OneView document (LIG, uplink set, server profile, ...).

OneView updates are a PUT of the whole document with the eTag it was read with.  A PUT refused
because the document changed meanwhile (a stale eTag) or because a member it names has just gone
(a network deleted by another process: 404, or a task error saying so) is not a failure: the
change is planned again at once from a fresh read.  Every loop here ends either applied or raised.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from networking_oneview.oneview import (
    OneViewClient,
    OneViewConflict,
    OneViewNotFound,
    OneViewTaskError,
)
from networking_oneview.reconcile.outcomes import NotReady

LOG = logging.getLogger(__name__)

ATTEMPTS = 5
# Task errors meaning "what you sent was planned against an older state": plan again.
_STALE_TASK = re.compile(r"NOT_FOUND|CHANGED_DURING_UPDATE|ETAG|STALE", re.IGNORECASE)


class StaleDocument(NotReady):
    """A document kept changing under us; the caller may plan again from fresh inputs."""

    def __init__(self, uri: str, attempts: int) -> None:
        super().__init__(f"{uri} kept changing while we updated it ({attempts} attempts)")
        self.uri = uri


def stale(error: Exception) -> bool:
    """Whether a refused PUT only needs planning again from a fresh read."""
    if isinstance(error, OneViewConflict | OneViewNotFound):
        return True
    return isinstance(error, OneViewTaskError) and bool(_STALE_TASK.search(error.error_code or ""))


def read_modify_write(
    client: OneViewClient,
    uri: str,
    change: Callable[[dict[str, Any]], bool],
    *,
    kind: str,
    attempts: int = ATTEMPTS,
) -> dict[str, Any] | None:
    """GET ``uri``, let ``change`` edit it in place, PUT it; return the document OneView returned
    after the PUT, or None when ``change`` found nothing to do (returned False).

    A stale refusal re-reads and calls ``change`` again at once; a document that is itself gone
    raises OneViewNotFound from the GET; after ``attempts`` stale refusals in a row
    StaleDocument (a NotReady) is raised: the caller plans again from fresh inputs, or the work
    is retried later, never dropped.
    """
    for _ in range(attempts):
        document = client.get(uri)
        if not change(document):
            return None
        try:
            return client.update(document, kind=kind)
        except (OneViewConflict, OneViewNotFound, OneViewTaskError) as error:
            if not stale(error):
                raise
            LOG.info("%s changed while we updated it (%s); planning again", uri, error)
    raise StaleDocument(uri, attempts)
