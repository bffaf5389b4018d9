"""Each fault-injection knob does what it says, through the admin API under /_sim."""

from __future__ import annotations

import time

import pytest
import requests

NETWORKS = "/rest/ethernet-networks"


@pytest.fixture
def admin(simulator):
    """Call the simulator's admin API (no session, never faulted)."""

    def call(method: str, path: str, body=None):
        return requests.request(
            method, simulator.url + "/_sim" + path, json=body, verify=simulator.ca_file, timeout=10
        )

    return call


def test_latency_delays_matching_requests_only(admin, rest):
    rest.login()
    admin("PUT", "/faults", {"rules": [{"path": NETWORKS, "method": "GET", "latency": 0.3}]})
    started = time.monotonic()
    rest.get(NETWORKS)
    slow = time.monotonic() - started
    started = time.monotonic()
    rest.get("/rest/uplink-sets")
    fast = time.monotonic() - started
    assert slow >= 0.3 > fast


def test_error_rate_answers_the_chosen_status_with_a_oneview_body(admin, rest):
    admin("PUT", "/faults", {"rules": [{"path": NETWORKS, "error_rate": 1.0, "error_status": 502}]})
    answer = rest.get(NETWORKS)
    assert answer.status_code == 502
    assert answer.json()["errorCode"] == "SIMULATED_SERVER_ERROR"


def test_times_limits_a_rule_to_its_first_matches(admin, rest):
    admin("PUT", "/faults", {"rules": [{"path": NETWORKS, "error_rate": 1.0, "times": 2}]})
    statuses = [rest.get(NETWORKS).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]


def test_reset_rate_aborts_the_connection(admin, rest):
    rest.login()
    admin("PUT", "/faults", {"rules": [{"path": NETWORKS, "reset_rate": 1.0, "times": 1}]})
    with pytest.raises(requests.ConnectionError):
        rest.get(NETWORKS)
    assert rest.get(NETWORKS).status_code == 200


def test_task_failure_rate_ends_tasks_in_error_without_applying(admin, rest):
    admin("PUT", "/faults", {"task_failure_rate": 1.0})
    task = rest.wait(rest.post(NETWORKS, {"name": "doomed", "vlanId": 9}))
    assert task["taskState"] == "Error"
    assert task["taskErrors"][0]["errorCode"] == "SIMULATED_TASK_FAILURE"
    assert rest.members(NETWORKS + "?filter=\"name='doomed'\"") == []


def test_task_duration_keeps_tasks_running(admin, rest):
    admin("PUT", "/faults", {"task_duration": 30})
    answer = rest.post(NETWORKS, {"name": "never", "vlanId": 9})
    time.sleep(0.2)
    task = rest.get(answer.headers["Location"]).json()
    assert task["taskState"] == "Running" and task["percentComplete"] < 100


def test_a_rules_task_duration_applies_to_the_tasks_its_requests_start(admin, rest):
    """A profile refused at once but applied slowly, or one request slow among fast ones."""
    slow_then_fast = [
        {"path": NETWORKS, "method": "POST", "task_duration": 30, "times": 1},
        {"path": NETWORKS, "method": "POST", "task_duration": 0},
    ]
    admin("PUT", "/faults", {"task_duration": 30, "rules": slow_then_fast})
    slow = rest.post(NETWORKS, {"name": "slow", "vlanId": 9})
    fast = rest.post(NETWORKS, {"name": "fast", "vlanId": 10})
    time.sleep(0.2)
    assert rest.get(slow.headers["Location"]).json()["taskState"] == "Running"
    assert rest.get(fast.headers["Location"]).json()["taskState"] == "Completed"
    network = rest.members(NETWORKS + "?filter=\"name='fast'\"")[0]
    other = rest.put(network["uri"], {**network, "name": "renamed"})  # no rule: the plan's 30 s
    assert rest.get(other.headers["Location"]).json()["taskState"] == "Running"


def test_a_negative_rule_task_duration_is_refused(admin):
    answer = admin("PUT", "/faults", {"rules": [{"path": "*", "task_duration": -1}]})
    assert answer.status_code == 400 and "task_duration" in answer.text


def test_outage_answers_503_for_its_duration_then_recovers(admin, rest):
    rest.login()
    admin("POST", "/outage", {"seconds": 0.5})
    down = rest.get(NETWORKS)
    assert down.status_code == 503
    assert down.json()["errorCode"] == "APPLIANCE_UNAVAILABLE"
    time.sleep(0.6)
    assert rest.get(NETWORKS).status_code == 200


def test_revoke_sessions_forces_a_new_login(admin, rest):
    rest.login()
    assert admin("POST", "/sessions/revoke").json() == {"revoked": 1}
    assert rest.get(NETWORKS).status_code == 401


def test_request_counters_count_by_method_and_path_and_reset(admin, rest):
    rest.get(NETWORKS)
    rest.get(NETWORKS)
    counts = admin("GET", "/requests").json()["counts"]
    assert counts[f"GET {NETWORKS}"] == 2
    assert counts["POST /rest/login-sessions"] == 1
    admin("DELETE", "/requests")
    assert admin("GET", "/requests").json()["counts"] == {}


def test_request_log_names_the_client_that_sent_each_request(admin, rest):
    """Tests tell which process made a call (several Neutron processes share one appliance)."""
    rest.get(NETWORKS, **{"User-Agent": "networking-oneview/2.0 (host-a; pid 41)"})
    rest.get(NETWORKS, **{"User-Agent": "networking-oneview/2.0 (host-b; pid 42)"})
    log = admin("GET", "/requests").json()["log"]
    agents = [entry["agent"] for entry in log if entry["path"] == NETWORKS]
    assert agents == [
        "networking-oneview/2.0 (host-a; pid 41)",
        "networking-oneview/2.0 (host-b; pid 42)",
    ]
    login = next(entry for entry in log if entry["path"] == "/rest/login-sessions")
    assert login["agent"].startswith("python-requests/")  # whatever the client sent


def test_state_dump_lists_resources_by_collection(admin, rest):
    rest.wait(rest.post(NETWORKS, {"name": "dumped", "vlanId": 3}))
    state = admin("GET", "/state").json()
    assert "dumped" in [n["name"] for n in state["resources"][NETWORKS]]
    assert state["versions"]["currentVersion"] == 8600


def test_reset_restores_the_fixture(admin, rest):
    rest.wait(rest.post(NETWORKS, {"name": "temporary", "vlanId": 3}))
    admin("POST", "/reset")
    names = [n["name"] for n in admin("GET", "/state").json()["resources"][NETWORKS]]
    assert "temporary" not in names


def test_unknown_fault_field_is_refused_with_its_name(admin):
    answer = admin("PUT", "/faults", {"rules": [{"path": "*", "latenzy": 1}]})
    assert answer.status_code == 400
    assert "latenzy" in answer.json()["message"]


def test_connect_latency_delays_new_connections_only(admin, simulator):
    admin("PUT", "/faults", {"connect_latency": 0.3})
    session = requests.Session()
    started = time.monotonic()
    session.get(simulator.url + "/rest/version", verify=simulator.ca_file, timeout=10)
    first = time.monotonic() - started
    started = time.monotonic()
    session.get(simulator.url + "/rest/version", verify=simulator.ca_file, timeout=10)
    reused = time.monotonic() - started
    assert first >= 0.3 > reused
