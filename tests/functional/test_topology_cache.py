"""The topology a process decides with in API calls stays fresh without any reconcile there.

``bind_port`` and the pre-commit VLAN check read only the cached topology; every process (API
workers that never reconcile included) refreshes it in a background thread.
"""

from __future__ import annotations

import gc
import time

from networking_oneview.reconcile.cache import SiteCache
from tests.functional.test_uplink_set_isolation import MembershipCase

REFRESH_SECONDS = 5.0  # topology_max_age / 2, at least 5 s


class TestTopologyCache(MembershipCase):
    def test_a_change_in_oneview_reaches_the_cached_view_without_a_reconcile(self):
        cache = SiteCache(self.mech.client, self.mech.mappings, topology_max_age=0.1)
        cache.use_topology(cache.topology())
        assert cache.known_topology.vlan_taken("physnet1", 800, "testcloud") is None

        foreign = self.foreign_network_in_uplink_sets(800, "operator-vlan-800")
        deadline = time.monotonic() + 3 * REFRESH_SECONDS
        while time.monotonic() < deadline:
            taken = cache.known_topology.vlan_taken("physnet1", 800, "testcloud")
            if taken is not None:
                break
            time.sleep(0.2)
        assert taken is not None and taken.uri == foreign["uri"]

    def test_the_refresher_ends_with_its_cache(self):
        cache = SiteCache(self.mech.client, self.mech.mappings, topology_max_age=0.1)
        cache.keep_fresh()
        thread = cache._refresher
        assert thread is not None and thread.is_alive()
        del cache
        gc.collect()
        thread.join(timeout=3)
        assert not thread.is_alive()
