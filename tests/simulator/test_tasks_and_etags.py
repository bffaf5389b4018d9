"""Asynchronous tasks and eTag concurrency control."""

from __future__ import annotations

import time

TAGGED = {"vlanId": 50, "ethernetNetworkType": "Tagged"}


def test_write_answers_202_with_a_task_in_location_and_body(rest):
    answer = rest.post("/rest/ethernet-networks", {"name": "t", **TAGGED})
    assert answer.status_code == 202
    body = answer.json()
    assert answer.headers["Location"] == body["uri"]
    assert body["type"] == "TaskResourceV2" and body["category"] == "tasks"
    task = rest.wait(answer)
    assert task["taskState"] == "Completed" and task["percentComplete"] == 100
    assert task["associatedResource"]["resourceUri"].startswith("/rest/ethernet-networks/")


def test_task_stays_running_for_the_configured_duration(simulator, rest):
    simulator.appliance.faults.configure({"task_duration": 0.4})
    answer = rest.post("/rest/ethernet-networks", {"name": "slow", **TAGGED})
    assert answer.json()["taskState"] == "Running"
    assert rest.members("/rest/ethernet-networks?filter=\"name='slow'\"") == []
    started = time.monotonic()
    task = rest.wait(answer)
    assert task["taskState"] == "Completed"
    assert time.monotonic() - started > 0.2
    assert len(rest.members("/rest/ethernet-networks?filter=\"name='slow'\"")) == 1


def test_delete_task_is_named_delete(rest):
    network = rest.members("/rest/ethernet-networks")[0]
    task = rest.wait(rest.delete(network["uri"]))
    assert task["name"] == "Delete" and task["taskState"] == "Completed"
    assert rest.get(network["uri"]).status_code == 404


def test_every_change_bumps_the_etag(rest):
    network = rest.created(rest.post("/rest/ethernet-networks", {"name": "e", **TAGGED}))
    rest.wait(rest.put(network["uri"], {**network, "name": "e2"}))
    after = rest.get(network["uri"]).json()
    assert after["eTag"] != network["eTag"] and after["name"] == "e2"


def test_stale_etag_in_body_is_refused_with_412(rest):
    network = rest.created(rest.post("/rest/ethernet-networks", {"name": "e", **TAGGED}))
    rest.wait(rest.put(network["uri"], {**network, "name": "first-writer"}))
    stale = rest.put(network["uri"], {**network, "name": "second-writer"})
    assert stale.status_code == 412
    assert stale.json()["errorCode"] == "ETAG_MISMATCH"
    assert rest.get(network["uri"]).json()["name"] == "first-writer"


def test_stale_if_match_header_is_refused_and_star_forces(rest):
    network = rest.created(rest.post("/rest/ethernet-networks", {"name": "e", **TAGGED}))
    body = {k: v for k, v in network.items() if k != "eTag"}
    stale = rest.put(network["uri"], {**body, "name": "x"}, **{"If-Match": "old-etag"})
    assert stale.status_code == 412
    forced = rest.put(network["uri"], {**body, "name": "x"}, **{"If-Match": "*"})
    assert rest.wait(forced)["taskState"] == "Completed"


def test_numeric_etag_is_compared_not_crashed_on(rest):
    network = rest.created(rest.post("/rest/ethernet-networks", {"name": "e", **TAGGED}))
    stale = rest.put(network["uri"], {**network, "eTag": 12345})
    assert stale.status_code == 412
