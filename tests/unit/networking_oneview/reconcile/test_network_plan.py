"""Planning OneView networks and uplink-set memberships (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from networking_oneview.reconcile.networks import (
    DesiredNetwork,
    bulk_prefix,
    plan_membership,
    plan_networks,
)

SEG = "aaaaaaaa-0000-4000-8000-000000000001"


@dataclass(frozen=True)
class Record:
    segment_id: str
    oneview_uri: str
    oneview_name: str


def desired(segment=SEG, name="tenant net", vlan=42, kind="vlan") -> DesiredNetwork:
    return DesiredNetwork(segment, "net-1", name, "physnet1", kind, vlan)


def test_oneview_name_is_cloud_physnet_and_vlan_so_bulk_creation_gives_it():
    assert desired().oneview_name("cloud1") == "cloud1_physnet1_42"
    assert desired().oneview_name("cloud1") == f"{bulk_prefix('cloud1', 'physnet1')}_42"


def test_flat_network_name_ends_in_flat_and_unsafe_physnet_characters_are_replaced():
    flat = DesiredNetwork(SEG, "net-1", "n", "my net/1", "flat", None)
    assert flat.oneview_name("c") == "c_my-net-1_flat"


def test_neutron_name_change_never_renames_the_oneview_network():
    record = Record(SEG, "/uri", "c_physnet1_42")
    actual = {"/uri": {"name": "c_physnet1_42"}}
    assert plan_networks([desired(name="renamed")], [record], actual, "c").empty


def test_network_named_by_an_earlier_release_keeps_its_name():
    record = Record(SEG, "/uri", f"c_tenant-net_{SEG}")
    assert plan_networks([desired()], [record], {"/uri": {"name": record.oneview_name}}, "c").empty


def test_unrecorded_network_with_our_name_and_vlan_is_adopted_not_created_again():
    existing = {"c_physnet1_42": {"uri": "/n", "ethernetNetworkType": "Tagged", "vlanId": 42}}
    plan = plan_networks([desired()], [], {}, "c", existing=existing)
    assert plan.adopt == ((desired(), "/n"),) and not plan.create


def test_network_with_our_name_but_another_vlan_is_not_adopted():
    existing = {"c_physnet1_42": {"uri": "/n", "ethernetNetworkType": "Tagged", "vlanId": 7}}
    plan = plan_networks([desired()], [], {}, "c", existing=existing)
    assert plan.create == (desired(),) and not plan.adopt


def test_vlan_segment_becomes_a_tagged_network_and_flat_an_untagged_one():
    assert desired().body("c")["ethernetNetworkType"] == "Tagged"
    assert desired().body("c")["vlanId"] == 42
    flat = desired(kind="flat", vlan=None).body("c")
    assert flat["ethernetNetworkType"] == "Untagged" and flat["vlanId"] == 0


def test_new_segment_is_created():
    plan = plan_networks([desired()], [], {}, "c")
    assert plan.create == (desired(),) and not plan.delete


def test_existing_network_with_right_name_needs_nothing():
    record = Record(SEG, "/uri", desired().oneview_name("c"))
    plan = plan_networks([desired()], [record], {"/uri": {"name": record.oneview_name}}, "c")
    assert plan.empty


def test_unwanted_owned_network_is_deleted():
    record = Record(SEG, "/uri", "x")
    plan = plan_networks([], [record], {"/uri": {"name": "x"}}, "c")
    assert plan.delete == (record,)


def test_owned_network_gone_from_oneview_is_forgotten_and_recreated():
    record = Record(SEG, "/uri", "x")
    plan = plan_networks([desired()], [record], {"/uri": None}, "c")
    assert plan.forget == (record,) and plan.create == (desired(),)


def test_membership_adds_ours_and_keeps_foreign():
    plan = plan_membership(["/foreign"], ["/ours"], ["/ours"], untagged=False)
    assert plan.network_uris == ["/foreign", "/ours"] and plan.added == ("/ours",)


def test_membership_removes_only_our_unwanted_networks():
    plan = plan_membership(["/foreign", "/old", "/kept"], ["/kept"], ["/old", "/kept"], False)
    assert plan.network_uris == ["/foreign", "/kept"] and plan.removed == ("/old",)


def test_membership_unchanged_is_none():
    assert plan_membership(["/a", "/ours"], ["/ours"], ["/ours"], False).network_uris is None


def test_untagged_uplink_set_held_by_a_foreign_network_is_a_conflict_not_an_eviction():
    plan = plan_membership(["/foreign"], ["/ours"], ["/ours"], untagged=True)
    assert plan.network_uris is None and plan.conflicts == ("/foreign",)


def test_network_of_a_segment_that_is_no_longer_mapped_is_kept():
    record = Record(SEG, "/uri", "x")
    plan = plan_networks([], [record], {"/uri": {"name": "x"}}, "c", keep={SEG})
    assert plan.empty


def test_our_network_whose_vlan_a_member_already_carries_is_left_out_and_the_rest_join():
    vlans = {"/foreign": 42, "/clash": 42, "/good": 43}
    plan = plan_membership(["/foreign"], ["/clash", "/good"], ["/clash", "/good"], False, vlans)
    assert plan.network_uris == ["/foreign", "/good"]
    assert plan.added == ("/good",) and plan.clashes == (("/clash", "/foreign"),)


def test_two_of_our_networks_with_one_vlan_only_the_first_joins():
    vlans = {"/a": 5, "/b": 5}
    plan = plan_membership([], ["/a", "/b"], ["/a", "/b"], False, vlans)
    assert plan.added == ("/a",) and plan.clashes == (("/b", "/a"),)


def test_untagged_uplink_sets_ignore_vlans():
    plan = plan_membership([], ["/flat"], ["/flat"], True, {"/flat": 0})
    assert plan.added == ("/flat",) and not plan.clashes
