"""allow_insecure_connections silences urllib3's InsecureRequestWarning for the appliance only.

``urllib3.disable_warnings`` would silence it for every unverified request of the whole
neutron-server process; the client instead ignores only the warnings naming its own host.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

import pytest
import requests
import urllib3

from networking_oneview.oneview import transport

pytestmark = pytest.mark.hostile

NETWORKS = "/rest/ethernet-networks"
Insecure = urllib3.exceptions.InsecureRequestWarning


def insecure_warnings(record: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, Insecure)]


@contextlib.contextmanager
def recorded() -> Iterator[list[warnings.WarningMessage]]:
    """Warnings as the filters in force let them through.  Not ``pytest.warns``: it puts an
    "always" filter in front, which would hide a process-wide ignore."""
    with warnings.catch_warnings(record=True) as record:
        yield record


def test_insecure_client_does_not_warn_on_its_own_requests(make_client):
    client = make_client(allow_insecure_connections=True)
    with recorded() as record:
        client.get_all(NETWORKS)
    assert insecure_warnings(record) == []


def test_other_unverified_requests_still_warn_after_an_insecure_client(sim, make_client):
    make_client(allow_insecure_connections=True).get_all(NETWORKS)  # manager_url: 127.0.0.1
    other_host = f"https://localhost:{sim.port}/rest/version"
    with recorded() as record:
        requests.get(other_host, verify=False, timeout=10)  # noqa: S501 - the point of the test
    assert any("host 'localhost'" in text for text in insecure_warnings(record))


def test_unverified_requests_to_the_appliance_host_by_others_warn_without_an_insecure_client(
    sim, make_client
):
    make_client().get_all(NETWORKS)  # a verifying client changes no warning filter
    with recorded() as record:
        requests.get(sim.url + "/rest/version", verify=False, timeout=10)  # noqa: S501 - the point of the test
    assert any("host '127.0.0.1'" in text for text in insecure_warnings(record))


def test_many_insecure_clients_add_one_filter_per_host(make_client):
    before = len(warnings.filters)
    for _ in range(3):
        make_client(allow_insecure_connections=True)
    assert len(warnings.filters) == before + 1


def test_the_filter_matches_only_the_exact_host():
    transport.quiet_insecure_warnings("10.0.0.1")
    with recorded() as record:
        for host in ("10.0.0.1", "10.0.0.12"):
            warnings.warn(
                f"Unverified HTTPS request is being made to host '{host}'. Adding certificate "
                f"verification is strongly advised.",
                Insecure,
                stacklevel=1,
            )
    assert insecure_warnings(record) == [
        "Unverified HTTPS request is being made to host '10.0.0.12'. Adding certificate "
        "verification is strongly advised."
    ]
