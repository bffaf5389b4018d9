"""Which failed requests are sent again, how often and how far apart (tenacity).

Only what is safe to retry is retried: connection failures and 500/502/503/504, never a 4xx
(the same request would be refused the same way).  A non-idempotent request is retried only
when the failure proves it never reached the appliance.
"""

from __future__ import annotations

import logging
from typing import Any

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from networking_oneview.oneview.errors import (
    OneViewError,
    OneViewServerError,
    OneViewUnavailable,
)
from networking_oneview.oneview.settings import ClientSettings

# The name the client's records had before it was split into modules: log filters keep working.
LOG = logging.getLogger("networking_oneview.oneview.client")

RETRY_STATUSES = frozenset({500, 502, 503, 504})


def retrying(
    settings: ClientSettings, method: str, path: str, *, unsent_only: bool = False
) -> Retrying:
    """Bounded exponential backoff with jitter, for transient failures only.

    ``unsent_only`` is for non-idempotent requests: retry only failures that prove the
    request never reached the appliance.
    """
    predicate = _not_sent if unsent_only else _transient
    return Retrying(
        stop=stop_after_attempt(settings.max_retries + 1),
        wait=wait_exponential_jitter(
            multiplier=settings.retry_backoff,
            max=settings.retry_backoff_max,
            jitter=settings.retry_backoff,
        ),
        retry=retry_if_exception(predicate),
        before_sleep=lambda state: _log_retry(settings, method, path, state),
        retry_error_callback=_give_up,
    )


def maybe_applied(error: OneViewError) -> bool:
    """A failure after which the write may still have been applied (sent, answer lost)."""
    if isinstance(error, OneViewUnavailable):
        return error.sent
    return isinstance(error, OneViewServerError) and error.status in RETRY_STATUSES


def _log_retry(settings: ClientSettings, method: str, path: str, state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    if isinstance(error, OneViewServerError):
        reason = f"HTTP {error.status}" + (f" {error.error_code}" if error.error_code else "")
    else:
        reason = getattr(error, "message", None) or repr(error)
    LOG.warning(
        "OneView %s %s failed (%s); retry %d of %d in %.2fs",
        method,
        path,
        reason,
        state.attempt_number,
        settings.max_retries,
        state.next_action.sleep if state.next_action else 0.0,
    )


def _transient(error: BaseException) -> bool:
    if isinstance(error, OneViewUnavailable):
        return True
    return isinstance(error, OneViewServerError) and error.status in RETRY_STATUSES


def _not_sent(error: BaseException) -> bool:
    return isinstance(error, OneViewUnavailable) and not getattr(error, "sent", True)


def _give_up(state: RetryCallState) -> Any:
    """Re-raise the last transient error, noting how many attempts were made."""
    error = state.outcome.exception() if state.outcome else None
    if error is None:  # pragma: no cover - tenacity only gives up after a failure
        raise RuntimeError("retry gave up without an error")
    if isinstance(error, OneViewServerError | OneViewUnavailable):
        error.attempts = state.attempt_number
    raise error
