"""Our OneView REST client: typed errors, version rules, and the retrying, logged-in client."""

from networking_oneview.oneview.client import ClientSettings, OneViewClient, WriteOutcome
from networking_oneview.oneview.errors import (
    OneViewAuthenticationError,
    OneViewConflict,
    OneViewError,
    OneViewNotFound,
    OneViewRequestError,
    OneViewServerError,
    OneViewTaskError,
    OneViewTaskTimeout,
    OneViewTLSError,
    OneViewUnavailable,
    OneViewUnexpectedResponse,
    OneViewVersionError,
)

__all__ = [
    "ClientSettings",
    "OneViewAuthenticationError",
    "OneViewClient",
    "OneViewConflict",
    "OneViewError",
    "OneViewNotFound",
    "OneViewRequestError",
    "OneViewServerError",
    "OneViewTLSError",
    "OneViewTaskError",
    "OneViewTaskTimeout",
    "OneViewUnavailable",
    "OneViewUnexpectedResponse",
    "OneViewVersionError",
    "WriteOutcome",
]
