"""Server profiles: one per server hardware, with connections, maybe made from a template.

Creating a profile sets the hardware's ``serverProfileUri`` and ``state: ProfileApplied``;
deleting it clears them.  A PUT carries the whole profile: no connections in it means none are
wanted.  A profile stays on its server hardware (a PUT that moves or unassigns it is refused with
a 400).  Connections: ``profile_layout`` (where, per API version), ``profile_connections``
(validation, ids, ports), ``profile_macs`` (``macType`` Physical, Virtual or UserDefined).

Templates: a profile POSTed with ``serverProfileTemplateUri`` takes the template's macType and,
unless it sends connections of its own, the template's connections.  ``templateCompliance``
(``template_compliance``) is recomputed whenever the profile or its template changes.
``PATCH {uri}`` with ``[{"op": "replace", "path": "/templateCompliance", "value": "Compliant"}]``
is OneView's "update from template": a task that puts the template's connections back.

Power rule, checked when the task runs: while the server hardware is not Off, a change that adds
or removes connections, or changes a connection's port, boot priority, function type, name or
MAC, ends in task Error ``ServerNotOffWithCauseForNoServerChange`` and changes nothing.  Allowed
while On: profile name and description, ``requestedMbps`` and ``networkUri`` of an existing
connection (compared by id).  Creating a profile with connections on a powered-on server and
deleting the profile of a powered-on server are refused the same way.  A PUT task also fails
when the profile changed between the PUT and the task (``PROFILE_CHANGED_DURING_UPDATE``).

While an update or update-from-template task is pending the profile shows ``inProgress: true``,
``state: Updating`` and the ``taskUri`` of the oldest such task; these derived fields change no
eTag.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from oneview_simulator.appliance import Appliance
from oneview_simulator.errors import ApplianceError, bad_request
from oneview_simulator.resources.common import (
    accepted,
    add_read_routes,
    api_version,
    appliance,
    check_etag,
    json_body,
)
from oneview_simulator.resources.profile_build import PROFILES, build_profile, check_unassigned
from oneview_simulator.resources.profile_connections import changes_needing_power_off
from oneview_simulator.resources.profile_layout import (
    SentConnections,
    manages_connections,
    sent_connections,
    show,
    stored_connections,
)
from oneview_simulator.resources.template_compliance import connections_from_template
from oneview_simulator.store import ResourceStore
from oneview_simulator.tasks import Hook
from oneview_simulator.versions import check_type

blueprint = Blueprint("server_profiles", __name__)

SERVER_NOT_OFF = "ServerNotOffWithCauseForNoServerChange"
UPDATE_FROM_TEMPLATE = [{"op": "replace", "path": "/templateCompliance", "value": "Compliant"}]


def show_profile(doc: dict[str, Any]) -> dict[str, Any]:
    return show(doc, "server-profile")


add_read_routes(blueprint, PROFILES, "server-profiles", "ServerProfileListV12", show_profile)


# -- the power rule ------------------------------------------------------------------------------
def server_not_off(hardware: dict[str, Any], profile_name: str, what: str) -> ApplianceError:
    state = hardware["powerState"]
    now = "it is powered on" if state == "On" else f"its power state is {state}"
    return ApplianceError(
        409,
        SERVER_NOT_OFF,
        f"The server hardware {hardware['name']!r} must be powered off to {what} server profile "
        f"{profile_name!r}; {now}.",
        details="While the server is powered on only the profile name and description, and the "
        "requested bandwidth and network of existing connections, can change.",
        recommended_actions=["Power off the server hardware and retry, then power it on again."],
    )


def _check_power(store: ResourceStore, latest: dict[str, Any], doc: dict[str, Any]) -> None:
    hardware = store.get(latest["serverHardwareUri"])
    reasons = changes_needing_power_off(stored_connections(latest), stored_connections(doc))
    if reasons and hardware["powerState"] != "Off":
        error = server_not_off(hardware, latest["name"], "apply this change to")
        error.message += f" The update {'; '.join(reasons)}."
        raise error


# -- progress: inProgress / state / taskUri while update tasks are pending -----------------------
def _progress_hooks(sim: Appliance, uri: str) -> tuple[Hook, Hook]:
    def start(task_uri: str) -> None:
        sim.busy.begin(uri, task_uri)
        _show_progress(sim, uri)

    def end(task_uri: str) -> None:
        sim.busy.end(uri, task_uri)
        _show_progress(sim, uri)

    return start, end


def _show_progress(sim: Appliance, uri: str) -> None:
    running = sim.busy.current(uri)
    if running is not None:
        sim.store.annotate(uri, {"inProgress": True, "state": "Updating", "taskUri": running})
    else:
        sim.store.annotate(uri, {"inProgress": False, "state": "Normal"}, drop=("taskUri",))


def _run_update(sim: Appliance, name: str, current: dict[str, Any], action) -> Any:
    start, end = _progress_hooks(sim, current["uri"])
    return accepted(sim.run_task(name, current, action, on_start=start, on_end=end))


# -- endpoints -----------------------------------------------------------------------------------
@blueprint.post(PROFILES)
def create_profile():
    sim = appliance()
    body = json_body()
    check_type("server-profile", body, api_version())
    sent = sent_connections(body, api_version())
    with sim.store.lock:
        draft = build_profile(sim.store, body, sent, None, None)
    hardware_uri = draft["serverHardwareUri"]

    def create() -> str:
        store = sim.store
        hardware = store.get(hardware_uri)
        check_unassigned(hardware)  # a concurrent create may have won meanwhile
        doc = build_profile(store, body, sent, None, sim.mac_pool.allocate)
        if stored_connections(doc) and hardware["powerState"] != "Off":
            raise server_not_off(hardware, doc["name"], "apply connections of")
        created = store.insert(PROFILES, doc)
        hardware.update(serverProfileUri=created["uri"], state="ProfileApplied")
        store.replace(hardware_uri, hardware)
        return created["uri"]

    return accepted(sim.run_task("Create", {"name": draft["name"]}, create))


@blueprint.put(f"{PROFILES}/<profile_id>")
def update_profile(profile_id: str):
    uri = f"{PROFILES}/{profile_id}"
    sim = appliance()
    body = json_body()
    check_type("server-profile", body, api_version())
    sent = sent_connections(body, api_version())
    with sim.store.lock:
        current = sim.store.get(uri)
        check_etag(current, body)
        build_profile(sim.store, body, sent, current, None)

    def update() -> str:
        store = sim.store
        latest = store.get(uri)
        if latest["eTag"] != current["eTag"]:
            raise ApplianceError(
                409,
                "PROFILE_CHANGED_DURING_UPDATE",
                f"Server profile {latest['name']!r} was changed by another request after this "
                "update was accepted; the update was not applied.",
                recommended_actions=["Get the profile again and reapply the change."],
            )
        doc = build_profile(store, body, sent, latest, sim.mac_pool.allocate)
        _check_power(store, latest, doc)
        store.replace(uri, doc)
        return uri

    return _run_update(sim, "Update", current, update)


def _check_patch(operations: Any) -> None:
    if operations != UPDATE_FROM_TEMPLATE:
        raise bad_request(
            "UNSUPPORTED_PATCH",
            "The only PATCH of a server profile is the update from its template, "
            f"{UPDATE_FROM_TEMPLATE}; got {operations!r}.",
            "Send that body (Content-Type application/json-patch+json) or PUT the profile.",
        )


@blueprint.patch(f"{PROFILES}/<profile_id>")
def patch_profile(profile_id: str):
    uri = f"{PROFILES}/{profile_id}"
    sim = appliance()
    _check_patch(request.get_json(silent=True))
    with sim.store.lock:
        current = sim.store.get(uri)
        check_etag(current, None)
    if not current.get("serverProfileTemplateUri"):
        raise bad_request(
            "PROFILE_HAS_NO_TEMPLATE",
            f"Server profile {current['name']!r} was not made from a server profile template; "
            "there is nothing to update it from.",
            "Set serverProfileTemplateUri with a PUT first.",
        )

    def update_from_template() -> str:
        store = sim.store
        latest = store.get(uri)
        template = store.find(latest.get("serverProfileTemplateUri"))
        if template is None:
            raise ApplianceError(
                409,
                "SERVER_PROFILE_TEMPLATE_NOT_FOUND",
                f"The template of server profile {latest['name']!r} no longer exists.",
            )
        doc = build_profile(
            store, latest, _template_connections(latest, template), latest, sim.mac_pool.allocate
        )
        _check_power(store, latest, doc)
        store.replace(uri, doc)
        return uri

    return _run_update(sim, "Update from template", current, update_from_template)


def _template_connections(profile: dict[str, Any], template: dict[str, Any]) -> SentConnections:
    field = "connections from the template"
    if not manages_connections(template):
        return SentConnections(field, stored_connections(profile), manages_connections(profile))
    items = connections_from_template(stored_connections(profile), stored_connections(template))
    return SentConnections(field, items, True)


@blueprint.delete(f"{PROFILES}/<profile_id>")
def delete_profile(profile_id: str):
    uri = f"{PROFILES}/{profile_id}"
    sim = appliance()
    current = sim.store.get(uri)
    check_etag(current, None)

    def delete() -> None:
        store = sim.store
        latest = store.get(uri)
        hardware = store.find(latest.get("serverHardwareUri"))
        if hardware is not None and hardware["powerState"] != "Off":
            raise server_not_off(hardware, latest["name"], "delete")
        store.delete(uri)
        if hardware is not None and hardware.get("serverProfileUri") == uri:
            hardware.update(serverProfileUri=None, state="NoProfileApplied")
            store.replace(hardware["uri"], hardware)
        return None

    return accepted(sim.run_task("Delete", current, delete))
