"""A Neutron ML2 plugin test case with the ``oneview`` driver wired to the simulator.

Subclasses are ordinary ``Ml2PluginV2TestCase`` tests: the real ML2 plugin, the real database
layer (SQLite), our driver loaded through its entry point, and the simulated appliance over HTTPS.
Work recorded by the driver is applied by calling ``self.reconcile()``, which runs exactly what
the background reconciler runs, so each test decides when OneView catches up.
"""

from __future__ import annotations

from typing import Any

import pytest
from neutron.conf.plugins.ml2.drivers import driver_type
from neutron.tests.unit.plugins.ml2 import test_plugin
from neutron_lib import context as n_context
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins import directory
from oslo_config import cfg

from networking_oneview import conf
from oneview_simulator.server import SimulatorServer

LIG_NAME = "LIG-Synergy-VC"


class OneViewConfigured:
    """Mixin for any Ml2PluginV2TestCase: [oneview] pointed at the simulator, physnets mapped."""

    sim: SimulatorServer
    #: [oneview] options a test class changes (on top of the harness's own).
    oneview_options: dict[str, Any] = {}

    @pytest.fixture(autouse=True)
    def _appliance(self, simulator: SimulatorServer) -> None:
        self.sim = simulator

    # -- set-up --------------------------------------------------------------------------------
    def preSetUp(self) -> None:
        conf.register_opts(cfg.CONF)
        driver_type.register_ml2_drivers_flat_opts()
        state = self.sim.appliance.store
        lig = next(x for x in state.members("/rest/logical-interconnect-groups"))
        self.lig_id = lig["uri"].rsplit("/", 1)[-1]
        prov = next(
            n for n in state.members("/rest/ethernet-networks") if n["name"] == "provisioning"
        )
        self.provisioning_uri = prov["uri"]
        overrides = {
            "manager_url": self.sim.url,
            "username": "Administrator",
            "password": "simulator",
            "tls_cacert_file": str(self.sim.ca_file),
            "uplinkset_mappings": self.uplinkset_mappings(),
            "flat_net_mappings": f"prov:{prov['uri'].rsplit('/', 1)[-1]}",
            "apply_in_api_workers": False,
            "polling_interval": 0.05,
            "cloud_name": "testcloud",
            **self.oneview_options,
        }
        for name, value in overrides.items():
            cfg.CONF.set_override(name, value, group=conf.GROUP)
        cfg.CONF.set_override("flat_networks", ["flatnet", "prov"], group="ml2_type_flat")
        self.addCleanup(cfg.CONF.reset)
        super().preSetUp()

    def uplinkset_mappings(self) -> str:
        return f"physnet1:{self.lig_id}:US-Tagged,flatnet:{self.lig_id}:US-Untagged"


class OneViewTestCase(OneViewConfigured, test_plugin.Ml2PluginV2TestCase):
    _mechanism_drivers = ["logger", "oneview"]

    def setUp(self) -> None:
        super().setUp()
        self.mech = self.driver.mechanism_manager.mech_drivers["oneview"].obj
        self.admin = n_context.get_admin_context()

    # -- driving Neutron -------------------------------------------------------------------------
    def reconcile(self) -> int:
        """Apply everything the driver recorded, as the background reconciler would."""
        return self.mech.runner.run_pending(n_context.get_admin_context())

    def make_vlan_network(self, vlan: int = 42, name: str = "tenant", physnet: str = "physnet1"):
        return self._make_network(
            self.fmt,
            name,
            True,
            as_admin=True,
            arg_list=(
                "provider:network_type",
                "provider:physical_network",
                "provider:segmentation_id",
            ),
            **{
                "provider:network_type": "vlan",
                "provider:physical_network": physnet,
                "provider:segmentation_id": vlan,
            },
        )["network"]

    def make_flat_network(self, physnet: str = "flatnet", name: str = "flat"):
        return self._make_network(
            self.fmt,
            name,
            True,
            as_admin=True,
            arg_list=("provider:network_type", "provider:physical_network"),
            **{"provider:network_type": "flat", "provider:physical_network": physnet},
        )["network"]

    def baremetal_port(self, network_id: str, mac: str, host: str = "node-1", **switch_info: Any):
        profile = {
            "local_link_information": [
                {"switch_id": "01:23:45:67:89:ab", "port_id": "x", "switch_info": switch_info}
            ]
        }
        return self.port_with_profile(network_id, mac, profile, host)

    def port_with_profile(self, network_id: str, mac: str, profile: Any, host: str = "node-1"):
        response = self._create_port(
            self.fmt,
            network_id,
            is_service=True,
            arg_list=(
                portbindings.HOST_ID,
                portbindings.VNIC_TYPE,
                portbindings.PROFILE,
                "mac_address",
                "device_owner",
            ),
            **{
                portbindings.HOST_ID: host,
                portbindings.VNIC_TYPE: portbindings.VNIC_BAREMETAL,
                portbindings.PROFILE: profile,
                "mac_address": mac,
                "device_owner": "baremetal:none",
            },
        )
        return self.deserialize(self.fmt, response)["port"]

    def show_port(self, port_id: str) -> dict[str, Any]:
        return directory.get_plugin().get_port(self.admin, port_id)

    def give_profile(self, hardware_name: str) -> dict[str, Any]:
        """Apply an empty server profile to a server, as an operator (or Ironic) would."""
        hardware = self.hardware(hardware_name)
        return self.mech.client.create(
            "/rest/server-profiles",
            {
                "name": f"profile-{hardware_name}",
                "serverHardwareUri": hardware["uri"],
                "connectionSettings": {"connections": [], "manageConnections": True},
            },
            kind="server-profile",
        )

    def template_profile(self, hardware_name: str) -> list[dict[str, Any]]:
        """A profile like one made from a template: a connection on each data NIC (the
        provisioning network on Mezz 3:1-a, bootable; datacenter-mgmt on Mezz 3:2-a).  Applied
        with the server off, as OneView requires, and its power state put back; the request log
        is cleared afterwards so tests see only what the driver does.  Returns the connections."""
        networks = self.oneview_networks()
        was_on = self.hardware(hardware_name)["powerState"] == "On"
        if was_on:
            self.set_power(hardware_name, "Off")
        self.mech.client.create(
            "/rest/server-profiles",
            {
                "name": f"node-{hardware_name.replace(', ', '-').replace(' ', '')}",
                "serverHardwareUri": self.hardware(hardware_name)["uri"],
                "connectionSettings": {
                    "manageConnections": True,
                    "connections": [
                        {
                            "id": 1,
                            "name": "deploy",
                            "functionType": "Ethernet",
                            "networkUri": networks["provisioning"]["uri"],
                            "portId": "Mezz 3:1-a",
                            "boot": {"priority": "Primary"},
                        },
                        {
                            "id": 2,
                            "name": "data",
                            "functionType": "Ethernet",
                            "networkUri": networks["datacenter-mgmt"]["uri"],
                            "portId": "Mezz 3:2-a",
                            "boot": {"priority": "NotBootable"},
                        },
                    ],
                },
            },
            kind="server-profile",
        )
        if was_on:
            self.set_power(hardware_name, "On")
        self.sim.appliance.clear_request_log()
        return self.connections_of(hardware_name)

    def set_power(self, hardware_name: str, state: str) -> None:
        hardware = self.hardware(hardware_name)
        control = "PressAndHold" if state == "Off" else "MomentaryPress"
        self.mech.client.put(
            f"{hardware['uri']}/powerState", {"powerState": state, "powerControl": control}
        )

    # -- looking at OneView -------------------------------------------------------------------
    def oneview(self, collection: str) -> list[dict[str, Any]]:
        return self.sim.appliance.store.members(collection)

    def oneview_networks(self) -> dict[str, dict[str, Any]]:
        return {n["name"]: n for n in self.oneview("/rest/ethernet-networks")}

    def ours(self) -> list[dict[str, Any]]:
        return [
            n for n in self.oneview("/rest/ethernet-networks") if n["name"].startswith("testcloud_")
        ]

    def uplink_sets(self, name: str) -> list[dict[str, Any]]:
        return [u for u in self.oneview("/rest/uplink-sets") if u["name"] == name]

    def lig_template(self, name: str) -> dict[str, Any]:
        lig = self.oneview("/rest/logical-interconnect-groups")[0]
        return next(t for t in lig["uplinkSets"] if t["name"] == name)

    def hardware(self, name: str) -> dict[str, Any]:
        return next(h for h in self.oneview("/rest/server-hardware") if h["name"] == name)

    def profile_of(self, hardware_name: str) -> dict[str, Any] | None:
        uri = self.hardware(hardware_name).get("serverProfileUri")
        return self.sim.appliance.store.get(uri) if uri else None

    def connections_of(self, hardware_name: str) -> list[dict[str, Any]]:
        profile = self.profile_of(hardware_name) or {}
        return list((profile.get("connectionSettings") or {}).get("connections", []))

    def claims_of(self, hardware_name: str) -> dict[str, Any]:
        """Our NIC claims on the server, by NIC (the driver's ownership records)."""
        from networking_oneview.db import claims as claims_db

        uri = self.hardware(hardware_name)["uri"]
        return {r.claim.nic: r.claim for r in claims_db.claims(self.admin, server_hardware_uri=uri)}

    def power_requests(self) -> list[dict[str, Any]]:
        """Every power request the appliance received, from its request log."""
        return [
            r
            for r in self.sim.appliance.request_log
            if r["path"].endswith("/powerState") and r["method"] == "PUT"
        ]

    def mac_of(self, hardware_name: str, port: str = "Mezz 3:2-a") -> str:
        location, rest = port.split(" ")
        slot, rest = rest.split(":")
        number, function = rest.split("-")
        hardware = self.hardware(hardware_name)
        for device in hardware["portMap"]["deviceSlots"]:
            if device["location"] == location and str(device["slotNumber"]) == slot:
                for physical in device["physicalPorts"]:
                    if str(physical["portNumber"]) != number:
                        continue
                    for virtual in physical.get("virtualPorts") or []:
                        if virtual["portFunction"] == function:
                            return virtual["mac"].lower()
                    if function == "a" and physical.get("mac"):
                        return physical["mac"].lower()
        raise AssertionError(f"{hardware_name} has no {port}")
