"""Planning OneView networks and uplink-set memberships (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from networking_oneview.reconcile.networks import DesiredNetwork, plan_membership, plan_networks

SEG = "aaaaaaaa-0000-4000-8000-000000000001"


@dataclass(frozen=True)
class Record:
    segment_id: str
    oneview_uri: str
    oneview_name: str


def desired(segment=SEG, name="tenant net", vlan=42, kind="vlan") -> DesiredNetwork:
    return DesiredNetwork(segment, "net-1", name, "physnet1", kind, vlan)


def test_oneview_name_carries_cloud_neutron_name_and_segment():
    assert desired().oneview_name("cloud1") == f"cloud1_tenant-net_{SEG}"
    assert desired(name="").oneview_name("c") == f"c_net_{SEG}"


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


def test_renamed_neutron_network_renames_ours():
    record = Record(SEG, "/uri", "old")
    plan = plan_networks([desired(name="new")], [record], {"/uri": {"name": "old"}}, "c")
    assert plan.rename == (("/uri", f"c_new_{SEG}"),)


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
