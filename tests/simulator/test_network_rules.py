"""Appliance rules on networks and uplink sets that a driver can break."""

from __future__ import annotations

import pytest


def create_network(rest, name, vlan=None, kind="Tagged"):
    body = {"name": name, "ethernetNetworkType": kind}
    if vlan is not None:
        body["vlanId"] = vlan
    return rest.created(rest.post("/rest/ethernet-networks", body))


def uplink_set(rest, name, li_index=0):
    lis = sorted(rest.members("/rest/logical-interconnects"), key=lambda li: li["name"])
    li_uri = lis[li_index]["uri"]
    return next(
        u
        for u in rest.members("/rest/uplink-sets")
        if u["name"] == name and u["logicalInterconnectUri"] == li_uri
    )


def test_duplicate_network_name_is_refused(rest):
    create_network(rest, "dup", 11)
    again = rest.post("/rest/ethernet-networks", {"name": "dup", "vlanId": 12})
    assert again.status_code == 400
    assert again.json()["errorCode"] == "CRM_DUPLICATE_NETWORK_NAME"


@pytest.mark.parametrize("vlan", [0, 4095, "7", None, True])
def test_tagged_network_needs_a_vlan_between_1_and_4094(rest, vlan):
    answer = rest.post("/rest/ethernet-networks", {"name": "bad", "vlanId": vlan})
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "INVALID_VLAN_ID"
    assert "vlanId" in answer.json()["message"]


def test_untagged_uplink_set_carries_only_one_network(rest):
    target = uplink_set(rest, "US-Untagged")
    first = create_network(rest, "flat-1", kind="Untagged")
    second = create_network(rest, "flat-2", kind="Untagged")
    ok = rest.put(target["uri"], {**target, "networkUris": [first["uri"]]})
    assert rest.wait(ok)["taskState"] == "Completed"
    target = rest.get(target["uri"]).json()
    refused = rest.put(target["uri"], {**target, "networkUris": [first["uri"], second["uri"]]})
    assert refused.status_code == 400
    assert refused.json()["errorCode"] == "UNTAGGED_UPLINK_SET_SINGLE_NETWORK"


def test_vlan_id_appears_at_most_once_per_uplink_set(rest):
    target = uplink_set(rest, "US-Tagged")
    same_vlan = create_network(rest, "also-vlan-10", 10)  # the fixture's mgmt network is VLAN 10
    refused = rest.put(
        target["uri"], {**target, "networkUris": [*target["networkUris"], same_vlan["uri"]]}
    )
    assert refused.status_code == 400
    assert refused.json()["errorCode"] == "DUPLICATE_VLAN_IN_UPLINK_SET"


def test_same_vlan_may_live_in_two_uplink_sets(rest):
    other = create_network(rest, "frame2-vlan-10", 10)
    target = uplink_set(rest, "US-Tagged", li_index=1)
    replaced = rest.put(target["uri"], {**target, "networkUris": [other["uri"]]})
    assert rest.wait(replaced)["taskState"] == "Completed"


def test_tagged_uplink_set_refuses_an_untagged_network(rest):
    target = uplink_set(rest, "US-Tagged")
    flat = create_network(rest, "flat", kind="Untagged")
    refused = rest.put(target["uri"], {**target, "networkUris": [flat["uri"]]})
    assert refused.status_code == 400
    assert refused.json()["errorCode"] == "INVALID_NETWORK_TYPE_FOR_UPLINK_SET"


def test_lig_templates_follow_the_uplink_set_rules(rest):
    lig = rest.members("/rest/logical-interconnect-groups")[0]
    same_vlan = create_network(rest, "lig-vlan-10", 10)
    templates = lig["uplinkSets"]
    tagged = next(t for t in templates if t["name"] == "US-Tagged")
    tagged["networkUris"].append(same_vlan["uri"])
    refused = rest.put(lig["uri"], {**lig, "uplinkSets": templates})
    assert refused.status_code == 400
    assert refused.json()["errorCode"] == "DUPLICATE_VLAN_IN_UPLINK_SET"


def test_deleting_a_network_in_use_removes_it_from_uplink_sets_and_sets(rest):
    network = create_network(rest, "in-use", 77)
    target = uplink_set(rest, "US-Tagged")
    rest.wait(
        rest.put(target["uri"], {**target, "networkUris": [*target["networkUris"], network["uri"]]})
    )
    network_set = rest.created(
        rest.post("/rest/network-sets", {"name": "set", "networkUris": [network["uri"]]})
    )
    assert rest.get(network["uri"] + "/associatedUplinkGroups").json() == [target["uri"]]

    task = rest.wait(rest.delete(network["uri"]))

    assert task["taskState"] == "Completed"
    assert network["uri"] not in rest.get(target["uri"]).json()["networkUris"]
    assert rest.get(network_set["uri"]).json()["networkUris"] == []
    assert rest.get(network["connectionTemplateUri"]).status_code == 404


def test_bulk_create_names_networks_prefix_underscore_vlan(rest):
    answer = rest.post(
        "/rest/ethernet-networks/bulk",
        {"namePrefix": "bulk", "vlanIdRange": "100-102,110", "purpose": "General"},
    )
    assert rest.wait(answer)["taskState"] == "Completed"
    made = rest.members("/rest/ethernet-networks?filter=\"name matches 'bulk_%'\"&sort=vlanId:asc")
    assert [(n["name"], n["vlanId"]) for n in made] == [
        ("bulk_100", 100),
        ("bulk_101", 101),
        ("bulk_102", 102),
        ("bulk_110", 110),
    ]


def test_bulk_delete_exists_from_api_1600(rest):
    rest.wait(rest.post("/rest/ethernet-networks/bulk", {"namePrefix": "b", "vlanIdRange": "5-6"}))
    uris = [n["uri"] for n in rest.members("/rest/ethernet-networks?filter=\"name matches 'b_%'\"")]
    old = rest.at(1200)
    old_answer = old.post("/rest/ethernet-networks/bulk-delete", {"networkUris": uris})
    assert old_answer.status_code == 404
    task = rest.wait(rest.post("/rest/ethernet-networks/bulk-delete", {"networkUris": uris}))
    assert task["taskState"] == "Completed"
    assert all(rest.get(uri).status_code == 404 for uri in uris)


def test_collection_filters_sort_and_pages_over_https(rest):
    rest.wait(
        rest.post("/rest/ethernet-networks/bulk", {"namePrefix": "p", "vlanIdRange": "1000-1699"})
    )
    first = rest.get("/rest/ethernet-networks?start=0&count=-1&sort=name:ascending").json()
    assert first["total"] == 702 and first["count"] == 500
    assert first["nextPageUri"].startswith("/rest/ethernet-networks?start=500")
    second = rest.get(first["nextPageUri"]).json()
    assert second["count"] == 202 and second["nextPageUri"] is None
    names = [m["name"] for m in first["members"] + second["members"]]
    assert names == sorted(names, key=str.lower)
