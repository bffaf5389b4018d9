"""Synthetic OneView sites of any size, for scale tests and benchmarks (issue 7).

The default fixture (``tools/build_default_fixture.py``) is a hand-made two-frame site that tests
reason about blade by blade.  A scale benchmark needs the same kind of site, only bigger: ``N``
Synergy frames in ``K`` logical interconnects of one LIG and ``M`` blades per frame.  The names a
driver configuration refers to are those of the default fixture (LIG ``LIG-Synergy-VC``, uplink
sets ``US-Tagged``, ``US-Untagged``, ``US-Provisioning``, networks ``provisioning`` and
``datacenter-mgmt``), so ``uplinkset_mappings`` written for it work unchanged.

Every blade carries a server profile made from ``baremetal-template`` (macType Virtual, the way
Ironic nodes are usually prepared): connection ``deploy`` on ``Mezz 3:1-a`` (provisioning, Primary
boot) and ``data`` on ``Mezz 3:2-a`` (datacenter-mgmt), virtual MACs from the start of the
appliance's pool; the six other NICs of its ``Mezz 3`` CNA are free.  Blades alternate On and
Off (blade 0 On).  Everything is derived from the names (uuid5) and counters, so one size always
yields the same document.  Use it as ``SimulatorServer(fixture=build(SiteSize(6, 12, 3)))``,
``oneview-simulator --synthetic 6x12/3`` or ``python -m oneview_simulator.synthetic 6x12/3``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oneview_simulator.mac_pool import pool_mac

NS = uuid.UUID("0c1f3a52-7d0e-4f4b-9a56-5b3e2f7c9d40")
LIG_NAME = "LIG-Synergy-VC"
UPLINK_SETS = (
    ("US-Tagged", "Tagged"),
    ("US-Untagged", "Untagged"),
    ("US-Provisioning", "Untagged"),
)
TEMPLATE_NAME = "baremetal-template"
MGMT_VLAN = 10
MAX_BAYS = 12  # a Synergy 12000 frame
BLADE_MODEL = "Synergy 480 Gen10"
CNA = "Synergy 3820C 10/20Gb Converged Network Adapter"
FUNCTIONS = "abcd"
MAC_PREFIX = "94:40:C9"  # HPE's OUI, as in the default fixture
MAC_FIRST = 0x700000  # apart from the default fixture's 0x5E0000 range
DEPLOY_NIC = "Mezz 3:1-a"
DATA_NIC = "Mezz 3:2-a"
SIZE_FORMAT = re.compile(r"^(\d+)x(\d+)(?:/(\d+))?$")


@dataclass(frozen=True)
class SiteSize:
    """``frames`` enclosures, ``blades_per_frame`` blades each, in ``logical_interconnects`` LIs."""

    frames: int = 6
    blades_per_frame: int = 12
    logical_interconnects: int = 3

    def __post_init__(self) -> None:
        if not 1 <= self.logical_interconnects <= self.frames:
            raise ValueError(
                f"need 1 <= logical interconnects <= frames, got {self.logical_interconnects} "
                f"logical interconnects for {self.frames} frames"
            )
        if not 1 <= self.blades_per_frame <= MAX_BAYS:
            raise ValueError(f"blades per frame must be 1..{MAX_BAYS}, got {self.blades_per_frame}")

    @property
    def blades(self) -> int:
        return self.frames * self.blades_per_frame

    @classmethod
    def parse(cls, text: str) -> SiteSize:
        """``FRAMESxBLADES[/LIS]``, e.g. ``6x12/3`` (LIS defaults to 3, or FRAMES if fewer)."""
        match = SIZE_FORMAT.match(text.strip())
        if match is None:
            raise ValueError(f"site size must look like FRAMESxBLADES[/LIS] (6x12/3), got {text!r}")
        frames, blades = int(match[1]), int(match[2])
        lis = int(match[3]) if match[3] else min(3, frames)
        return cls(frames, blades, lis)

    def __str__(self) -> str:
        return f"{self.frames}x{self.blades_per_frame}/{self.logical_interconnects}"

    def li_frames(self) -> list[list[int]]:
        """Frame numbers (1-based) of each logical interconnect: contiguous, sizes differ by 1."""
        base, extra = divmod(self.frames, self.logical_interconnects)
        groups, start = [], 1
        for index in range(self.logical_interconnects):
            count = base + (1 if index < extra else 0)
            groups.append(list(range(start, start + count)))
            start += count
        return groups


def uid(name: str) -> str:
    return str(uuid.uuid5(NS, name))


class _Macs:
    """Distinct NIC MACs in a fixed order."""

    def __init__(self) -> None:
        self.next = MAC_FIRST

    def __call__(self) -> str:
        value, self.next = self.next, self.next + 1
        return MAC_PREFIX + "".join(f":{(value >> s) & 0xFF:02X}" for s in (16, 8, 0))


# -- networks and interconnects -----------------------------------------------------------------
def _network(name: str, kind: str, vlan: int, purpose: str = "General") -> dict[str, Any]:
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
        "description": "pre-existing (synthetic site)",
    }


def _connection_template(network: dict[str, Any]) -> dict[str, Any]:
    return {
        "uri": network["connectionTemplateUri"],
        "type": "connection-template",
        "category": "connection-templates",
        "name": network["name"],
        "bandwidth": {"typicalBandwidth": 2500, "maximumBandwidth": 50000},
        "state": "Active",
        "status": "OK",
    }


def _lig(members: dict[str, list[str]]) -> dict[str, Any]:
    """The LIG; ``members`` gives each uplink-set template's network URIs."""
    return {
        "uri": f"/rest/logical-interconnect-groups/{uid('lig')}",
        "type": "logical-interconnect-groupV8",
        "category": "logical-interconnect-groups",
        "name": LIG_NAME,
        "enclosureType": "SY12000",
        "state": "Active",
        "status": "OK",
        "uplinkSets": [
            {
                "name": name,
                "mode": "Auto",
                "networkType": "Ethernet",
                "ethernetNetworkType": kind,
                "networkUris": list(members[name]),
                "logicalPortConfigInfos": [{"desiredSpeed": "Auto", "logicalLocation": {}}],
            }
            for name, kind in UPLINK_SETS
        ],
    }


def _li_uri(index: int) -> str:
    return f"/rest/logical-interconnects/{uid(f'li-{index}')}"


def _enclosure_uri(frame: int) -> str:
    return f"/rest/enclosures/{uid(f'enclosure-{frame}')}"


def _logical_interconnect(index: int, frames: list[int], lig_uri: str) -> dict[str, Any]:
    span = f"{frames[0]}" if len(frames) == 1 else f"{frames[0]}-{frames[-1]}"
    return {
        "uri": _li_uri(index),
        "type": "logical-interconnectV8",
        "category": "logical-interconnects",
        "name": f"LE{index}-Frame{span}-{LIG_NAME}",
        "logicalInterconnectGroupUri": lig_uri,
        "enclosureUris": [_enclosure_uri(f) for f in frames],
        "state": "Active",
        "status": "OK",
    }


def _uplink_set(index: int, template: dict[str, Any]) -> dict[str, Any]:
    key = f"us-{index}-{template['name']}"
    return {
        "uri": f"/rest/uplink-sets/{uid(key)}",
        "type": "uplink-setV7",
        "category": "uplink-sets",
        "name": template["name"],
        "logicalInterconnectUri": _li_uri(index),
        "networkType": "Ethernet",
        "ethernetNetworkType": template["ethernetNetworkType"],
        "networkUris": list(template["networkUris"]),
        "nativeNetworkUri": None,
        "connectionMode": "Auto",
        "portConfigInfos": [],
        "fcNetworkUris": [],
        "fcoeNetworkUris": [],
        "state": "Normal",
        "status": "OK",
        "reachability": "Reachable",
    }


# -- enclosures and blades ----------------------------------------------------------------------
def _hardware_type() -> dict[str, Any]:
    ports = [
        {"number": n, "type": "Ethernet", "physicalFunctionCount": 4, "maxSpeedMbps": 20000}
        for n in (1, 2)
    ]
    return {
        "uri": f"/rest/server-hardware-types/{uid('sht-sy480-gen10')}",
        "type": "server-hardware-type-12",
        "category": "server-hardware-types",
        "name": "SY 480 Gen10 1",
        "model": BLADE_MODEL,
        "formFactor": "HalfHeight",
        "family": "Synergy 480",
        "bootModes": ["UEFI", "UEFIOptimized", "BIOS"],
        "adapters": [{"location": "Mezz", "slot": 3, "model": CNA, "ports": ports}],
        "state": "Active",
        "status": "OK",
    }


def _enclosure_group(size: SiteSize, lig_uri: str) -> dict[str, Any]:
    return {
        "uri": f"/rest/enclosure-groups/{uid('eg-synergy')}",
        "type": "EnclosureGroupV8",
        "category": "enclosure-groups",
        "name": "EG-Synergy",
        "enclosureCount": max(len(g) for g in size.li_frames()),
        "enclosureTypeUri": "/rest/enclosure-types/SY12000",
        "stackingMode": "Enclosure",
        "interconnectBayMappings": [
            {"interconnectBay": bay, "logicalInterconnectGroupUri": lig_uri} for bay in (3, 6)
        ],
        "associatedLogicalInterconnectGroups": [lig_uri],
        "state": "Normal",
        "status": "OK",
    }


def _enclosure(frame: int, li_index: int, group_uri: str, blades: list[dict]) -> dict[str, Any]:
    present = {b["position"]: b["uri"] for b in blades}
    bays = [
        {
            "bayNumber": bay,
            "devicePresence": "Present" if bay in present else "Absent",
            "deviceUri": present.get(bay),
        }
        for bay in range(1, MAX_BAYS + 1)
    ]
    return {
        "uri": _enclosure_uri(frame),
        "type": "EnclosureV7",
        "category": "enclosures",
        "name": f"Frame{frame}",
        "serialNumber": f"CN7{frame:04d}SYN",
        "enclosureType": "SY12000",
        "enclosureTypeUri": "/rest/enclosure-types/SY12000",
        "enclosureGroupUri": group_uri,
        "logicalInterconnectUris": [_li_uri(li_index)],
        "deviceBayCount": MAX_BAYS,
        "deviceBays": bays,
        "interconnectBayCount": 6,
        "state": "Configured",
        "status": "OK",
    }


def cna_ports(bay: int, macs: Callable[[], str]) -> list[dict[str, Any]]:
    """Two physical ports of the Mezz 3 CNA, four virtual functions a..d each, own MACs."""
    ports = []
    for number, interconnect_bay in ((1, 3), (2, 6)):
        virtual = [
            {
                "portNumber": index + 1,
                "portFunction": function,
                "mac": macs(),
                "currentAllocatedVirtualFunctionCount": -1,
                "wwnn": None,
                "wwpn": None,
            }
            for index, function in enumerate(FUNCTIONS)
        ]
        ports.append(
            {
                "portNumber": number,
                "type": "Ethernet",
                "mac": virtual[0]["mac"],
                "wwn": None,
                "interconnectPort": bay,
                "interconnectUri": None,
                "physicalInterconnectPort": bay,
                "physicalInterconnectUri": None,
                "physicalInterconnectBay": interconnect_bay,
                "virtualPorts": virtual,
            }
        )
    return ports


def _slot(slot: int, ports: list[dict[str, Any]], name: str = "") -> dict[str, Any]:
    return {
        "location": "Mezz",
        "slotNumber": slot,
        "deviceNumber": slot,
        "oaSlotNumber": slot,
        "deviceName": name,
        "physicalPorts": ports,
    }


def _blade(frame: int, bay: int, index: int, sht_uri: str, group_uri: str, macs: _Macs) -> dict:
    """Blade ``index`` (0-based over the site): On when the index is even."""
    hardware_id = uid(f"blade-{frame}-{bay}")
    ilo_ip = f"10.{frame // 256}.{frame % 256}.{bay}"
    slots = [_slot(1, []), _slot(2, []), _slot(3, cna_ports(bay, macs), CNA)]
    return {
        "uri": f"/rest/server-hardware/{hardware_id}",
        "type": "server-hardware-12",
        "category": "server-hardware",
        "uuid": hardware_id,
        "name": f"Frame{frame}, bay {bay}",
        "serialNumber": "CZ" + hardware_id.replace("-", "")[:8].upper(),
        "virtualSerialNumber": "",
        "model": BLADE_MODEL,
        "shortModel": BLADE_MODEL.replace("Synergy", "SY"),
        "formFactor": "HalfHeight",
        "position": bay,
        "locationUri": _enclosure_uri(frame),
        "serverHardwareTypeUri": sht_uri,
        "serverGroupUri": group_uri,
        "serverProfileUri": None,
        "powerState": "On" if index % 2 == 0 else "Off",
        "powerLock": False,
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
            "mpHostName": f"ilo-f{frame}b{bay}",
            "mpIpAddresses": [{"address": ilo_ip, "type": "DHCP"}],
        },
        "portMap": {"deviceSlots": slots},
        "scopesUri": f"/rest/scopes/resources/rest/server-hardware/{hardware_id}",
    }


# -- the template and its profiles --------------------------------------------------------------
def _template_connections(provisioning: str, management: str) -> list[dict[str, Any]]:
    wanted = ((1, "deploy", provisioning, DEPLOY_NIC, "Primary"),)
    wanted += ((2, "data", management, DATA_NIC, "NotBootable"),)
    return [
        {
            "id": cid,
            "name": name,
            "functionType": "Ethernet",
            "networkUri": network,
            "portId": port,
            "requestedMbps": "2500",
            "boot": {"priority": boot},
            "requestedVFs": "0",
            "lagName": None,
        }
        for cid, name, network, port, boot in wanted
    ]


def _template(sht_uri: str, group_uri: str, connections: list[dict]) -> dict[str, Any]:
    uri = f"/rest/server-profile-templates/{uid('spt-' + TEMPLATE_NAME)}"
    return {
        "uri": uri,
        "type": "ServerProfileTemplateV8",
        "category": "server-profile-templates",
        "name": TEMPLATE_NAME,
        "description": "Ironic bare-metal nodes (synthetic site)",
        "serverProfileDescription": f"Ironic bare-metal node made from {TEMPLATE_NAME}",
        "serverHardwareTypeUri": sht_uri,
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
        "connectionSettings": {"manageConnections": True, "connections": connections},
        "state": "Active",
        "status": "OK",
        "scopesUri": f"/rest/scopes/resources{uri}",
    }


def _profile_connection(template_connection: dict[str, Any], mac: str) -> dict[str, Any]:
    """A profile connection as the simulator stores one made from a template (Virtual MAC)."""
    return {
        **{k: template_connection[k] for k in ("id", "name", "functionType", "networkUri")},
        "portId": template_connection["portId"],
        "mac": mac,
        "macType": "Virtual",
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
        "boot": dict(template_connection["boot"]),
        "managed": True,
        "state": "Deployed",
        "status": "OK",
    }


def _profile(blade: dict[str, Any], index: int, template: dict[str, Any]) -> dict[str, Any]:
    """Blade ``index``'s profile from ``template``: pool MACs 2*index and 2*index + 1."""
    frame, bay = blade["name"].removeprefix("Frame").split(", bay ")
    name = f"node-f{frame}b{bay}"
    uri = f"/rest/server-profiles/{uid('sp-' + name)}"
    blade["serverProfileUri"] = uri
    blade["state"] = "ProfileApplied"
    template_connections = template["connectionSettings"]["connections"]
    connections = [
        _profile_connection(c, pool_mac(len(template_connections) * index + offset))
        for offset, c in enumerate(template_connections)
    ]
    return {
        "uri": uri,
        "type": "ServerProfileV12",
        "category": "server-profiles",
        "name": name,
        "description": template["serverProfileDescription"],
        "serverHardwareUri": blade["uri"],
        "serverHardwareTypeUri": blade["serverHardwareTypeUri"],
        "enclosureGroupUri": blade["serverGroupUri"],
        "enclosureUri": blade["locationUri"],
        "enclosureBay": blade["position"],
        "affinity": "Bay",
        "macType": "Virtual",
        "wwnType": "Physical",
        "serialNumberType": "Physical",
        "serialNumber": blade["serialNumber"],
        "uuid": blade["uuid"],
        "serverProfileTemplateUri": template["uri"],
        "templateCompliance": "Compliant",
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


# -- the whole site -----------------------------------------------------------------------------
def build(size: SiteSize | None = None) -> dict[str, Any]:
    """The fixture (``{"description", "resources"}``) of a site of ``size``."""
    size = size or SiteSize()
    provisioning = _network("provisioning", "Untagged", 0)
    management = _network("datacenter-mgmt", "Tagged", MGMT_VLAN, "Management")
    lig = _lig(
        {
            "US-Tagged": [management["uri"]],
            "US-Untagged": [],
            "US-Provisioning": [provisioning["uri"]],
        }
    )
    groups = size.li_frames()
    sht = _hardware_type()
    group = _enclosure_group(size, lig["uri"])
    template = _template(
        sht["uri"], group["uri"], _template_connections(provisioning["uri"], management["uri"])
    )
    macs = _Macs()
    enclosures, blades, profiles = [], [], []
    for li_index, frames in enumerate(groups, start=1):
        for frame in frames:
            in_frame = []
            for bay in range(1, size.blades_per_frame + 1):
                blade = _blade(frame, bay, len(blades), sht["uri"], group["uri"], macs)
                profiles.append(_profile(blade, len(blades), template))
                blades.append(blade)
                in_frame.append(blade)
            enclosures.append(_enclosure(frame, li_index, group["uri"], in_frame))
    networks = [provisioning, management]
    return {
        "description": f"Synthetic site {size}: {size.frames} frames, {size.blades} blades, "
        f"{size.logical_interconnects} logical interconnects (oneview_simulator/synthetic.py)",
        "resources": {
            "/rest/ethernet-networks": networks,
            "/rest/connection-templates": [_connection_template(n) for n in networks],
            "/rest/logical-interconnect-groups": [lig],
            "/rest/logical-interconnects": [
                _logical_interconnect(i, frames, lig["uri"])
                for i, frames in enumerate(groups, start=1)
            ],
            "/rest/uplink-sets": [
                _uplink_set(i, t) for i in range(1, len(groups) + 1) for t in lig["uplinkSets"]
            ],
            "/rest/server-hardware-types": [sht],
            "/rest/enclosure-groups": [group],
            "/rest/enclosures": enclosures,
            "/rest/server-hardware": blades,
            "/rest/server-profile-templates": [template],
            "/rest/server-profiles": profiles,
        },
    }


def size_argument(text: str) -> SiteSize:
    """``SiteSize.parse`` for argparse: a bad size is a usage error with the reason."""
    try:
        return SiteSize.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main(argv: list[str] | None = None) -> int:
    """Write a synthetic site's fixture as JSON (stdout, or ``--out``)."""
    parser = argparse.ArgumentParser(
        prog="python -m oneview_simulator.synthetic", description=main.__doc__
    )
    parser.add_argument("size", type=size_argument, help="FRAMESxBLADES[/LIS], e.g. 6x12/3")
    parser.add_argument("--out", type=Path, help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    text = json.dumps(build(args.size), indent=1) + "\n"
    if args.out:
        args.out.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
