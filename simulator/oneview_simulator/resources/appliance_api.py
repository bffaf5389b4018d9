"""Appliance-level endpoints: version, login sessions, login domains and tasks."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from oneview_simulator.resources.common import appliance, collection_response, json_body
from oneview_simulator.tasks import TASKS

blueprint = Blueprint("appliance_api", __name__)


@blueprint.get("/rest/version")
def version():
    settings = appliance().settings
    return jsonify(
        {
            "minimumVersion": settings.minimum_version,
            "currentVersion": settings.current_version,
        }
    )


@blueprint.post("/rest/login-sessions")
def login():
    body = json_body()
    token = appliance().sessions.login(body.get("userName"), body.get("password"))
    return jsonify({"partnerData": {}, "sessionID": token})


@blueprint.delete("/rest/login-sessions")
def logout():
    appliance().sessions.logout(request.headers.get("auth"))
    return "", 204


@blueprint.get("/rest/logindomains")
def login_domains():
    """The configured login domains; like the appliance, only for a logged-in session."""
    local = {"type": "LoginDomainConfigVersion600", "name": "Local", "uri": None}
    return jsonify({"members": [local], "total": 1, "count": 1, "start": 0})


@blueprint.get("/rest/logindetails")
def login_details():
    """What a login page needs before anyone has logged in: no session required."""
    return jsonify(
        {
            "type": "LoginDetailsDto",
            "category": "logindetails",
            "uri": "/rest/logindetails",
            "allowLocalLogin": True,
            "defaultLoginDomain": {"name": "Local", "loginDomain": "0", "uri": None},
            "configuredLoginDomains": [],  # no directories: local users only
            "loginMessage": {"message": "", "acknowledgment": False},
            "technicianEnabled": False,
            "twoFactorAuthenticationEnabled": False,
        }
    )


@blueprint.get(TASKS)
def list_tasks():
    members = appliance().store.members(TASKS)
    return collection_response(TASKS, members, "tasks", "TaskResourceCollectionV2")


@blueprint.get(f"{TASKS}/<task_id>")
def get_task(task_id: str):
    task = appliance().store.get(f"{TASKS}/{task_id}")
    return jsonify(appliance().tasks.progress(task))
