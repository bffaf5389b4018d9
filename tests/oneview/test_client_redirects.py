"""A redirect from the appliance is an error, never followed: nothing reaches the other host.

requests strips only ``Authorization`` when it follows a redirect to another host; OneView's
session token travels in ``Auth`` and a login's password in the body, so following would hand
both to whoever the redirect names.  The trap records anything that reaches it.
"""

from __future__ import annotations

import time

import pytest

from networking_oneview.oneview import OneViewUnexpectedResponse

pytestmark = pytest.mark.hostile

NETWORKS = "/rest/ethernet-networks"
LOGIN = "/rest/login-sessions"


def assert_untouched(trap) -> None:
    time.sleep(0.2)  # what a following client sent would have arrived by now
    assert trap.connections == 0
    assert trap.received == b""


def existing_network(client) -> dict:
    return client.get_by_name(NETWORKS, "provisioning")


def test_redirected_listing_is_an_unexpected_response_naming_the_other_host(client, inject, trap):
    inject(path=NETWORKS, method="GET", redirect_to=trap.url, redirect_status=302)
    started = time.monotonic()
    with pytest.raises(OneViewUnexpectedResponse) as caught:
        client.get_all(NETWORKS)
    assert time.monotonic() - started < 5
    text = str(caught.value)
    assert f"GET {NETWORKS}" in text
    assert "HTTP 302" in text
    assert f"redirect to {trap.url}" in text
    assert "manager_url" in text
    assert_untouched(trap)


def test_redirected_login_sends_the_password_nowhere_else(sim, client, inject, trap, secret):
    inject(path=LOGIN, method="POST", redirect_to=trap.url)  # 307 keeps method and body
    with pytest.raises(OneViewUnexpectedResponse) as caught:
        client.get_all(NETWORKS)
    assert f"POST {LOGIN}" in str(caught.value)
    assert secret not in str(caught.value)
    assert sim.appliance.sessions.count() == 0
    assert_untouched(trap)


def test_redirected_version_request_is_an_unexpected_response(client, inject, trap):
    inject(path="/rest/version", redirect_to=trap.url, redirect_status=301)
    with pytest.raises(OneViewUnexpectedResponse, match="GET /rest/version"):
        client.get_all(NETWORKS)
    assert_untouched(trap)


def test_redirect_to_the_same_host_is_not_followed_either(client, inject, requests_to):
    inject(path=NETWORKS, method="GET", redirect_to="/", times=1)
    with pytest.raises(OneViewUnexpectedResponse, match="redirect to the same host"):
        client.get_all(NETWORKS)
    assert requests_to("GET", NETWORKS) == 1


def test_redirect_error_does_not_repeat_credentials_in_the_location(client, inject):
    inject(path=NETWORKS, method="GET", redirect_to="https://admin:hunter2@evil.invalid:8443")
    with pytest.raises(OneViewUnexpectedResponse) as caught:
        client.get_all(NETWORKS)
    assert "redirect to https://evil.invalid:8443," in str(caught.value)
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_no_redirect_status_is_followed(client, inject, trap, status):
    client.api_version  # noqa: B018 - negotiated before the rule applies to every path
    inject(path="/rest/*", redirect_to=trap.url, redirect_status=status)
    with pytest.raises(OneViewUnexpectedResponse, match=f"HTTP {status}"):
        client.get_all(NETWORKS)
    assert_untouched(trap)


def test_redirected_put_is_not_followed(client, inject, trap):
    network = existing_network(client)
    inject(path=network["uri"], method="PUT", redirect_to=trap.url)
    with pytest.raises(OneViewUnexpectedResponse, match=f"PUT {network['uri']}"):
        client.update({**network, "purpose": "Management"})
    assert_untouched(trap)


def test_redirected_post_is_not_followed(client, inject, trap):
    client.api_version  # noqa: B018
    inject(path=NETWORKS, method="POST", redirect_to=trap.url)
    body = {"name": "redirected", "vlanId": 654, "ethernetNetworkType": "Tagged"}
    with pytest.raises(OneViewUnexpectedResponse, match=f"POST {NETWORKS}"):
        client.create(NETWORKS, body, natural_key=None)
    assert_untouched(trap)


def test_redirected_delete_is_not_followed(client, inject, trap):
    network = existing_network(client)
    inject(path=network["uri"], method="DELETE", redirect_to=trap.url)
    with pytest.raises(OneViewUnexpectedResponse, match=f"DELETE {network['uri']}"):
        client.delete(network["uri"])
    assert_untouched(trap)
    assert existing_network(client) is not None


def test_redirected_logout_is_not_followed(client, inject, trap):
    client.get_all(NETWORKS)  # logged in
    inject(path=LOGIN, method="DELETE", redirect_to=trap.url)
    client.close()  # a failed logout is logged, not raised
    assert_untouched(trap)
