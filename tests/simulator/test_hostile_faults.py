"""Each hostile-answer fault does what docs/simulator.md says, seen by a plain HTTPS client."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
import requests

from oneview_simulator.hostile import MALFORMED_BODY
from oneview_simulator.trap import Trap

pytestmark = pytest.mark.hostile

NETWORKS = "/rest/ethernet-networks"
LOGIN = "/rest/login-sessions"


@pytest.fixture
def faults(simulator):
    """Install a fault plan of these rules."""

    def install(*rules: dict) -> None:
        simulator.appliance.faults.configure({"rules": list(rules), "seed": 1})

    return install


@pytest.fixture
def trap() -> Iterator[Trap]:
    with Trap() as listener:
        yield listener


def test_malformed_body_replaces_the_answer_with_invalid_json(faults, rest):
    rest.login()
    faults({"path": NETWORKS, "method": "GET", "body": "malformed", "times": 1})
    answer = rest.get(NETWORKS)
    assert answer.status_code == 200
    assert answer.content == MALFORMED_BODY
    with pytest.raises(ValueError):
        json.loads(answer.content)
    assert rest.get(NETWORKS).json()["members"]  # retired after one answer


def test_truncated_body_cuts_the_real_answer_in_half_with_a_matching_length(faults, rest):
    rest.login()
    whole = rest.get(NETWORKS).content
    faults({"path": NETWORKS, "method": "GET", "body": "truncated", "times": 1})
    answer = rest.get(NETWORKS)
    assert answer.headers["Content-Length"] == str(len(whole) // 2)
    assert answer.content == whole[: len(whole) // 2]


def test_drop_fields_removes_fields_from_the_answer(faults, rest):
    rest.login()
    faults({"path": NETWORKS, "method": "GET", "drop_fields": ["members", "uri"]})
    document = rest.get(NETWORKS).json()
    assert "members" not in document
    assert "uri" not in document
    assert document["category"] == "ethernet-networks"


def test_set_fields_gives_fields_the_wrong_type(faults, rest):
    rest.login()
    faults({"path": NETWORKS, "method": "GET", "set_fields": {"members": "not a list"}})
    assert rest.get(NETWORKS).json()["members"] == "not a list"


def test_set_fields_applies_to_task_answers_of_writes(faults, rest):
    rest.login()
    faults({"path": NETWORKS, "method": "POST", "set_fields": {"taskState": 7}})
    answer = rest.post(
        NETWORKS, {"name": "mistyped", "vlanId": 77, "ethernetNetworkType": "Tagged"}
    )
    assert answer.status_code == 202
    assert answer.json()["taskState"] == 7
    assert rest.wait(answer)["taskState"] == "Completed"  # the write itself still happened


def test_huge_body_streams_the_configured_size_as_valid_json(faults, rest):
    rest.login()
    faults({"path": NETWORKS, "method": "GET", "body": "huge", "body_bytes": 2_000_000})
    answer = rest.get(NETWORKS)
    assert "Content-Length" not in answer.headers
    assert 1_900_000 < len(answer.content) <= 2_000_000
    assert isinstance(answer.json()["members"], list)


def test_huge_body_defaults_past_fifty_megabytes(simulator):
    simulator.appliance.faults.configure({"rules": [{"body": "huge"}]})
    assert simulator.appliance.faults.describe()["rules"][0]["body_bytes"] > 50_000_000


def test_redirect_answers_with_a_location_on_the_other_host(faults, rest, trap):
    token = rest.login()
    faults({"path": NETWORKS, "redirect_to": trap.url, "redirect_status": 302})
    answer = requests.get(
        rest.base + NETWORKS + "?start=0",
        headers={"auth": token, "X-API-Version": "8600"},
        verify=rest.ca_file,
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"{trap.url}{NETWORKS}?start=0"
    assert trap.connections == 0


def test_trap_records_what_a_client_following_the_redirect_sends(faults, rest, trap):
    """The trap is live: a client that follows a redirect hands it the session token."""
    token = rest.login()
    faults({"path": NETWORKS, "redirect_to": trap.url, "times": 1})
    with pytest.raises(requests.exceptions.ReadTimeout):
        rest.http.get(
            rest.base + NETWORKS,
            headers={"auth": token, "X-API-Version": "8600"},
            verify=rest.ca_file,
            timeout=(5, 0.5),
        )
    deadline = time.monotonic() + 5
    while token.encode() not in trap.received and time.monotonic() < deadline:
        time.sleep(0.02)
    assert token.encode() in trap.received


def test_redirect_of_a_login_does_not_log_in(faults, simulator, trap):
    faults({"path": LOGIN, "method": "POST", "redirect_to": trap.url})
    answer = requests.post(
        simulator.url + LOGIN,
        json={"userName": "Administrator", "password": "simulator"},
        headers={"X-API-Version": "8600"},
        verify=simulator.ca_file,
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 307
    assert simulator.appliance.sessions.count() == 0


def test_endless_task_stays_running(faults, rest, simulator):
    rest.login()
    faults({"path": NETWORKS, "method": "POST", "endless_task": True})
    answer = rest.post(NETWORKS, {"name": "forever", "vlanId": 78, "ethernetNetworkType": "Tagged"})
    with pytest.raises(AssertionError, match="still Running"):
        rest.wait(answer, timeout=0.5)
    (entry,) = [t for t in simulator.appliance.task_history if t["path"] == NETWORKS]
    assert entry["ended"] is None


def test_unknown_body_kind_is_refused(simulator):
    with pytest.raises(ValueError, match="body must be one of"):
        simulator.appliance.faults.configure({"rules": [{"body": "weird"}]})


def test_redirect_status_must_be_a_redirect(simulator):
    with pytest.raises(ValueError, match="redirect_status"):
        simulator.appliance.faults.configure(
            {"rules": [{"redirect_to": "http://x", "redirect_status": 200}]}
        )


def test_set_fields_mangles_injected_errors_too(faults, rest):
    faults(
        {
            "path": NETWORKS,
            "error_rate": 1.0,
            "error_status": 400,
            "set_fields": {"recommendedActions": "retry"},
        }
    )
    answer = rest.get(NETWORKS)
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "SIMULATED_SERVER_ERROR"
    assert answer.json()["recommendedActions"] == "retry"


def test_trap_records_the_password_of_a_client_following_a_login_redirect(faults, simulator, trap):
    """307 keeps method and body: a following client posts the password to the other host."""
    faults({"path": LOGIN, "method": "POST", "redirect_to": trap.url})
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(
            simulator.url + LOGIN,
            json={"userName": "Administrator", "password": "simulator"},
            headers={"X-API-Version": "8600"},
            verify=simulator.ca_file,
            timeout=(5, 0.5),
        )
    deadline = time.monotonic() + 5
    while b'"password": "simulator"' not in trap.received and time.monotonic() < deadline:
        time.sleep(0.02)
    assert b'"password": "simulator"' in trap.received
