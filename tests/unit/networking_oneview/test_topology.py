"""Resolving the configured mappings against OneView's LIGs, LIs and uplink sets (pure)."""

from __future__ import annotations

from networking_oneview.conf import Mappings, UplinkSetRef
from networking_oneview.topology import resolve

LIG_ID = "lig-1"
LIG_URI = f"/rest/logical-interconnect-groups/{LIG_ID}"
LIG = {
    "uri": LIG_URI,
    "name": "LIG",
    "uplinkSets": [
        {"name": "US-T", "networkType": "Ethernet", "ethernetNetworkType": "Tagged"},
        {"name": "US-T2", "networkType": "Ethernet", "ethernetNetworkType": "Tagged"},
        {"name": "US-U", "networkType": "Ethernet", "ethernetNetworkType": "Untagged"},
        {"name": "US-FC", "networkType": "FibreChannel", "ethernetNetworkType": "NotApplicable"},
    ],
}
LIS = [
    {"uri": "/rest/logical-interconnects/li-1", "logicalInterconnectGroupUri": LIG_URI},
    {"uri": "/rest/logical-interconnects/li-2", "logicalInterconnectGroupUri": LIG_URI},
    {"uri": "/rest/logical-interconnects/other", "logicalInterconnectGroupUri": "/x"},
]
UPLINK_SETS = [
    {"uri": f"/rest/uplink-sets/{li}-{name}", "name": name, "logicalInterconnectUri": li_uri}
    for li, li_uri in (("li-1", LIS[0]["uri"]), ("li-2", LIS[1]["uri"]), ("o", LIS[2]["uri"]))
    for name in ("US-T", "US-U")
]
NETWORKS = [{"uri": "/rest/ethernet-networks/prov-id", "name": "provisioning"}]


def mappings(uplink_sets=None, flat=None) -> Mappings:
    return Mappings(
        {p: [UplinkSetRef(LIG_ID, n) for n in names] for p, names in (uplink_sets or {}).items()},
        flat or {},
    )


def run(m: Mappings):
    return resolve(m, [LIG], LIS, UPLINK_SETS, NETWORKS)


def test_tagged_uplink_set_serves_vlan_segments_in_every_li_of_the_lig():
    topology, problems = run(mappings({"physnet1": ["US-T"]}))
    assert problems == []
    [mapped] = topology.for_segment("vlan", "physnet1")
    assert mapped.network_type == "Tagged" and mapped.lig_uri == LIG_URI
    assert mapped.li_uplink_set_uris == (
        "/rest/uplink-sets/li-1-US-T",
        "/rest/uplink-sets/li-2-US-T",
    )
    assert topology.for_segment("flat", "physnet1") == ()


def test_untagged_uplink_set_serves_flat_segments():
    topology, _ = run(mappings({"physnet2": ["US-U"]}))
    assert topology.serves("flat", "physnet2") and not topology.serves("vlan", "physnet2")


def test_unmapped_physnets_and_overlay_types_are_not_served():
    topology, _ = run(mappings({"physnet1": ["US-T"]}))
    assert not topology.serves("vlan", "physnet9")
    assert not topology.serves("vxlan", None)
    assert not topology.serves("geneve", "physnet1")


def test_manual_flat_mapping_resolves_to_the_existing_network():
    topology, problems = run(mappings(flat={"prov": "prov-id"}))
    assert problems == []
    assert topology.manual_network("flat", "prov") == "/rest/ethernet-networks/prov-id"
    assert topology.serves("flat", "prov") and not topology.serves("vlan", "prov")


def test_missing_lig_is_reported_not_fatal():
    m = Mappings({"physnet1": [UplinkSetRef("nope", "US-T")]}, {})
    topology, [problem] = run(m)
    assert "logical interconnect group nope" in problem.message and not problem.fatal
    assert not topology.serves("vlan", "physnet1")


def test_missing_uplink_set_lists_the_ones_the_lig_has():
    _, [problem] = run(mappings({"physnet1": ["US-X"]}))
    assert "no uplink set named 'US-X'" in problem.message
    assert "'US-T'" in problem.message and not problem.fatal


def test_missing_flat_network_is_reported():
    _, [problem] = run(mappings(flat={"prov": "gone"}))
    assert "OneView network gone" in problem.message


def test_two_uplink_sets_of_one_type_in_one_lig_is_fatal():
    _, problems = run(mappings({"physnet1": ["US-T", "US-T2"]}))
    assert [p.fatal for p in problems] == [True]
    assert "two Tagged uplink sets" in problems[0].message


def test_tagged_and_untagged_uplink_sets_on_one_physnet_are_fine():
    topology, problems = run(mappings({"physnet1": ["US-T", "US-U"]}))
    assert problems == []
    assert topology.serves("vlan", "physnet1") and topology.serves("flat", "physnet1")


def test_non_ethernet_uplink_set_is_fatal():
    _, [problem] = run(mappings({"physnet1": ["US-FC"]}))
    assert problem.fatal and "expected an Ethernet uplink set" in problem.message
