"""Server profile templates: CRUD, profiles made from them, compliance, update from template."""

from __future__ import annotations

import copy

import pytest
from sim_helpers import (
    HARDWARE,
    POOL_PREFIX,
    PROFILES,
    SERVER_NOT_OFF,
    TEMPLATES,
    connections,
    create_body,
    ethernet,
    network_uri,
    one,
    set_power,
    with_connections,
)

TEMPLATE = "baremetal-template"
ON_NODE = "ironic-node-f2b3"  # Frame2, bay 3 (On)
OFF_NODE = "ironic-node-f2b8"  # Frame2, bay 8 (Off)
FREE_OFF_BLADE = "Frame2, bay 6"
UPDATE_FROM_TEMPLATE = [{"op": "replace", "path": "/templateCompliance", "value": "Compliant"}]


def _template_body(rest, name: str = "tmpl", items: list[dict] | None = None, **fields) -> dict:
    base = one(rest, TEMPLATES, TEMPLATE)
    return {
        "name": name,
        "serverHardwareTypeUri": base["serverHardwareTypeUri"],
        "enclosureGroupUri": base["enclosureGroupUri"],
        "macType": "Virtual",
        "connectionSettings": {"manageConnections": True, "connections": items or []},
        **fields,
    }


def _patch(rest, profile: dict, body=None):
    sent = UPDATE_FROM_TEMPLATE if body is None else body
    return rest.request(
        "PATCH", profile["uri"], sent, **{"Content-Type": "application/json-patch+json"}
    )


def _completed(rest, answer) -> dict:
    task = rest.wait(answer)
    assert task["taskState"] == "Completed", task
    return task


# -- reading -------------------------------------------------------------------------------------
def test_the_fixture_template_lists_two_connections(rest):
    template = one(rest, TEMPLATES, TEMPLATE)
    assert template["macType"] == "Virtual"
    assert template["category"] == "server-profile-templates"
    assert template["connectionSettings"]["manageConnections"] is True
    found = [
        (c["id"], c["name"], c["portId"], c["boot"]["priority"]) for c in connections(template)
    ]
    assert found == [
        (1, "deploy", "Mezz 3:1-a", "Primary"),
        (2, "data", "Mezz 3:2-a", "NotBootable"),
    ]
    assert rest.get(template["uri"]).json() == template


@pytest.mark.parametrize(
    ("api_version", "kind", "where"),
    [(500, "ServerProfileTemplateV3", "connections"), (800, "ServerProfileTemplateV5", "settings")],
)
def test_templates_show_the_type_and_connections_of_the_version(rest, api_version, kind, where):
    template = one(rest.at(api_version), TEMPLATES, TEMPLATE)
    assert template["type"] == kind
    assert ("connections" in template) == (where == "connections")
    assert len(connections(template)) == 2


def test_template_filters_match_mac_type(rest):
    assert [t["name"] for t in rest.members(f"{TEMPLATES}?filter=\"macType='Virtual'\"")] == [
        TEMPLATE
    ]
    assert rest.members(f"{TEMPLATES}?filter=\"macType='Physical'\"") == []


# -- writing -------------------------------------------------------------------------------------
def test_create_update_and_delete_a_template(rest):
    mgmt = network_uri(rest, "datacenter-mgmt")
    created = rest.created(rest.post(TEMPLATES, _template_body(rest, items=[ethernet(mgmt)])))
    assert created["name"] == "tmpl" and created["macType"] == "Virtual"
    [connection] = connections(created)
    assert (connection["id"], connection["portId"], connection["requestedMbps"]) == (
        1,
        "Auto",
        "2500",
    )
    assert "mac" not in connection
    body = copy.deepcopy(created)
    body["connectionSettings"]["connections"][0]["portId"] = "Mezz 3:2-d"
    _completed(rest, rest.put(created["uri"], body))
    assert connections(rest.get(created["uri"]).json())[0]["portId"] == "Mezz 3:2-d"
    stale = rest.put(created["uri"], {**created, "description": "late"})
    assert stale.status_code == 412
    task = _completed(rest, rest.delete(created["uri"]))
    assert task["name"] == "Delete"
    assert rest.get(created["uri"]).status_code == 404


@pytest.mark.parametrize(
    ("edit", "code", "named"),
    [
        ({"name": TEMPLATE}, "DUPLICATE_SERVER_PROFILE_TEMPLATE_NAME", f"named {TEMPLATE!r}"),
        ({"serverHardwareTypeUri": None}, "INVALID_PARAMETER", "serverHardwareTypeUri is"),
        ({"macType": "Sometimes"}, "INVALID_MAC_TYPE", "macType 'Sometimes'"),
        (
            {"connections": [{"portId": "Mezz 9:1-a"}]},
            "INVALID_PORT_ID",
            "connectionSettings.connections[0].portId 'Mezz 9:1-a' is not a port of server "
            "hardware type",
        ),
        (
            {"connections": [{"networkUri": "/rest/ethernet-networks/nope"}]},
            "NETWORK_NOT_FOUND",
            "connectionSettings.connections[0].networkUri",
        ),
        (
            {"connections": [{"boot": {"priority": "Primary"}}, {"boot": {"priority": "Primary"}}]},
            "DUPLICATE_BOOT_PRIORITY",
            "boot.priority 'Primary'",
        ),
    ],
    ids=["dup-name", "no-sht", "mac-type", "port", "network", "two-primaries"],
)
def test_invalid_template_is_refused_with_400_naming_the_field(rest, edit, code, named):
    mgmt = network_uri(rest, "datacenter-mgmt")
    edit = dict(edit)
    items = [ethernet(mgmt, **change) for change in edit.pop("connections", [])]
    answer = rest.post(TEMPLATES, _template_body(rest, items=items, **edit))
    assert answer.status_code == 400, answer.text
    assert answer.json()["errorCode"] == code
    assert named in answer.json()["message"]


def test_the_mac_type_of_a_template_cannot_change(rest):
    template = one(rest, TEMPLATES, TEMPLATE)
    answer = rest.put(template["uri"], {**template, "macType": "Physical"})
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "MAC_TYPE_CHANGE_NOT_SUPPORTED"


def test_a_template_that_profiles_use_cannot_be_deleted(rest):
    template = one(rest, TEMPLATES, TEMPLATE)
    task = rest.wait(rest.delete(template["uri"]))
    assert task["taskState"] == "Error"
    error = task["taskErrors"][0]
    assert error["errorCode"] == "SERVER_PROFILE_TEMPLATE_IN_USE"
    assert ON_NODE in error["message"] and OFF_NODE in error["message"]
    assert rest.get(template["uri"]).status_code == 200


# -- profiles made from templates ----------------------------------------------------------------
def test_new_profile_posted_as_is_makes_a_compliant_profile_with_pool_macs(rest):
    template = one(rest, TEMPLATES, TEMPLATE)
    body = rest.get(template["uri"] + "/new-profile").json()
    assert body["serverProfileTemplateUri"] == template["uri"]
    assert body["type"] == "ServerProfileV12" and body["macType"] == "Virtual"
    body.update(name="node-new", serverHardwareUri=one(rest, HARDWARE, FREE_OFF_BLADE)["uri"])
    profile = rest.created(rest.post(PROFILES, body))
    assert profile["templateCompliance"] == "Compliant"
    assert profile["macType"] == "Virtual"
    found = connections(profile)
    assert [(c["id"], c["name"], c["portId"]) for c in found] == [
        (1, "deploy", "Mezz 3:1-a"),
        (2, "data", "Mezz 3:2-a"),
    ]
    assert all(c["mac"].startswith(POOL_PREFIX) for c in found)


def test_profile_posted_with_only_the_template_uri_takes_its_connections(rest):
    template = one(rest, TEMPLATES, TEMPLATE)
    blade = one(rest, HARDWARE, FREE_OFF_BLADE)
    body = create_body(blade, [], "node-x", serverProfileTemplateUri=template["uri"])
    profile = rest.created(rest.post(PROFILES, body))
    assert [c["name"] for c in connections(profile)] == ["deploy", "data"]
    assert profile["macType"] == "Virtual"
    assert profile["templateCompliance"] == "Compliant"


def test_profile_posted_with_its_own_connections_keeps_them_and_is_non_compliant(rest):
    template = one(rest, TEMPLATES, TEMPLATE)
    blade = one(rest, HARDWARE, FREE_OFF_BLADE)
    own = [ethernet(network_uri(rest, "datacenter-mgmt"), name="only", portId="Mezz 3:1-a")]
    body = create_body(blade, own, "node-own", serverProfileTemplateUri=template["uri"])
    profile = rest.created(rest.post(PROFILES, body))
    assert [c["name"] for c in connections(profile)] == ["only"]
    assert profile["templateCompliance"] == "NonCompliant"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"macType": "Physical"}, "MAC_TYPE_MISMATCH"),
        ({"serverProfileTemplateUri": "/rest/server-profile-templates/nope"}, "NOT_FOUND"),
    ],
    ids=["mac-type", "unknown-template"],
)
def test_profile_that_does_not_fit_its_template_is_refused(rest, fields, code):
    template = one(rest, TEMPLATES, TEMPLATE)
    blade = one(rest, HARDWARE, FREE_OFF_BLADE)
    body = create_body(
        blade, [], "node-y", **{"serverProfileTemplateUri": template["uri"], **fields}
    )
    answer = rest.post(PROFILES, body)
    assert answer.status_code == 400
    assert code in answer.json()["errorCode"]


def test_template_for_other_hardware_is_refused(rest):
    template = one(rest, TEMPLATES, TEMPLATE)
    rack = one(rest, HARDWARE, "rack-dl360-2")
    body = create_body(rack, [], "rack-node", serverProfileTemplateUri=template["uri"])
    answer = rest.post(PROFILES, body)
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "SERVER_HARDWARE_MISMATCH"
    assert "the template's serverHardwareTypeUri" in answer.json()["message"]


# -- compliance ----------------------------------------------------------------------------------
def test_fixture_profiles_made_from_the_template_are_compliant(rest):
    template = one(rest, TEMPLATES, TEMPLATE)
    for name in (ON_NODE, OFF_NODE):
        profile = one(rest, PROFILES, name)
        assert profile["serverProfileTemplateUri"] == template["uri"]
        assert profile["templateCompliance"] == "Compliant"
    assert one(rest, PROFILES, "dc-deploy-1")["templateCompliance"] == "Unknown"


def test_changing_a_connections_network_makes_the_profile_non_compliant_and_back(rest):
    profile = one(rest, PROFILES, ON_NODE)
    original = connections(profile)[1]["networkUri"]
    changed = copy.deepcopy(connections(profile))
    changed[1]["networkUri"] = network_uri(rest, "provisioning")
    _completed(rest, rest.put(profile["uri"], with_connections(profile, changed)))
    profile = rest.get(profile["uri"]).json()
    assert profile["templateCompliance"] == "NonCompliant"
    changed[1]["networkUri"] = original
    _completed(rest, rest.put(profile["uri"], with_connections(profile, changed)))
    assert rest.get(profile["uri"]).json()["templateCompliance"] == "Compliant"


@pytest.mark.parametrize(
    "edit",
    [
        lambda c: c[1].update(requestedMbps="5000"),
        lambda c: c[1].update(boot={"priority": "Secondary"}),
        lambda c: c.pop(1),
    ],
    ids=["bandwidth", "boot", "missing"],
)
def test_other_connection_differences_make_the_profile_non_compliant(rest, edit):
    profile = one(rest, PROFILES, OFF_NODE)
    changed = copy.deepcopy(connections(profile))
    edit(changed)
    _completed(rest, rest.put(profile["uri"], with_connections(profile, changed)))
    assert rest.get(profile["uri"]).json()["templateCompliance"] == "NonCompliant"


def test_changing_the_template_recomputes_the_compliance_of_its_profiles(rest):
    template = one(rest, TEMPLATES, TEMPLATE)
    body = copy.deepcopy(template)
    body["connectionSettings"]["connections"][1]["requestedMbps"] = "7500"
    _completed(rest, rest.put(template["uri"], body))
    for name in (ON_NODE, OFF_NODE):
        assert one(rest, PROFILES, name)["templateCompliance"] == "NonCompliant"
    template = rest.get(template["uri"]).json()
    template["connectionSettings"]["manageConnections"] = False
    _completed(rest, rest.put(template["uri"], template))
    assert one(rest, PROFILES, ON_NODE)["templateCompliance"] == "Compliant"


# -- update from template (PATCH) ----------------------------------------------------------------
def test_update_from_template_restores_settings_keeping_ids_and_macs(rest):
    profile = one(rest, PROFILES, OFF_NODE)
    before = connections(profile)
    changed = copy.deepcopy(before)
    changed[0].update(networkUri=network_uri(rest, "datacenter-mgmt"), name="renamed")
    changed[1].update(requestedMbps="9000", boot={"priority": "Secondary"})
    _completed(rest, rest.put(profile["uri"], with_connections(profile, changed)))
    task = _completed(rest, _patch(rest, profile))
    assert task["associatedResource"]["resourceUri"] == profile["uri"]
    after = rest.get(profile["uri"]).json()
    assert after["templateCompliance"] == "Compliant"
    assert connections(after) == before


def test_update_from_template_adds_missing_and_removes_extra_connections(rest):
    profile = one(rest, PROFILES, OFF_NODE)
    deploy, data = connections(profile)
    extra = ethernet(network_uri(rest, "datacenter-mgmt"), name="extra", portId="Mezz 3:1-b")
    _completed(rest, rest.put(profile["uri"], with_connections(profile, [deploy, extra])))
    _completed(rest, _patch(rest, profile))
    after = connections(rest.get(profile["uri"]).json())
    assert [(c["name"], c["portId"]) for c in after] == [
        ("deploy", "Mezz 3:1-a"),
        ("data", "Mezz 3:2-a"),
    ]
    assert after[0]["mac"] == deploy["mac"]
    assert after[1]["mac"].startswith(POOL_PREFIX)
    assert after[1]["mac"] != data["mac"]  # a removed connection's MAC is not reused


def test_update_from_template_follows_the_power_rule(rest):
    profile = one(rest, PROFILES, OFF_NODE)
    deploy, _data = connections(profile)
    _completed(rest, rest.put(profile["uri"], with_connections(profile, [deploy])))
    set_power(rest, "Frame2, bay 8", "On")
    profile = rest.get(profile["uri"]).json()
    task = rest.wait(_patch(rest, profile))
    assert task["taskState"] == "Error"
    assert task["taskErrors"][0]["errorCode"] == SERVER_NOT_OFF
    assert "adds connection(s)" in task["taskErrors"][0]["message"]
    assert rest.get(profile["uri"]).json() == profile
    set_power(rest, "Frame2, bay 8", "Off")
    _completed(rest, _patch(rest, profile))
    assert len(connections(rest.get(profile["uri"]).json())) == 2


def test_update_from_template_changes_networks_while_the_server_is_on(rest):
    profile = one(rest, PROFILES, ON_NODE)
    before = connections(profile)
    changed = copy.deepcopy(before)
    changed[1]["networkUri"] = network_uri(rest, "provisioning")
    _completed(rest, rest.put(profile["uri"], with_connections(profile, changed)))
    _completed(rest, _patch(rest, profile))
    assert connections(rest.get(profile["uri"]).json()) == before


@pytest.mark.parametrize(
    "body",
    [
        [{"op": "replace", "path": "/name", "value": "x"}],
        {"op": "replace", "path": "/templateCompliance", "value": "Compliant"},
        [{"op": "replace", "path": "/templateCompliance", "value": "NonCompliant"}],
    ],
    ids=["other-path", "not-a-list", "other-value"],
)
def test_other_patches_are_refused(rest, body):
    profile = one(rest, PROFILES, OFF_NODE)
    answer = _patch(rest, profile, body)
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "UNSUPPORTED_PATCH"


def test_update_from_template_of_a_profile_without_template_is_refused(rest):
    profile = one(rest, PROFILES, "dc-deploy-1")
    answer = _patch(rest, profile)
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "PROFILE_HAS_NO_TEMPLATE"


def test_a_profile_can_be_detached_from_its_template(rest):
    profile = one(rest, PROFILES, OFF_NODE)
    _completed(rest, rest.put(profile["uri"], {**profile, "serverProfileTemplateUri": None}))
    after = rest.get(profile["uri"]).json()
    assert after["serverProfileTemplateUri"] is None
    assert after["templateCompliance"] == "Unknown"
    assert after["macType"] == "Virtual"
