"""Servers in parallel: bare-metal ports of several servers, bound at once through a real Neutron
API, reach OneView as profile edits that run side by side (OneView tasks of 1.5 s), never two at
once on one profile.

Each server's profile has one writer at a time (its lease); different servers are different
leases, so the reconciler works on them concurrently up to ``max_concurrent_tasks``.
"""

from __future__ import annotations

import concurrent.futures
import itertools
from typing import Any

from tests.e2e.helpers import Neutron, OneView, wait_until

SERVERS = ("Frame1, bay 4", "Frame1, bay 6", "Frame1, bay 8", "Frame2, bay 4", "Frame2, bay 6")
TASK_SECONDS = 1.5


def profile_writes(oneview: OneView) -> list[dict[str, Any]]:
    return [
        t
        for t in oneview.sim.appliance.task_history
        if t.get("method") == "PUT" and (t.get("path") or "").startswith("/rest/server-profiles/")
    ]


def most_at_once(tasks: list[dict[str, Any]]) -> int:
    """The largest number of these tasks that were running at the same moment."""
    events = sorted(
        itertools.chain.from_iterable(((t["started"], 1), (t["ended"], -1)) for t in tasks),
        key=lambda e: (e[0], e[1]),
    )
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    return peak


def test_ports_of_five_servers_are_applied_side_by_side(neutron: Neutron, oneview: OneView):
    network = neutron.vlan_network(701)
    wait_until("VLAN 701 in OneView", lambda: oneview.fully_mirrored(701))
    for server in SERVERS:  # powered off: adding a connection needs no power operation
        oneview.give_profile(server)
    oneview.slow_tasks(TASK_SECONDS)
    oneview.sim.appliance.clear_request_log()

    with concurrent.futures.ThreadPoolExecutor(len(SERVERS)) as pool:
        ports = list(
            pool.map(
                lambda server: neutron.baremetal_port(network.id, oneview.mac_of(server)), SERVERS
            )
        )
    wait_until(
        "every port ACTIVE", lambda: all(neutron.status(p.id) == "ACTIVE" for p in ports), 120
    )

    writes = profile_writes(oneview)
    assert sorted({t["resourceUri"] for t in writes}) == sorted(
        oneview.hardware(s)["serverProfileUri"] for s in SERVERS
    )
    assert most_at_once(writes) >= 3, "profile edits of different servers ran one at a time"
    for profile_uri in {t["resourceUri"] for t in writes}:
        assert most_at_once([t for t in writes if t["resourceUri"] == profile_uri]) == 1
    assert all(len(oneview.our_connections(s)) == 1 for s in SERVERS)
