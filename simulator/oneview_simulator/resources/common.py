"""What every resource endpoint shares: collections, rendering per API version, eTags, 202s."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, current_app, g, jsonify, request

from oneview_simulator.appliance import Appliance
from oneview_simulator.errors import ApplianceError, bad_request
from oneview_simulator.query import apply_filters, apply_sort, paginate
from oneview_simulator.versions import expected_type


def appliance() -> Appliance:
    return current_app.extensions["oneview_appliance"]


def api_version() -> int:
    return int(getattr(g, "api_version", appliance().settings.current_version))


def json_body() -> dict[str, Any]:
    """The request's JSON object, or OneView's 400 when it is not one."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise bad_request(
            "INVALID_JSON", "The request body must be a JSON object.", "Send a JSON object."
        )
    return body


def render(doc: dict[str, Any], kind: str | None) -> dict[str, Any]:
    """A stored document as the requested API version shows it (its ``type``)."""
    shown = copy.deepcopy(doc)
    if kind is not None:
        shown["type"] = expected_type(kind, api_version())
    return shown


def collection_response(
    collection: str, members: list[dict[str, Any]], category: str, collection_type: str
):
    """OneView's paged collection document for GET on a collection URI."""
    args = request.args
    members = apply_filters(members, args.getlist("filter"))
    members = apply_sort(members, args.get("sort"))
    try:
        start = int(args.get("start", 0))
        count = int(args.get("count", -1))
    except ValueError:
        raise bad_request("INVALID_PAGE", "start and count must be integers.") from None
    page = paginate(members, start, count)

    def page_uri(at: int | None) -> str | None:
        if at is None:
            return None
        params: list[tuple[str, Any]] = [("start", at), ("count", count)]
        params += [("filter", f) for f in args.getlist("filter")]
        if args.get("sort"):
            params.append(("sort", args["sort"]))
        return f"{collection}?{urlencode(params, quote_via=quote)}"

    return jsonify(
        {
            "type": collection_type,
            "category": category,
            "uri": request.full_path.rstrip("?"),
            "start": page.start,
            "count": len(page.members),
            "total": page.total,
            "members": page.members,
            "nextPageUri": page_uri(page.next_start),
            "prevPageUri": page_uri(page.prev_start),
        }
    )


def add_read_routes(
    blueprint: Blueprint,
    collection: str,
    category: str,
    collection_type: str,
    view: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    """GET on the collection (filtered, sorted, paged) and on one member, shown by ``view``."""
    endpoint = category.replace("-", "_")

    def list_members():
        members = [view(doc) for doc in appliance().store.members(collection)]
        return collection_response(collection, members, category, collection_type)

    def get_member(member_id: str):
        return jsonify(view(appliance().store.get(f"{collection}/{member_id}")))

    blueprint.add_url_rule(collection, f"list_{endpoint}", list_members, methods=["GET"])
    blueprint.add_url_rule(
        f"{collection}/<member_id>", f"get_{endpoint}", get_member, methods=["GET"]
    )


def shown_as(kind: str | None) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The default view: the document with the ``type`` of the requested API version."""
    return lambda doc: render(doc, kind)


def accepted(task: dict[str, Any]):
    """202 Accepted with the task in the body and its URI in Location, as OneView answers."""
    response = jsonify(task)
    response.status_code = 202
    response.headers["Location"] = task["uri"]
    return response


def check_etag(current: dict[str, Any], body: dict[str, Any] | None) -> None:
    """Refuse a write made from a stale copy (body eTag or If-Match header)."""
    header = request.headers.get("If-Match")
    sent = header if header is not None else (body or {}).get("eTag")
    if sent in (None, "", "*"):
        return
    if str(sent).strip('"') != str(current.get("eTag")):
        raise ApplianceError(
            412,
            "ETAG_MISMATCH",
            f"The eTag {sent!r} does not match the current eTag of {current['uri']}; "
            "the resource was changed by another request.",
            recommended_actions=["Get the resource again and reapply the change."],
        )


def require(body: dict[str, Any], field: str, kinds: type | tuple[type, ...]) -> Any:
    value = body.get(field)
    if value is None or not isinstance(value, kinds):
        names = kinds.__name__ if isinstance(kinds, type) else "/".join(k.__name__ for k in kinds)
        raise bad_request(
            "INVALID_PARAMETER",
            f"The field {field!r} is required and must be a {names}; got {value!r}.",
            f"Set {field} in the request body.",
        )
    return value


def resource_uri(collection: str, resource_id: str) -> str:
    return f"{collection}/{resource_id}"


def unique_name(
    store: Any,
    collection: str,
    body: dict[str, Any],
    current: dict[str, Any] | None,
    *,
    what: str,
    error_code: str,
) -> str:
    """The body's ``name``: 1-255 characters and unused by any other member of ``collection``."""
    name = require(body, "name", str).strip()
    if not name or len(name) > 255:
        raise bad_request("INVALID_NAME", f"The {what} name {name!r} must be 1-255 characters.")
    own_uri = current["uri"] if current else None
    for other in store.members(collection):
        if other["name"] == name and other["uri"] != own_uri:
            raise bad_request(
                error_code,
                f"A {what} named {name!r} already exists ({other['uri']}).",
                f"Use a different name for the {what}.",
            )
    return name
