"""The simulator's own admin API under ``/_sim``: faults, request log, task history, state dump,
reset.

It needs no session and is never faulted; it exists only on the simulator (a real appliance has
nothing there), so a driver pointed at a real OneView cannot use it by mistake.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from oneview_simulator.errors import bad_request
from oneview_simulator.resources.common import appliance

blueprint = Blueprint("admin", __name__, url_prefix="/_sim")


@blueprint.get("/state")
def state():
    return jsonify(appliance().dump())


@blueprint.get("/faults")
def get_faults():
    return jsonify(appliance().faults.describe())


@blueprint.put("/faults")
def put_faults():
    spec = request.get_json(silent=True)
    if not isinstance(spec, dict):
        raise bad_request("INVALID_JSON", "The fault plan must be a JSON object.")
    try:
        appliance().faults.configure(spec)
    except (TypeError, ValueError) as error:
        raise bad_request("INVALID_FAULT_PLAN", str(error)) from None
    return jsonify(appliance().faults.describe())


@blueprint.delete("/faults")
def clear_faults():
    appliance().faults.clear()
    return "", 204


@blueprint.post("/outage")
def outage():
    spec = request.get_json(silent=True) or {}
    seconds = spec.get("seconds")
    if not isinstance(seconds, int | float) or seconds <= 0:
        raise bad_request(
            "INVALID_PARAMETER", f"seconds must be a positive number, got {seconds!r}"
        )
    appliance().faults.start_outage(float(seconds))
    return jsonify(appliance().faults.describe())


@blueprint.post("/sessions/revoke")
def revoke_sessions():
    return jsonify({"revoked": appliance().sessions.revoke_all()})


@blueprint.get("/sessions/issued")
def issued_sessions():
    """Every session ID handed out, so a test can prove none of them leaked into a log."""
    return jsonify({"sessions": appliance().sessions.issued()})


@blueprint.get("/requests")
def requests_log():
    sim = appliance()
    return jsonify({"counts": dict(sim.request_counts), "log": list(sim.request_log)})


@blueprint.get("/tasks")
def task_history():
    """Every task since the last reset or request-log clear; ?resourceUri= and ?name= filter."""
    history = appliance().task_history
    for key in ("resourceUri", "name"):
        wanted = request.args.get(key)
        if wanted is not None:
            history = [entry for entry in history if entry[key] == wanted]
    return jsonify({"tasks": history})


@blueprint.delete("/requests")
def clear_requests():
    appliance().clear_request_log()
    return "", 204


@blueprint.post("/reset")
def reset():
    fixture = request.get_json(silent=True)
    appliance().reset(fixture if isinstance(fixture, dict) else None)
    return "", 204
