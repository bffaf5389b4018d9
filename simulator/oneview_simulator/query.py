"""Collection queries as OneView parses them: filters, sort and paging (pure functions).

Filter grammar we accept (what OneView clients send):  ``name='x'``, ``"'name'='x'"``,
``vlanId=10``, ``name matches 'net%'``, ``name<>'x'``, ``a='x' AND b='y'``, ``a='x' OR b='y'``.
Repeated ``filter`` parameters are ANDed.  A value may be wrapped in double quotes as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from oneview_simulator.errors import bad_request

_TERM = re.compile(
    r"""^\s*'?(?P<field>[A-Za-z_][\w.]*)'?\s*
        (?P<op>=|<>|!=|\s+matches\s+|\s+MATCHES\s+)\s*
        (?P<value>'(?:[^']|'')*'|-?\d+|true|false|null)\s*$""",
    re.VERBOSE,
)
_SPLIT = re.compile(r"\s+(AND|OR)\s+(?=(?:[^']*'[^']*')*[^']*$)", re.IGNORECASE)


@dataclass(frozen=True)
class Term:
    field: str
    op: str  # "=", "<>", "matches"
    value: Any

    def test(self, resource: dict[str, Any]) -> bool:
        actual = _lookup(resource, self.field)
        if self.op == "matches":
            pattern = "^" + re.escape(str(self.value)).replace("%", ".*") + "$"
            return actual is not None and re.match(pattern, str(actual), re.IGNORECASE) is not None
        equal = _equal(actual, self.value)
        return equal if self.op == "=" else not equal


@dataclass(frozen=True)
class Filter:
    """A disjunction of conjunctions of terms (OneView has no parentheses in practice)."""

    any_of: tuple[tuple[Term, ...], ...]

    def test(self, resource: dict[str, Any]) -> bool:
        return any(all(t.test(resource) for t in group) for group in self.any_of)


def _lookup(resource: dict[str, Any], dotted: str) -> Any:
    value: Any = resource
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _equal(actual: Any, expected: Any) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        return str(actual).lower() == str(expected).lower()
    if isinstance(actual, int | float) and isinstance(expected, int | float):
        return actual == expected
    return str(actual) == str(expected) if actual is not None else expected is None


def _parse_value(raw: str) -> Any:
    if raw.startswith("'"):
        return raw[1:-1].replace("''", "'")
    if raw in ("true", "false"):
        return raw == "true"
    if raw == "null":
        return None
    return int(raw)


def parse_filter(expression: str) -> Filter:
    """Parse one ``filter`` query parameter; raise a 400 ApplianceError when malformed."""
    text = expression.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1]
    pieces = _SPLIT.split(text)
    groups: list[list[Term]] = [[]]
    for index, piece in enumerate(pieces):
        if index % 2 == 1:
            if piece.upper() == "OR":
                groups.append([])
            continue
        match = _TERM.match(piece)
        if not match:
            raise bad_request(
                "INVALID_FILTER",
                f"The filter expression {expression!r} is not valid.",
                "Use the form name='value', joined with AND or OR.",
            )
        op = match["op"].strip().lower()
        op = "<>" if op == "!=" else op
        groups[-1].append(Term(match["field"], op, _parse_value(match["value"])))
    return Filter(tuple(tuple(g) for g in groups))


def apply_filters(resources: Iterable[dict[str, Any]], filters: Sequence[str]) -> list[dict]:
    parsed = [parse_filter(f) for f in filters if f and f.strip()]
    return [r for r in resources if all(f.test(r) for f in parsed)]


def apply_sort(resources: list[dict[str, Any]], sort: str | None) -> list[dict[str, Any]]:
    """``sort=name:ascending`` (``:descending``, ``:asc``, ``:desc``); several comma-separated."""
    if not sort:
        return resources
    result = list(resources)
    for key in reversed([s for s in sort.split(",") if s.strip()]):
        field, _, direction = key.strip().partition(":")
        descending = direction.lower().startswith("desc")
        result.sort(key=lambda r, f=field: _sort_key(_lookup(r, f)), reverse=descending)
    return result


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, int | float):
        return (1, value)
    return (2, str(value).lower())


@dataclass(frozen=True)
class Page:
    members: list[dict[str, Any]]
    start: int
    total: int
    next_start: int | None
    prev_start: int | None


MAX_PAGE = 500  # what the appliance returns at most per page, whatever count asks for


def paginate(resources: list[dict[str, Any]], start: int, count: int) -> Page:
    """Slice like OneView: count=-1 means 'as many as allowed', capped at MAX_PAGE."""
    if start < 0:
        raise bad_request("INVALID_PAGE", f"start must be >= 0, got {start}.")
    size = MAX_PAGE if count < 0 else min(count, MAX_PAGE)
    members = resources[start : start + size]
    end = start + len(members)
    next_start = end if end < len(resources) and size > 0 else None
    prev_start = max(0, start - size) if start > 0 else None
    return Page(members, start, len(resources), next_start, prev_start)
