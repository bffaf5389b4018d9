"""Matching profile connections to template connections, and what an update from template sends."""

from __future__ import annotations

from oneview_simulator.resources.template_compliance import (
    compliance,
    connections_from_template,
    differences,
)

NET_A, NET_B = "/rest/ethernet-networks/a", "/rest/ethernet-networks/b"


def _conn(cid, port, net=NET_A, priority="NotBootable", mbps="2500", **extra):
    return {
        "id": cid,
        "name": f"c{cid}",
        "functionType": "Ethernet",
        "networkUri": net,
        "portId": port,
        "requestedMbps": mbps,
        "boot": {"priority": priority},
        **extra,
    }


def _doc(items, manage=True, uri=None):
    return {"uri": uri, "connectionSettings": {"manageConnections": manage, "connections": items}}


TEMPLATE = [_conn(1, "Mezz 3:1-a", priority="Primary"), _conn(2, "Mezz 3:2-a", NET_B)]


def test_same_connections_by_port_are_compliant_whatever_their_ids_names_and_macs():
    profile = [
        _conn(7, "Mezz 3:2-a", NET_B, name="x", mac="16:5E:A0:00:00:01"),
        _conn(8, "Mezz 3:1-a", priority="Primary", name="y", mac="16:5E:A0:00:00:02"),
    ]
    assert differences(profile, TEMPLATE) == []
    assert compliance(_doc(profile), _doc(TEMPLATE)) == "Compliant"


def test_each_kind_of_difference_is_reported():
    profile = [_conn(1, "Mezz 3:1-a", NET_B, mbps="100"), _conn(3, "Mezz 3:1-b")]
    found = differences(profile, TEMPLATE)
    assert found == [
        "template connection 1 (Mezz 3:1-a) has another networkUri",
        "template connection 1 (Mezz 3:1-a) has another requestedMbps",
        "template connection 1 (Mezz 3:1-a) has another boot priority",
        "template connection 2 (Mezz 3:2-a) is missing",
        "connection 3 (Mezz 3:1-b) is not in the template",
    ]


def test_compliance_without_template_or_without_managed_connections():
    assert compliance(_doc([]), None) == "Unknown"
    assert compliance(_doc([]), _doc(TEMPLATE, manage=False)) == "Compliant"
    assert compliance(_doc([]), _doc(TEMPLATE)) == "NonCompliant"


def test_auto_template_ports_match_by_id():
    template = [_conn(1, "Auto")]
    assert differences([_conn(1, "Mezz 3:2-c")], template) == []
    assert differences([_conn(2, "Mezz 3:2-c")], template) != []


def test_update_from_template_keeps_matched_connections_and_adds_missing_ones():
    kept = _conn(5, "Mezz 3:1-a", NET_B, mac="16:5E:A0:00:00:09", name="old")
    extra = _conn(1, "Mezz 3:1-c")
    sent = connections_from_template([kept, extra], TEMPLATE)
    assert sent[0]["id"] == 5 and sent[0]["mac"] == "16:5E:A0:00:00:09"
    assert (sent[0]["networkUri"], sent[0]["name"], sent[0]["boot"]) == (
        NET_A,
        "c1",
        {"priority": "Primary"},
    )
    assert sent[1]["portId"] == "Mezz 3:2-a" and "mac" not in sent[1]
    assert sent[1]["id"] == 2  # the template's id, free in the profile
    assert len(sent) == 2  # the extra connection is gone


def test_a_new_connection_does_not_take_the_id_of_a_removed_one():
    removed = _conn(2, "Mezz 3:1-c")
    sent = connections_from_template([removed], [_conn(2, "Mezz 3:2-a")])
    assert sent == [{**_conn(0, "Mezz 3:2-a"), "name": "c2"}]
