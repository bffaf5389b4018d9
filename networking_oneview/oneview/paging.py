"""Reading collections: every page of a listing, OneView's filter syntax, look-up by field.

OneView answers a listing one page at a time (at most a few hundred members, whatever count we
ask for) and links the next page by ``nextPageUri``; reading only the first page would silently
miss resources on a large appliance.
"""

from __future__ import annotations

import logging
from typing import Any

from networking_oneview.oneview.documents import Reader
from networking_oneview.oneview.paths import path_of
from networking_oneview.oneview.session import Call, Session

# The name the client's records had before it was split into modules: log filters keep working.
LOG = logging.getLogger("networking_oneview.oneview.client")

# OneView answers at most a few hundred members per page whatever we ask; ask for many anyway so
# an appliance that allows more needs fewer round trips.
DEFAULT_PAGE_SIZE = 1000


def quote_filter(expression: str) -> str:
    """Wrap a filter expression in double quotes, as OneView expects: ``"name='x'"``."""
    text = expression.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text
    return f'"{text}"'


def field_filter(key: str, value: Any) -> str:
    """``key='value'`` with quotes escaped (numbers and booleans unquoted)."""
    if isinstance(value, bool):
        return f"{key}={str(value).lower()}"
    if isinstance(value, int | float):
        return f"{key}={value}"
    escaped = str(value).replace("'", "''")
    return f"{key}='{escaped}'"


class Pager:
    """Lists and searches the collections of one appliance through its session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get_all(
        self,
        collection_uri: str,
        *,
        filters: list[str] | None = None,
        sort: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        retries: bool = True,
    ) -> list[dict[str, Any]]:
        """Every member, following ``nextPageUri``; see ``OneViewClient.get_all``.

        A page without members ends the listing, and so does a ``nextPageUri`` seen before:
        an appliance that links in a circle must not keep us reading forever.
        """
        params: list[tuple[str, str]] = [("start", "0"), ("count", str(page_size))]
        params += [("filter", quote_filter(f)) for f in filters or []]
        if sort:
            params.append(("sort", sort))
        members: list[dict[str, Any]] = []
        path: str | None = path_of(collection_uri)
        query: list[tuple[str, str]] | None = params
        seen: set[str] = set()
        session = self._session
        while path:
            call = Call("GET", path, params=query)
            page = (session.call(call) if retries else session.attempt(call)).body
            batch, next_uri = _page(Reader("GET", path), page)
            members.extend(batch)
            if not next_uri or not batch:
                break
            path, query = path_of(next_uri), None
            if path in seen:
                LOG.warning("OneView paging of %s loops at %s; stopping", collection_uri, path)
                break
            seen.add(path)
        return members

    def find(
        self, collection_uri: str, key: str, value: Any, *, retries: bool = True
    ) -> dict[str, Any] | None:
        """The member whose ``key`` equals ``value`` (the first of several, with a warning)."""
        matches = self.get_all(collection_uri, filters=[field_filter(key, value)], retries=retries)
        # Filter again locally: an appliance matching loosely must not hand us a near-namesake.
        matches = [m for m in matches if m.get(key) == value]
        if len(matches) > 1:
            LOG.warning(
                "OneView %s has %d members with %s=%r; using %s",
                collection_uri,
                len(matches),
                key,
                value,
                matches[0].get("uri"),
            )
        return matches[0] if matches else None


def _page(reader: Reader, page: Any) -> tuple[list[dict[str, Any]], str | None]:
    """A listing page's members (objects, every one) and the URI of the next page, if any.

    A page without ``members`` is an error, not an empty listing: read as empty, it would make
    the driver think resources are gone and create them again.
    """
    document = reader.object(page, "the listing page")
    members = reader.field(document, "members", list, what="the listing page")
    for index, member in enumerate(members):
        reader.object(member, f"member {index} of the listing page")
    next_uri = reader.field(document, "nextPageUri", str, required=False, what="the listing page")
    return members, next_uri
