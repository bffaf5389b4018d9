"""Regenerate simulator/oneview_simulator/fixtures/default.json: a Synergy-like topology.

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
- Four blades carry server profiles (macType Physical, no template) whose connections belong to
  the data centre, not to Neutron (the driver must never touch them):
  "Frame1, bay 1" (On)  -> "dc-hypervisor-1": id 1 "datacenter-mgmt" on Mezz 3:1-a, NotBootable;
  "Frame1, bay 2" (Off) -> "dc-deploy-1": id 1 "pxe" on provisioning, Mezz 3:1-a, Primary boot,
                           id 2 "datacenter-mgmt" on Mezz 3:2-a, NotBootable;
  "Frame2, bay 1" (On)  -> "dc-hypervisor-2": like dc-hypervisor-1;
  "Frame2, bay 2" (Off) -> "dc-deploy-2": like dc-deploy-1.
- One server profile template, "baremetal-template" (SY 480 Gen10 in EG-Synergy, macType Virtual,
  manageConnections true): id 1 "deploy" on provisioning, Mezz 3:1-a, Primary boot; id 2 "data"
  on datacenter-mgmt, Mezz 3:2-a, NotBootable.  Two blades carry profiles made from it, the way
  Ironic nodes are usually prepared (Compliant, virtual MACs from the start of the appliance's
  pool, see simulator/oneview_simulator/mac_pool.py):
  "Frame2, bay 3" (On)  -> "ironic-node-f2b3": MACs pool 0 (deploy) and 1 (data);
  "Frame2, bay 8" (Off) -> "ironic-node-f2b8": MACs pool 2 (deploy) and 3 (data).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from oneview_simulator.mac_pool import pool_mac
from oneview_simulator.synthetic import cna_ports

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "simulator" / "oneview_simulator" / "fixtures" / "default.json"
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


# -- servers ------------------------------------------------------------------------------------
MAC_PREFIX = "94:40:C9"  # HPE's OUI; the last three bytes count up from MAC_FIRST
MAC_FIRST = 0x5E0000
BLADE_MODEL = "Synergy 480 Gen10"
RACK_MODEL = "DL360 Gen10"
CNA = "Synergy 3820C 10/20Gb Converged Network Adapter"
RACK_NIC = "HPE Ethernet 1Gb 4-port 331i Adapter - NIC"
FUNCTIONS = "abcd"


class MacCounter:
    """Hands out distinct MACs in a fixed order, so every run yields the same addresses."""

    def __init__(self) -> None:
        self.next = MAC_FIRST

    def __call__(self) -> str:
        value, self.next = self.next, self.next + 1
        low = [(value >> shift) & 0xFF for shift in (16, 8, 0)]
        return MAC_PREFIX + "".join(f":{byte:02X}" for byte in low)


def hardware_type(key: str, name: str, model: str, form: str, adapter: dict) -> dict:
    return {
        "uri": f"/rest/server-hardware-types/{uid(key)}",
        "type": "server-hardware-type-12",
        "category": "server-hardware-types",
        "name": name,
        "model": model,
        "formFactor": form,
        "family": model.rsplit(" ", 1)[0],
        "bootModes": ["UEFI", "UEFIOptimized", "BIOS"],
        "adapters": [adapter],
        "state": "Active",
        "status": "OK",
    }


def empty_slot(location: str, slot: int) -> dict:
    return {
        "location": location,
        "slotNumber": slot,
        "deviceNumber": slot,
        "oaSlotNumber": slot,
        "deviceName": "",
        "physicalPorts": [],
    }


def server(name: str, key: str, model: str, power: str, sht: dict, macs: MacCounter, **extra):
    """A server-hardware document; blades pass enclosure, eg and bay in ``extra``."""
    hardware_id = uid(key)
    enclosure = extra.get("enclosure")
    bay = extra.get("bay")
    if enclosure is not None:
        slots = [empty_slot("Mezz", 1), empty_slot("Mezz", 2)]
        slots.append({**empty_slot("Mezz", 3), "deviceName": CNA, "physicalPorts": []})
        slots[-1]["physicalPorts"] = cna_ports(bay, macs)
    else:
        ports = []
        for number in (1, 2):
            ports.append(
                {
                    "portNumber": number,
                    "type": "Ethernet",
                    "mac": macs(),
                    "wwn": None,
                    "interconnectPort": 0,
                    "interconnectUri": None,
                    "virtualPorts": [],
                }
            )
        slots = [{**empty_slot("Lom", 1), "deviceName": RACK_NIC, "physicalPorts": ports}]
    doc = {
        "uri": f"/rest/server-hardware/{hardware_id}",
        "type": "server-hardware-12",
        "category": "server-hardware",
        "uuid": hardware_id,
        "name": name,
        "serialNumber": "CZ" + hardware_id.replace("-", "")[:8].upper(),
        "virtualSerialNumber": "",
        "model": model,
        "shortModel": model.replace("Synergy", "SY"),
        "formFactor": "HalfHeight" if enclosure else "1U",
        "position": bay,
        "serverHardwareTypeUri": sht["uri"],
        "serverGroupUri": extra.get("enclosure_group"),
        "serverProfileUri": None,
        "powerState": power,
        "powerLock": bool(extra.get("power_lock", False)),
        "state": "NoProfileApplied",
        "stateReason": "NotApplicable",
        "status": "OK",
        "refreshState": "NotRefreshing",
        "licensingIntent": "OneView",
        "processorCount": 2,
        "processorCoreCount": 20,
        "processorType": "Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz",
        "memoryMb": 262144,
        "mpModel": "iLO5",
        "mpFirmwareVersion": "2.78 Apr 28 2023",
        "romVersion": "I42 v2.80 (04/26/2023)",
        "mpHostInfo": {
            "mpHostName": f"ilo-{key}",
            "mpIpAddresses": [{"address": extra["ilo_ip"], "type": "DHCP"}],
        },
        "portMap": {"deviceSlots": slots},
        "scopesUri": f"/rest/scopes/resources/rest/server-hardware/{hardware_id}",
    }
    if enclosure is not None:
        doc["locationUri"] = enclosure
    return doc


def port_mac(hardware: dict, port_id: str) -> str:
    location_slot, _, port_function = port_id.partition(":")
    location, slot = location_slot.split()
    number, function = port_function.split("-")
    for device in hardware["portMap"]["deviceSlots"]:
        if device["location"] == location and device["slotNumber"] == int(slot):
            for port in device["physicalPorts"]:
                if port["portNumber"] == int(number):
                    for virtual in port["virtualPorts"]:
                        if virtual["portFunction"] == function:
                            return virtual["mac"]
    raise KeyError(port_id)


def connection(
    cid: int, name: str, net: dict, port_id: str, boot: str, hardware: dict, mac: str | None = None
) -> dict:
    """A profile connection in the form the simulator stores (resources/profile_connections.py):
    the port's MAC (macType Physical), or ``mac`` from the virtual pool (macType Virtual)."""
    return {
        "id": cid,
        "name": name,
        "functionType": "Ethernet",
        "networkUri": net["uri"],
        "portId": port_id,
        "mac": mac or port_mac(hardware, port_id),
        "macType": "Virtual" if mac else "Physical",
        "wwpnType": "Physical",
        "wwnn": None,
        "wwpn": None,
        "requestedMbps": "2500",
        "allocatedMbps": 2500,
        "maximumMbps": 20000,
        "requestedVFs": "0",
        "allocatedVFs": None,
        "lagName": None,
        "interconnectUri": None,
        "boot": {"priority": boot},
        "managed": True,
        "state": "Deployed",
        "status": "OK",
    }


def profile(
    name: str, hardware: dict, connections: list[dict], made_from: dict | None = None
) -> dict:
    """A server profile applied to ``hardware`` (marks the hardware as used): a data-centre one,
    or one made from the template ``made_from`` (its macType, compliant with it)."""
    uri = f"/rest/server-profiles/{uid('sp-' + name)}"
    hardware["serverProfileUri"] = uri
    hardware["state"] = "ProfileApplied"
    description = "data-centre profile (fixture); not managed by Neutron"
    if made_from is not None:
        description = made_from["serverProfileDescription"]
    return {
        "uri": uri,
        "type": "ServerProfileV12",
        "category": "server-profiles",
        "name": name,
        "description": description,
        "serverHardwareUri": hardware["uri"],
        "serverHardwareTypeUri": hardware["serverHardwareTypeUri"],
        "enclosureGroupUri": hardware["serverGroupUri"],
        "enclosureUri": hardware.get("locationUri"),
        "enclosureBay": hardware["position"],
        "affinity": "Bay",
        "macType": made_from["macType"] if made_from else "Physical",
        "wwnType": "Physical",
        "serialNumberType": "Physical",
        "serialNumber": hardware["serialNumber"],
        "uuid": hardware["uuid"],
        "serverProfileTemplateUri": made_from["uri"] if made_from else None,
        "templateCompliance": "Compliant" if made_from else "Unknown",
        "hideUnusedFlexNics": True,
        "iscsiInitiatorNameType": "AutoGenerated",
        "boot": {"manageBoot": False, "order": []},
        "bootMode": None,
        "firmware": {"manageFirmware": False},
        "bios": {"manageBios": False, "overriddenSettings": []},
        "connectionSettings": {"manageConnections": True, "connections": connections},
        "inProgress": False,
        "state": "Normal",
        "status": "OK",
        "scopesUri": f"/rest/scopes/resources{uri}",
    }


def build_servers(lig_uri: str, management: dict, provisioning: dict) -> dict[str, list[dict]]:
    macs = MacCounter()
    blade_sht = hardware_type(
        "sht-sy480-gen10",
        "SY 480 Gen10 1",
        BLADE_MODEL,
        "HalfHeight",
        {
            "location": "Mezz",
            "slot": 3,
            "model": CNA,
            "ports": [
                {"number": n, "type": "Ethernet", "physicalFunctionCount": 4, "maxSpeedMbps": 20000}
                for n in (1, 2)
            ],
        },
    )
    rack_sht = hardware_type(
        "sht-dl360-gen10",
        "DL360 Gen10 1",
        RACK_MODEL,
        "1U",
        {
            "location": "Lom",
            "slot": 1,
            "model": RACK_NIC,
            "ports": [
                {"number": n, "type": "Ethernet", "physicalFunctionCount": 1, "maxSpeedMbps": 1000}
                for n in (1, 2)
            ],
        },
    )
    group_uri = f"/rest/enclosure-groups/{uid('eg-synergy')}"
    group = {
        "uri": group_uri,
        "type": "EnclosureGroupV8",
        "category": "enclosure-groups",
        "name": "EG-Synergy",
        "enclosureCount": 2,
        "enclosureTypeUri": "/rest/enclosure-types/SY12000",
        "stackingMode": "Enclosure",
        "interconnectBayMappings": [
            {"interconnectBay": bay, "logicalInterconnectGroupUri": lig_uri} for bay in (3, 6)
        ],
        "associatedLogicalInterconnectGroups": [lig_uri],
        "state": "Normal",
        "status": "OK",
    }
    enclosures, hardware = [], []
    for frame in (1, 2):
        enclosure_uri = f"/rest/enclosures/{uid(f'enclosure-{frame}')}"
        bays = []
        for bay in range(1, 9):
            blade = server(
                f"Frame{frame}, bay {bay}",
                f"blade-{frame}-{bay}",
                BLADE_MODEL,
                "On" if bay % 2 else "Off",
                blade_sht,
                macs,
                enclosure=enclosure_uri,
                enclosure_group=group_uri,
                bay=bay,
                power_lock=(frame, bay) == (1, 8),
                ilo_ip=f"192.0.2.{frame * 10 + bay}",
            )
            hardware.append(blade)
            bays.append({"bayNumber": bay, "devicePresence": "Present", "deviceUri": blade["uri"]})
        bays += [
            {"bayNumber": bay, "devicePresence": "Absent", "deviceUri": None}
            for bay in (9, 10, 11, 12)
        ]
        enclosures.append(
            {
                "uri": enclosure_uri,
                "type": "EnclosureV7",
                "category": "enclosures",
                "name": f"Frame{frame}",
                "serialNumber": f"CN75{frame}0SIM",
                "enclosureType": "SY12000",
                "enclosureTypeUri": "/rest/enclosure-types/SY12000",
                "enclosureGroupUri": group_uri,
                "logicalInterconnectUris": [f"/rest/logical-interconnects/{uid(f'li-{frame}')}"],
                "deviceBayCount": 12,
                "deviceBays": bays,
                "interconnectBayCount": 6,
                "state": "Configured",
                "status": "OK",
            }
        )
    for number, power in ((1, "On"), (2, "Off")):
        hardware.append(
            server(
                f"rack-dl360-{number}",
                f"rack-{number}",
                RACK_MODEL,
                power,
                rack_sht,
                macs,
                ilo_ip=f"192.0.2.{100 + number}",
            )
        )

    by_name = {h["name"]: h for h in hardware}
    profiles = []
    for frame in (1, 2):
        hypervisor = by_name[f"Frame{frame}, bay 1"]
        deploy = by_name[f"Frame{frame}, bay 2"]
        profiles.append(
            profile(
                f"dc-hypervisor-{frame}",
                hypervisor,
                [
                    connection(
                        1, "datacenter-mgmt", management, "Mezz 3:1-a", "NotBootable", hypervisor
                    )
                ],
            )
        )
        profiles.append(
            profile(
                f"dc-deploy-{frame}",
                deploy,
                [
                    connection(1, "pxe", provisioning, "Mezz 3:1-a", "Primary", deploy),
                    connection(
                        2, "datacenter-mgmt", management, "Mezz 3:2-a", "NotBootable", deploy
                    ),
                ],
            )
        )
    template = baremetal_template(blade_sht, group_uri, management, provisioning)
    profiles += template_profiles(template, by_name, management, provisioning)
    return {
        "/rest/server-hardware-types": [blade_sht, rack_sht],
        "/rest/enclosure-groups": [group],
        "/rest/enclosures": enclosures,
        "/rest/server-hardware": hardware,
        "/rest/server-profile-templates": [template],
        "/rest/server-profiles": profiles,
    }


def template_connection(cid: int, name: str, net: dict, port_id: str, boot: str) -> dict:
    """A template connection in the form the simulator stores (no MAC: no hardware yet)."""
    return {
        "id": cid,
        "name": name,
        "functionType": "Ethernet",
        "networkUri": net["uri"],
        "portId": port_id,
        "requestedMbps": "2500",
        "boot": {"priority": boot},
        "requestedVFs": "0",
        "lagName": None,
    }


def baremetal_template(sht: dict, group_uri: str, management: dict, provisioning: dict) -> dict:
    uri = f"/rest/server-profile-templates/{uid('spt-baremetal-template')}"
    return {
        "uri": uri,
        "type": "ServerProfileTemplateV8",
        "category": "server-profile-templates",
        "name": "baremetal-template",
        "description": "Ironic bare-metal nodes (fixture)",
        "serverProfileDescription": "Ironic bare-metal node made from baremetal-template",
        "serverHardwareTypeUri": sht["uri"],
        "enclosureGroupUri": group_uri,
        "affinity": "Bay",
        "macType": "Virtual",
        "wwnType": "Physical",
        "serialNumberType": "Physical",
        "hideUnusedFlexNics": True,
        "iscsiInitiatorNameType": "AutoGenerated",
        "boot": {"manageBoot": False, "order": []},
        "bootMode": None,
        "firmware": {"manageFirmware": False},
        "bios": {"manageBios": False, "overriddenSettings": []},
        "connectionSettings": {
            "manageConnections": True,
            "connections": [
                template_connection(1, "deploy", provisioning, "Mezz 3:1-a", "Primary"),
                template_connection(2, "data", management, "Mezz 3:2-a", "NotBootable"),
            ],
        },
        "state": "Active",
        "status": "OK",
        "scopesUri": f"/rest/scopes/resources{uri}",
    }


def template_profiles(
    template: dict, by_name: dict[str, dict], management: dict, provisioning: dict
) -> list[dict]:
    """ironic-node-f2b3 (On) and ironic-node-f2b8 (Off): the template's connections, pool MACs."""
    profiles = []
    for index, bay in enumerate((3, 8)):
        blade = by_name[f"Frame2, bay {bay}"]
        deploy_mac, data_mac = pool_mac(2 * index), pool_mac(2 * index + 1)
        connections = [
            connection(1, "deploy", provisioning, "Mezz 3:1-a", "Primary", blade, deploy_mac),
            connection(2, "data", management, "Mezz 3:2-a", "NotBootable", blade, data_mac),
        ]
        profiles.append(profile(f"ironic-node-f2b{bay}", blade, connections, template))
    return profiles


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
            **build_servers(lig_uri, management, provisioning),
        },
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), indent=1) + "\n")
    print(f"wrote {OUT}")
