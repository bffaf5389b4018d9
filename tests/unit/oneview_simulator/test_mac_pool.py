"""The virtual MAC pool: a locally administered range walked by a counter."""

from __future__ import annotations

import pytest

from oneview_simulator.mac_pool import POOL_SIZE, MacPool, pool_index, pool_mac


def test_pool_addresses_are_locally_administered_unicast():
    for index in (0, 1, 255, 65536, POOL_SIZE - 1):
        mac = pool_mac(index)
        first = int(mac[:2], 16)
        assert first & 0b10 and not first & 0b01
        assert pool_index(mac) == index
        assert pool_index(mac.lower()) == index


@pytest.mark.parametrize("mac", ["94:40:C9:5E:00:00", "16:5E:A0:00:00", "nonsense"])
def test_other_addresses_are_not_in_the_pool(mac):
    assert pool_index(mac) is None


def test_allocation_counts_up_and_skips_addresses_in_use():
    pool = MacPool()
    assert pool.allocate(set()) == pool_mac(0)
    assert pool.allocate({pool_mac(1), pool_mac(2)}) == pool_mac(3)
    assert pool.peek() == pool_mac(4)


def test_restart_continues_after_the_highest_pool_address_in_use():
    pool = MacPool()
    pool.allocate(set())
    pool.restart(["94:40:C9:00:00:01", pool_mac(7), pool_mac(2), ""])
    assert pool.allocate(set()) == pool_mac(8)
    pool.restart([])
    assert pool.allocate(set()) == pool_mac(0)
