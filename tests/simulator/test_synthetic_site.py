"""Synthetic sites (oneview_simulator/synthetic.py): consistent, deterministic, readable by HPE's
SDK and our client, and valid for the simulator's own rules, so scale benchmarks can trust them."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from typing import Any

import pytest
import requests
from sim_helpers import HARDWARE, PROFILES, connections, one, port_macs

from networking_oneview.oneview import ClientSettings, OneViewClient
from oneview_simulator.mac_pool import pool_index
from oneview_simulator.synthetic import DATA_NIC, DEPLOY_NIC, SiteSize, build

BENCH_SIZE = SiteSize(6, 12, 3)  # what bench/bench_scale.py uses by default
SMALL = SiteSize(3, 4, 3)


def resources(site: dict[str, Any], collection: str) -> list[dict[str, Any]]:
    return site["resources"][collection]


@pytest.fixture
def small_site(simulator):
    """The session's simulator serving the SMALL synthetic site (the next test resets it)."""
    simulator.appliance.reset(SMALL)
    return simulator


def test_sizes_parse_and_refuse_impossible_sites():
    assert SiteSize.parse("6x12/3") == SiteSize(6, 12, 3)
    assert SiteSize.parse("8x8") == SiteSize(8, 8, 3)
    assert SiteSize.parse("2x4") == SiteSize(2, 4, 2)
    assert str(SiteSize(6, 12, 3)) == "6x12/3"
    for bad in ("6x12x3", "x12", "6*12"):
        with pytest.raises(ValueError, match="FRAMESxBLADES"):
            SiteSize.parse(bad)
    with pytest.raises(ValueError, match="logical interconnects <= frames"):
        SiteSize(2, 8, 3)
    with pytest.raises(ValueError, match="blades per frame"):
        SiteSize(3, 13, 3)


def test_the_same_size_always_builds_the_same_site():
    assert build(SMALL) == build(SMALL)
    assert build(BENCH_SIZE) == build(BENCH_SIZE)
    assert build(SMALL) != build(SiteSize(3, 5, 3))


def test_the_bench_site_has_three_logical_interconnects_and_64_blades_or_more():
    site = build(BENCH_SIZE)
    blades = resources(site, HARDWARE)
    assert len(resources(site, "/rest/logical-interconnects")) == 3
    assert len(blades) == 72 >= 64
    assert Counter(b["powerState"] for b in blades) == {"On": 36, "Off": 36}


def test_every_logical_interconnect_has_the_ligs_uplink_sets_with_the_same_networks():
    site = build(SiteSize(7, 3, 3))  # 7 frames: LIs of 3, 2 and 2 frames
    lig = resources(site, "/rest/logical-interconnect-groups")[0]
    templates = {t["name"]: t["networkUris"] for t in lig["uplinkSets"]}
    assert set(templates) == {"US-Tagged", "US-Untagged", "US-Provisioning"}
    networks = {n["name"]: n["uri"] for n in resources(site, "/rest/ethernet-networks")}
    assert templates["US-Provisioning"] == [networks["provisioning"]]
    assert templates["US-Tagged"] == [networks["datacenter-mgmt"]]
    lis = resources(site, "/rest/logical-interconnects")
    assert [len(li["enclosureUris"]) for li in lis] == [3, 2, 2]
    for li in lis:
        assert li["logicalInterconnectGroupUri"] == lig["uri"]
        found = {
            u["name"]: u["networkUris"]
            for u in resources(site, "/rest/uplink-sets")
            if u["logicalInterconnectUri"] == li["uri"]
        }
        assert found == templates


def test_every_blade_sits_in_an_enclosure_of_exactly_one_logical_interconnect():
    site = build(SiteSize(7, 3, 3))
    enclosures = {e["uri"]: e for e in resources(site, "/rest/enclosures")}
    owners = Counter(
        uri for li in resources(site, "/rest/logical-interconnects") for uri in li["enclosureUris"]
    )
    assert owners == dict.fromkeys(enclosures, 1)
    for blade in resources(site, HARDWARE):
        enclosure = enclosures[blade["locationUri"]]
        bay = enclosure["deviceBays"][blade["position"] - 1]
        assert (bay["devicePresence"], bay["deviceUri"]) == ("Present", blade["uri"])
        li_uri = next(
            li["uri"]
            for li in resources(site, "/rest/logical-interconnects")
            if blade["locationUri"] in li["enclosureUris"]
        )
        assert enclosure["logicalInterconnectUris"] == [li_uri]


def test_macs_are_unique_and_profiles_are_the_templates_with_pool_macs():
    site = build(BENCH_SIZE)
    nic_macs = [mac for b in resources(site, HARDWARE) for mac in port_macs(b).values()]
    profiles = resources(site, PROFILES)
    connection_macs = [c["mac"] for p in profiles for c in connections(p)]
    assert len(nic_macs) == 72 * 8
    assert len(set(nic_macs + connection_macs)) == len(nic_macs) + len(connection_macs)
    assert sorted(pool_index(mac) for mac in connection_macs) == list(range(2 * 72))
    template = resources(site, "/rest/server-profile-templates")[0]
    hardware = {b["uri"]: b for b in resources(site, HARDWARE)}
    for profile in profiles:
        assert hardware[profile["serverHardwareUri"]]["serverProfileUri"] == profile["uri"]
        assert profile["serverProfileTemplateUri"] == template["uri"]
        assert (profile["macType"], profile["templateCompliance"]) == ("Virtual", "Compliant")
        assert [c["portId"] for c in connections(profile)] == [DEPLOY_NIC, DATA_NIC]


def test_hpe_sdk_reads_the_site(small_site, sdk_client):
    sdk = sdk_client(2000)
    assert len(sdk.server_hardware.get_all()) == SMALL.blades
    assert len(sdk.server_profiles.get_all()) == SMALL.blades
    assert len(sdk.logical_interconnects.get_all()) == 3
    assert {u["name"] for u in sdk.uplink_sets.get_all()} == {
        "US-Tagged",
        "US-Untagged",
        "US-Provisioning",
    }
    assert sdk.server_hardware.get_by_name("Frame3, bay 4").data["locationUri"]


def test_our_client_reads_the_site(small_site):
    settings = ClientSettings(
        manager_url=small_site.url,
        username="Administrator",
        password="simulator",
        tls_cacert_file=str(small_site.ca_file),
    )
    with OneViewClient(settings) as client:
        assert len(client.get_all(HARDWARE)) == SMALL.blades
        assert len(client.get_all("/rest/uplink-sets")) == 9
        assert client.get_by_name(PROFILES, "node-f2b3")["macType"] == "Virtual"


def test_the_simulators_rules_accept_the_profiles(small_site, rest):
    """A new connection on a free NIC of an Off blade works and gets the next pool MAC."""
    blade = one(rest, HARDWARE, "Frame1, bay 2")
    assert blade["powerState"] == "Off"
    profile = rest.get(blade["serverProfileUri"]).json()
    free_nic = "Mezz 3:1-b"
    added = {
        "id": 3,
        "name": "extra",
        "functionType": "Ethernet",
        "networkUri": connections(profile)[1]["networkUri"],
        "portId": free_nic,
    }
    profile["connectionSettings"]["connections"].append(added)
    task = rest.wait(rest.put(profile["uri"], profile))
    assert task["taskState"] == "Completed", task
    stored = connections(rest.get(profile["uri"]).json())
    assert stored[-1]["portId"] == free_nic
    assert pool_index(stored[-1]["mac"]) == 2 * SMALL.blades


def test_the_command_serves_a_synthetic_site(tmp_path):
    command = [sys.executable, "-m", "oneview_simulator", "--synthetic", "3x2/3"]
    process = subprocess.Popen(
        [*command, "--tls-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip()
        ca_file = process.stdout.readline().strip()
        state = requests.get(url + "/_sim/state", verify=ca_file, timeout=10).json()
        assert len(state["resources"]["/rest/server-hardware"]) == 6
        process.terminate()
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
