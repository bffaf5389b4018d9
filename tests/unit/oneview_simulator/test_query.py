"""OneView collection query semantics, as pure functions over plain dicts."""

from __future__ import annotations

import pytest

from oneview_simulator.errors import ApplianceError
from oneview_simulator.query import apply_filters, apply_sort, paginate

NETWORKS = [
    {"name": "net-b", "vlanId": 20, "ethernetNetworkType": "Tagged"},
    {"name": "net-a", "vlanId": 10, "ethernetNetworkType": "Tagged"},
    {"name": "prov", "vlanId": 0, "ethernetNetworkType": "Untagged"},
    {"name": "it's", "vlanId": 30, "ethernetNetworkType": "Tagged"},
]


def names(resources):
    return [r["name"] for r in resources]


@pytest.mark.parametrize(
    "expression",
    ["name='net-a'", "\"name='net-a'\"", "\"'name'='net-a'\"", "'name' = 'net-a'"],
)
def test_equality_filter_accepts_every_quoting_clients_use(expression):
    assert names(apply_filters(NETWORKS, [expression])) == ["net-a"]


def test_matches_uses_percent_as_wildcard():
    assert names(apply_filters(NETWORKS, ["name matches 'net-%'"])) == ["net-b", "net-a"]


def test_integer_values_compare_as_numbers():
    assert names(apply_filters(NETWORKS, ["vlanId=20"])) == ["net-b"]


def test_repeated_filters_are_anded():
    chosen = apply_filters(NETWORKS, ["ethernetNetworkType='Tagged'", "vlanId=10"])
    assert names(chosen) == ["net-a"]


def test_and_or_inside_one_filter():
    assert names(apply_filters(NETWORKS, ["name='net-a' OR name='prov'"])) == ["net-a", "prov"]
    assert names(apply_filters(NETWORKS, ["name='net-a' AND vlanId=20"])) == []


def test_not_equal_filter():
    assert "prov" not in names(apply_filters(NETWORKS, ["name<>'prov'"]))


def test_doubled_quote_escapes_a_quote_in_a_value():
    assert names(apply_filters(NETWORKS, ["name='it''s'"])) == ["it's"]


def test_malformed_filter_is_a_400():
    with pytest.raises(ApplianceError) as caught:
        apply_filters(NETWORKS, ["name=="])
    assert caught.value.status == 400


def test_sort_ascending_and_descending():
    assert names(apply_sort(NETWORKS, "name:ascending"))[:2] == ["it's", "net-a"]
    assert names(apply_sort(NETWORKS, "vlanId:descending"))[0] == "it's"


def test_pages_are_capped_and_link_to_the_next_page():
    items = [{"name": str(i)} for i in range(1200)]
    first = paginate(items, 0, -1)
    assert len(first.members) == 500 and first.next_start == 500 and first.total == 1200
    last = paginate(items, 1000, -1)
    assert len(last.members) == 200 and last.next_start is None and last.prev_start == 500
