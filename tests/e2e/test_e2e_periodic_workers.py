"""neutron-periodic-workers with our OneViewWorker: the periodic full sync repairs drift.

Someone edits OneView behind Neutron's back (drops our network from a logical interconnect's
uplink set).  No Neutron call follows, so only the worker process's full sync, every
``sync_interval`` seconds, can notice and repair it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import OneView, wait_until

SYNC_INTERVAL = 10  # the option's minimum


@pytest.fixture(scope="module")
def neutron_options() -> dict[str, Any]:
    return {"periodic_workers": True, "oneview_options": {"sync_interval": SYNC_INTERVAL}}


def test_periodic_full_sync_puts_back_a_network_removed_behind_neutrons_back(
    neutron, neutron_api, oneview: OneView
):
    neutron.vlan_network(401)
    network = wait_until("the VLAN 401 network", lambda: oneview.fully_mirrored(401))
    uplink_set = next(
        u for u in oneview.li_uplink_sets("US-Tagged") if network["uri"] in u["networkUris"]
    )

    edited = dict(
        uplink_set, networkUris=[u for u in uplink_set["networkUris"] if u != network["uri"]]
    )
    oneview.client.update(edited, kind="uplink-set")
    assert oneview.fully_mirrored(401) is None

    wait_until(
        "the full sync to put the network back into the uplink set",
        lambda: oneview.fully_mirrored(401),
        timeout=2 * SYNC_INTERVAL + 10,
    )
    log = neutron_api.log_paths["periodic-workers"].read_text()
    assert log.count("Full sync:") >= 2, "the repair must come from a periodic full sync"
