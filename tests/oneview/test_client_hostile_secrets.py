"""Whatever the appliance answers, the password and session IDs appear in no error text, no
repr and no log record, down to urllib3's DEBUG output."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from networking_oneview.oneview import OneViewClient, OneViewError

pytestmark = pytest.mark.hostile

NETWORKS = "/rest/ethernet-networks"
LOGIN = "/rest/login-sessions"
NEW_NETWORK = {"name": "secretive", "vlanId": 432, "ethernetNetworkType": "Tagged"}


def listing(client: OneViewClient) -> Any:
    return client.get_all(NETWORKS)


def creation(client: OneViewClient) -> Any:
    return client.create(NETWORKS, NEW_NETWORK)


# name -> (fault rule for ``inject``, what the client does)
CASES: dict[str, tuple[dict[str, Any], Callable[[OneViewClient], Any]]] = {
    "malformed listing": ({"path": NETWORKS, "method": "GET", "body": "malformed"}, listing),
    "truncated login": ({"path": LOGIN, "method": "POST", "body": "truncated"}, listing),
    "truncated listing": ({"path": NETWORKS, "method": "GET", "body": "truncated"}, listing),
    "session id mistyped": (
        {"path": LOGIN, "method": "POST", "set_fields": {"sessionID": 42}},
        listing,
    ),
    "members missing": ({"path": NETWORKS, "method": "GET", "drop_fields": ["members"]}, listing),
    "task state mistyped": (
        {"path": NETWORKS, "method": "POST", "set_fields": {"taskState": 1}},
        creation,
    ),
    "huge body": ({"path": NETWORKS, "method": "GET", "body": "huge"}, listing),
    "redirected login": (
        {"path": LOGIN, "method": "POST", "redirect_to": "http://x.invalid"},
        listing,
    ),
    "redirected listing": ({"path": NETWORKS, "redirect_to": "http://x.invalid"}, listing),
    "endless task": ({"path": NETWORKS, "method": "POST", "endless_task": True}, creation),
    "server error": ({"path": NETWORKS, "error_rate": 1.0, "error_status": 500}, listing),
    "refused login": ({"path": LOGIN, "error_rate": 1.0, "error_status": 401}, listing),
}


@pytest.mark.parametrize("case", list(CASES))
def test_no_secret_in_errors_reprs_or_debug_logs(sim, make_client, inject, caplog, secret, case):
    rule, action = CASES[case]
    caplog.set_level(logging.DEBUG)  # every logger: ours, requests', urllib3's
    client = make_client(max_retries=1, polling_interval=0.02, max_polling_attempts=10)
    inject(**rule)
    with pytest.raises(OneViewError) as caught:
        action(client)
    secrets = [secret, *sim.appliance.sessions.tokens()]
    texts = {
        "str(error)": str(caught.value),
        "repr(error)": repr(caught.value),
        "repr(client)": repr(client),
        "repr(settings)": repr(client.settings),
        "log": caplog.text,
    }
    for where, text in texts.items():
        for secret in secrets:
            assert secret[:8] not in text, f"{case}: a secret's first 8 characters in {where}"
