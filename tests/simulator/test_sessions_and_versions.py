"""Login sessions and API version negotiation, as a OneView appliance does them."""

from __future__ import annotations

import requests


def test_version_is_served_without_a_session(simulator):
    answer = requests.get(simulator.url + "/rest/version", verify=simulator.ca_file, timeout=10)
    assert answer.status_code == 200
    assert answer.json() == {"minimumVersion": 120, "currentVersion": 8600}


def test_login_returns_a_session_id_used_as_the_auth_header(rest):
    token = rest.login()
    assert rest.get("/rest/ethernet-networks").status_code == 200
    assert token


def test_wrong_password_is_refused_with_401(rest):
    rest.password = "not-the-password"
    answer = rest.http.post(
        rest.base + "/rest/login-sessions",
        json={"userName": "Administrator", "password": "not-the-password"},
        headers={"X-API-Version": "2000"},
        verify=rest.ca_file,
        timeout=10,
    )
    assert answer.status_code == 401
    assert answer.json()["errorCode"] == "AUTHN_AUTH_FAIL"
    assert "not-the-password" not in answer.text


def test_missing_session_gets_401(rest):
    answer = rest.http.get(
        rest.base + "/rest/ethernet-networks",
        headers={"X-API-Version": "2000"},
        verify=rest.ca_file,
        timeout=10,
    )
    assert answer.status_code == 401
    assert answer.json()["errorCode"] == "AUTHORIZATION"


def test_revoked_session_gets_401(simulator, rest):
    rest.login()
    simulator.appliance.sessions.revoke_all()
    assert rest.get("/rest/ethernet-networks").status_code == 401


def test_expired_session_gets_401(simulator, rest):
    rest.login()
    simulator.appliance.sessions.idle_timeout = 0.0
    try:
        answer = rest.get("/rest/ethernet-networks")
    finally:
        simulator.appliance.sessions.idle_timeout = 86400.0
    assert answer.status_code == 401
    assert "expired" in answer.json()["message"]


def test_logout_ends_the_session(rest):
    rest.login()
    assert rest.delete("/rest/login-sessions").status_code == 204
    assert rest.get("/rest/ethernet-networks").status_code == 401


def test_api_version_above_current_is_refused(rest):
    answer = rest.get("/rest/ethernet-networks", **{"X-API-Version": "9999"})
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "UNSUPPORTED_VERSION"
    assert "120 to 8600" in answer.json()["message"]


def test_appliance_started_at_an_older_version_refuses_newer_clients(tmp_path):
    from oneview_simulator.server import SimulatorServer
    from tests.conftest import Rest

    with SimulatorServer(api_version=2000, tls_dir=tmp_path) as old:
        version = requests.get(old.url + "/rest/version", verify=old.ca_file, timeout=10).json()
        assert version["currentVersion"] == 2000
        client = Rest(old.url, str(old.ca_file), api_version=2000)
        assert client.get("/rest/ethernet-networks").status_code == 200
        refused = client.get("/rest/ethernet-networks", **{"X-API-Version": "2600"})
        assert refused.status_code == 400


def test_write_below_2000_must_carry_the_type_of_its_version(rest):
    old = rest.at(800)
    untyped = old.post("/rest/ethernet-networks", {"name": "n", "vlanId": 5})
    assert untyped.status_code == 400
    assert "ethernet-networkV4" in untyped.json()["message"]
    wrong = old.post(
        "/rest/ethernet-networks", {"name": "n", "vlanId": 5, "type": "ethernet-networkV300"}
    )
    assert wrong.status_code == 400
    right = old.post(
        "/rest/ethernet-networks", {"name": "n", "vlanId": 5, "type": "ethernet-networkV4"}
    )
    assert old.created(right)["name"] == "n"


def test_write_from_2000_may_omit_the_type(rest):
    answer = rest.at(2000).post("/rest/ethernet-networks", {"name": "n", "vlanId": 5})
    assert rest.created(answer)["vlanId"] == 5


def test_get_shows_the_type_of_the_requested_version(rest):
    uplink_uri = rest.members("/rest/uplink-sets")[0]["uri"]
    assert rest.at(800).get(uplink_uri).json()["type"] == "uplink-setV4"
    assert rest.at(1200).get(uplink_uri).json()["type"] == "uplink-setV6"
    assert rest.at(8600).get(uplink_uri).json()["type"] == "uplink-setV7"


def test_login_domains_need_a_session(rest):
    anonymous = rest.http.get(
        rest.base + "/rest/logindomains",
        headers={"X-API-Version": "2000"},
        verify=rest.ca_file,
        timeout=10,
    )
    assert anonymous.status_code == 401
    assert anonymous.json()["errorCode"] == "AUTHORIZATION"
    answer = rest.get("/rest/logindomains")
    assert answer.status_code == 200
    assert [m["name"] for m in answer.json()["members"]] == ["Local"]


def test_login_details_are_served_without_a_session(simulator):
    answer = requests.get(
        simulator.url + "/rest/logindetails",
        headers={"X-API-Version": "2000"},
        verify=simulator.ca_file,
        timeout=10,
    )
    assert answer.status_code == 200
    details = answer.json()
    assert details["allowLocalLogin"] is True
    assert details["defaultLoginDomain"]["name"] == "Local"
    assert details["configuredLoginDomains"] == []
