"""What the e2e tests share: OneView seen through the simulator, Neutron through openstacksdk."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from networking_oneview.oneview import OneViewClient
from oneview_simulator.server import SimulatorServer
from tools.neutron_api import PROJECT_ID, NeutronAPI, create_baremetal_port

CLOUD = "e2e"
WAIT = 60.0


def wait_until(what: str, probe: Callable[[], Any], timeout: float = WAIT) -> Any:
    """Poll ``probe`` until it returns something truthy, and return that."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


class OneView:
    """The simulated appliance: read its store directly, write through the REST API."""

    def __init__(self, sim: SimulatorServer, client: OneViewClient) -> None:
        self.sim = sim
        self.client = client

    def members(self, collection: str) -> list[dict[str, Any]]:
        return self.sim.appliance.store.members(collection)

    def ours(self) -> list[dict[str, Any]]:
        return [n for n in self.members("/rest/ethernet-networks") if n["name"].startswith(CLOUD)]

    def network(self, name: str) -> dict[str, Any]:
        return next(n for n in self.members("/rest/ethernet-networks") if n["name"] == name)

    def with_vlan(self, vlan: int) -> dict[str, Any] | None:
        return next((n for n in self.ours() if n.get("vlanId") == vlan), None)

    def carriers(self, network_uri: str) -> list[str]:
        """``LIG/<template>`` and ``<LI uplink set uri>`` of everything carrying the network."""
        found = [
            f"LIG/{template['name']}"
            for lig in self.members("/rest/logical-interconnect-groups")
            for template in lig["uplinkSets"]
            if network_uri in template.get("networkUris", [])
        ]
        found += [
            u["uri"]
            for u in self.members("/rest/uplink-sets")
            if network_uri in u.get("networkUris", [])
        ]
        return found

    def li_uplink_sets(self, name: str) -> list[dict[str, Any]]:
        return [u for u in self.members("/rest/uplink-sets") if u["name"] == name]

    def fully_mirrored(self, vlan: int) -> dict[str, Any] | None:
        """Our network for ``vlan`` once it is in the LIG template and both LI uplink sets."""
        network = self.with_vlan(vlan)
        if network is None:
            return None
        expected = {"LIG/US-Tagged", *(u["uri"] for u in self.li_uplink_sets("US-Tagged"))}
        return network if set(self.carriers(network["uri"])) >= expected else None

    def hardware(self, name: str) -> dict[str, Any]:
        return next(h for h in self.members("/rest/server-hardware") if h["name"] == name)

    def give_profile(self, hardware_name: str) -> dict[str, Any]:
        """An empty server profile on the server, as an operator (or Ironic) would apply it."""
        return self.client.create(
            "/rest/server-profiles",
            {
                "name": f"e2e-{hardware_name.replace(', ', '-').replace(' ', '')}",
                "serverHardwareUri": self.hardware(hardware_name)["uri"],
                "connectionSettings": {"connections": [], "manageConnections": True},
            },
            kind="server-profile",
        )

    def connections(self, hardware_name: str) -> list[dict[str, Any]]:
        uri = self.hardware(hardware_name).get("serverProfileUri")
        profile = self.sim.appliance.store.get(uri) if uri else {}
        return list((profile.get("connectionSettings") or {}).get("connections") or [])

    def our_connections(self, hardware_name: str) -> list[dict[str, Any]]:
        return [
            c for c in self.connections(hardware_name) if c.get("name", "").startswith("neutron-")
        ]

    def mac_of(self, hardware_name: str, nic: str = "Mezz 3:1-a") -> str:
        location, rest = nic.split(" ")
        slot, rest = rest.split(":")
        number, function = rest.split("-")
        for device in self.hardware(hardware_name)["portMap"]["deviceSlots"]:
            if device["location"] != location or str(device["slotNumber"]) != slot:
                continue
            for physical in device["physicalPorts"]:
                if str(physical["portNumber"]) == number:
                    for virtual in physical.get("virtualPorts") or []:
                        if virtual["portFunction"] == function:
                            return virtual["mac"].lower()
        raise AssertionError(f"{hardware_name} has no {nic}")

    def slow_tasks(self, seconds: float) -> None:
        self.sim.appliance.faults.configure({"task_duration": seconds})


class Neutron:
    """openstacksdk against the Neutron API process, with the calls the tests repeat."""

    def __init__(self, api: NeutronAPI) -> None:
        self.api = api
        self.conn = api.connection()

    def vlan_network(self, vlan: int, name: str | None = None) -> Any:
        return self.conn.network.create_network(
            name=name or f"vlan-{vlan}",
            project_id=PROJECT_ID,
            provider_network_type="vlan",
            provider_physical_network="physnet1",
            provider_segmentation_id=vlan,
        )

    def flat_network(self, physnet: str, name: str) -> Any:
        return self.conn.network.create_network(
            name=name,
            project_id=PROJECT_ID,
            provider_network_type="flat",
            provider_physical_network=physnet,
        )

    def baremetal_port(self, network_id: str, mac: str, bootable: bool | None = None) -> Any:
        """A port the way Ironic creates one for a node's NIC."""
        node = f"node-{mac.replace(':', '')}"
        return create_baremetal_port(self.conn, network_id, mac, node, bootable=bootable)

    def status(self, port_id: str) -> str:
        return self.conn.network.get_port(port_id).status
