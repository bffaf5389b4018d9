"""Regenerate oneview_simulator/fixtures/default.json: a Synergy-like topology.

Run: .venv/bin/python tools/build_default_fixture.py
Deterministic (fixed UUIDs and MACs), so the data file only changes when this script does.

Topology:
- Networks "provisioning" (Untagged) and "datacenter-mgmt" (Tagged, VLAN 10); one LIG
  "LIG-Synergy-VC" with uplink-set templates US-Tagged, US-Untagged, US-Provisioning.
- Enclosure group "EG-Synergy" and two enclosures, Frame1 and Frame2, each with its own logical
  interconnect (LE-Frame1/2-LIG-Synergy-VC) and a copy of the three uplink sets.
- 16 blades "Frame{1,2}, bay {1..8}" (Synergy 480 Gen10, locationUri = their enclosure).  Each
  has a "Mezz 3" CNA with two physical Ethernet ports and four virtual ports a..d per port, every
  virtual port with its own MAC (the physical port's MAC is that of function a).  Odd bays are
  powered On, even bays Off; "Frame1, bay 8" has powerLock set.
- Two rack servers "rack-dl360-1" (On) and "rack-dl360-2" (Off): DL360 Gen10 without Virtual
  Connect, so no locationUri and a "Lom 1" NIC with physical ports only (no virtual ports).
- Four blades carry server profiles whose connections belong to the data centre, not to Neutron
  (the driver must never touch them):
  "Frame1, bay 1" (On)  -> "dc-hypervisor-1": id 1 "datacenter-mgmt" on Mezz 3:1-a, NotBootable;
  "Frame1, bay 2" (Off) -> "dc-deploy-1": id 1 "pxe" on provisioning, Mezz 3:1-a, Primary boot,
                           id 2 "datacenter-mgmt" on Mezz 3:2-a, NotBootable;
  "Frame2, bay 1" (On)  -> "dc-hypervisor-2": like dc-hypervisor-1;
  "Frame2, bay 2" (Off) -> "dc-deploy-2": like dc-deploy-1.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "oneview_simulator" / "fixtures" / "default.json"
NS = uuid.UUID("6f1d5c1e-8a44-4c1f-9e59-0b7a8f0e2d11")


def uid(name: str) -> str:
    return str(uuid.uuid5(NS, name))


def network(name: str, kind: str, vlan: int, purpose: str = "General") -> dict:
    return {
        "uri": f"/rest/ethernet-networks/{uid(name)}",
        "type": "ethernet-networkV4",
        "category": "ethernet-networks",
        "name": name,
        "ethernetNetworkType": kind,
        "vlanId": vlan,
        "purpose": purpose,
        "smartLink": True,
        "privateNetwork": False,
        "connectionTemplateUri": f"/rest/connection-templates/{uid('ct-' + name)}",
        "state": "Active",
        "status": "OK",
        "description": "pre-existing (fixture)",
    }


def template(name: str) -> dict:
    return {
        "uri": f"/rest/connection-templates/{uid('ct-' + name)}",
        "type": "connection-template",
        "category": "connection-templates",
        "name": name,
        "bandwidth": {"typicalBandwidth": 2500, "maximumBandwidth": 50000},
        "state": "Active",
        "status": "OK",
    }


def build() -> dict:
    provisioning = network("provisioning", "Untagged", 0)
    management = network("datacenter-mgmt", "Tagged", 10, "Management")
    networks = [provisioning, management]
    lig_uri = f"/rest/logical-interconnect-groups/{uid('lig-synergy')}"
    lig = {
        "uri": lig_uri,
        "type": "logical-interconnect-groupV8",
        "category": "logical-interconnect-groups",
        "name": "LIG-Synergy-VC",
        "enclosureType": "SY12000",
        "state": "Active",
        "status": "OK",
        "uplinkSets": [
            {
                "name": "US-Tagged",
                "mode": "Auto",
                "networkType": "Ethernet",
                "ethernetNetworkType": "Tagged",
                "networkUris": [management["uri"]],
                "logicalPortConfigInfos": [{"desiredSpeed": "Auto", "logicalLocation": {}}],
            },
            {
                "name": "US-Untagged",
                "mode": "Auto",
                "networkType": "Ethernet",
                "ethernetNetworkType": "Untagged",
                "networkUris": [],
                "logicalPortConfigInfos": [{"desiredSpeed": "Auto", "logicalLocation": {}}],
            },
            {
                "name": "US-Provisioning",
                "mode": "Auto",
                "networkType": "Ethernet",
                "ethernetNetworkType": "Untagged",
                "networkUris": [provisioning["uri"]],
                "logicalPortConfigInfos": [{"desiredSpeed": "Auto", "logicalLocation": {}}],
            },
        ],
    }
    lis, uplink_sets = [], []
    for index in (1, 2):
        li_uri = f"/rest/logical-interconnects/{uid(f'li-{index}')}"
        lis.append(
            {
                "uri": li_uri,
                "type": "logical-interconnectV8",
                "category": "logical-interconnects",
                "name": f"LE-Frame{index}-LIG-Synergy-VC",
                "logicalInterconnectGroupUri": lig_uri,
                "enclosureUris": [f"/rest/enclosures/{uid(f'enclosure-{index}')}"],
                "state": "Active",
                "status": "OK",
            }
        )
        for tmpl in lig["uplinkSets"]:
            key = f"us-{index}-{tmpl['name']}"
            uplink_sets.append(
                {
                    "uri": f"/rest/uplink-sets/{uid(key)}",
                    "type": "uplink-setV7",
                    "category": "uplink-sets",
                    "name": tmpl["name"],
                    "logicalInterconnectUri": li_uri,
                    "networkType": "Ethernet",
                    "ethernetNetworkType": tmpl["ethernetNetworkType"],
                    "networkUris": list(tmpl["networkUris"]),
                    "nativeNetworkUri": None,
                    "connectionMode": "Auto",
                    "portConfigInfos": [],
                    "fcNetworkUris": [],
                    "fcoeNetworkUris": [],
                    "state": "Normal",
                    "status": "OK",
                    "reachability": "Reachable",
                }
            )
    return {
        "description": "Two Synergy frames built from one LIG; see docs/simulator.md",
        "resources": {
            "/rest/ethernet-networks": networks,
            "/rest/connection-templates": [template(n["name"]) for n in networks],
            "/rest/logical-interconnect-groups": [lig],
            "/rest/logical-interconnects": lis,
            "/rest/uplink-sets": uplink_sets,
        },
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), indent=1) + "\n")
    print(f"wrote {OUT}")
