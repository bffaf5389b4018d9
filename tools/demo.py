"""The demo: a real Neutron API with the oneview mechanism driver, against a simulated OneView.

Starts the OneView simulator, then a Neutron API process (ML2 with our ``oneview`` driver, SQLite,
no Keystone) and ``neutron-periodic-workers``; then, through openstacksdk like any Neutron user,
creates a VLAN network, a flat provisioning network and an Ironic-style bare-metal port, shows
what OneView got (network, uplink-set memberships, server-profile connection, port status),
deletes everything and shows OneView cleaned up.  Unless ``--once``, it then keeps both services
running and prints how to reach them, until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

# openstacksdk -> futurist imports eventlet, which warns on import that it is deprecated.
warnings.filterwarnings("ignore", module="futurist._utils")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from neutron_api import (  # noqa: E402
    PROJECT_ID,
    NeutronAPI,
    NeutronAPIError,
    OneViewTarget,
    create_baremetal_port,
)

from networking_oneview.oneview import ClientSettings, OneViewClient, OneViewError  # noqa: E402
from oneview_simulator.server import SimulatorServer  # noqa: E402

CLOUD = "demo"
SERVER = "Frame1, bay 4"  # a powered-off blade without a server profile in the fixture
NIC = "Mezz 3:1-a"
VLAN = 100
CLI_VLAN = 200  # the network the pasted openstack commands create
WAIT = 60.0


class DemoError(Exception):
    """A step of the story did not happen; the message says which."""


class Stopped(BaseException):
    """SIGTERM or Ctrl-C."""


def _stop(*_: object) -> None:
    raise Stopped


def wait_for(what: str, probe: Callable[[], Any], timeout: float = WAIT) -> tuple[Any, float]:
    """Poll ``probe`` until it returns something truthy; return it and the seconds it took."""
    start = time.monotonic()
    while True:
        value = probe()
        if value:
            return value, time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise DemoError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    start = time.monotonic()
    value = call()
    return value, time.monotonic() - start


class OneViewView:
    """What the appliance holds, read over its REST API with the driver's own client."""

    def __init__(self, client: OneViewClient) -> None:
        self.client = client

    def networks(self) -> list[dict[str, Any]]:
        return self.client.get_all("/rest/ethernet-networks", sort="name:ascending")

    def ours(self) -> list[dict[str, Any]]:
        return [n for n in self.networks() if n["name"].startswith(f"{CLOUD}_")]

    def carriers(self, network_uri: str) -> list[str]:
        """Every LIG uplink-set template and LI uplink set that carries the network."""
        found = []
        for lig in self.client.get_all("/rest/logical-interconnect-groups"):
            for template in lig["uplinkSets"]:
                if network_uri in template.get("networkUris", []):
                    found.append(f"LIG {lig['name']} / {template['name']} (template)")
        lis = {li["uri"]: li["name"] for li in self.client.get_all("/rest/logical-interconnects")}
        for uplink_set in self.client.get_all("/rest/uplink-sets"):
            if network_uri in uplink_set.get("networkUris", []):
                li = lis.get(uplink_set.get("logicalInterconnectUri"), "?")
                found.append(f"LI {li} / {uplink_set['name']}")
        return found

    def hardware(self, name: str) -> dict[str, Any]:
        found = self.client.get_by_name("/rest/server-hardware", name)
        if found is None:
            raise DemoError(f"the simulator has no server named {name!r}")
        return found

    def connections(self, hardware_name: str) -> list[dict[str, Any]]:
        uri = self.hardware(hardware_name).get("serverProfileUri")
        if not uri:
            return []
        profile = self.client.get(uri)
        return list((profile.get("connectionSettings") or {}).get("connections") or [])


def nic_mac(hardware: dict[str, Any], nic: str) -> str:
    """The MAC of ``nic`` ("Mezz 3:1-a") in the server's port map."""
    location, rest = nic.split(" ")
    slot, rest = rest.split(":")
    number, function = rest.split("-")
    for device in hardware["portMap"]["deviceSlots"]:
        if device["location"] != location or str(device["slotNumber"]) != slot:
            continue
        for physical in device["physicalPorts"]:
            if str(physical["portNumber"]) != number:
                continue
            for virtual in physical.get("virtualPorts") or []:
                if virtual["portFunction"] == function:
                    return virtual["mac"].lower()
    raise DemoError(f"{hardware['name']} has no NIC {nic}")


def names(networks: list[dict[str, Any]]) -> str:
    return ", ".join(n["name"] for n in networks) or "none"


def cli_walkthrough(neutron_url: str, mac: str) -> tuple[dict[str, str], list[str]]:
    """The environment and the ``openstack`` commands the demo offers for pasting: a VLAN
    network and a bare-metal port on the story's server NIC, as Ironic would create it.  The
    e2e test runs exactly these (read back from the demo's output)."""
    environment = {"OS_AUTH_TYPE": "none", "OS_ENDPOINT": neutron_url}
    link = {"switch_id": "01:23:45:67:89:ab", "port_id": NIC, "switch_info": '{"bootable": "true"}'}
    profile = json.dumps({"local_link_information": [link]})
    commands = [
        "openstack network create --provider-network-type vlan "
        f"--provider-physical-network physnet1 --provider-segment {CLI_VLAN} cli-net",
        "openstack port create --network cli-net --vnic-type baremetal --host cli-node "
        f"--device-owner baremetal:none --mac-address {mac} "
        f"--binding-profile {shlex.quote(profile)} cli-port",
        "openstack port show cli-port -c status -c binding_vif_type",
        "openstack network show cli-net -c provider:segmentation_id -c status",
        "openstack port delete cli-port",
        "openstack network delete cli-net",
    ]
    return environment, commands


def story(view: OneViewView, conn: Any, say: Callable[[str], None]) -> None:
    """Create, show, delete, show: the whole round trip through a real Neutron API."""
    network_names = {n["uri"]: n["name"] for n in view.networks()}
    hardware = view.hardware(SERVER)
    neutron_networks = list(conn.network.networks())  # also lets openstacksdk discover the API
    say(
        f"Before: Neutron has {len(neutron_networks)} networks; OneView has "
        f"{len(network_names)} ({names(view.networks())}); {SERVER} is powered "
        f"{hardware['powerState']}, {'with' if hardware.get('serverProfileUri') else 'without'} "
        "a server profile"
    )
    say("")

    # 1. A VLAN network: the API answers at once, the driver's reconciler catches OneView up.
    tenant, api_seconds = timed(
        lambda: conn.network.create_network(
            name="tenant-net",
            project_id=PROJECT_ID,
            provider_network_type="vlan",
            provider_physical_network="physnet1",
            provider_segmentation_id=VLAN,
        )
    )
    say(
        f'1. Neutron network "tenant-net" (vlan {VLAN} on physnet1): '
        f"API answered in {api_seconds:.2f} s"
    )

    def mirrored() -> tuple[dict[str, Any], list[str]] | None:
        network = next((n for n in view.ours() if n.get("vlanId") == VLAN), None)
        if network is None:
            return None
        carriers = view.carriers(network["uri"])
        return (network, carriers) if len(carriers) >= 3 else None

    (ov_net, carriers), seconds = wait_for("the OneView network of tenant-net", mirrored)
    network_names[ov_net["uri"]] = ov_net["name"]
    say(f"   OneView caught up {seconds:.2f} s later, without any call but the Neutron one:")
    say(
        f"     network   {ov_net['name']}: {ov_net['ethernetNetworkType']}, VLAN {ov_net['vlanId']}"
    )
    for carrier in carriers:
        say(f"     member of {carrier}")

    # 2. A flat network on a physnet mapped to an existing OneView network (flat_net_mappings).
    provisioning = conn.network.create_network(
        name="provisioning",
        project_id=PROJECT_ID,
        provider_network_type="flat",
        provider_physical_network="prov",
    )
    say(
        '2. Neutron network "provisioning" (flat on prov): mapped to the existing OneView '
        'network "provisioning" by flat_net_mappings; nothing is created for it'
    )

    # 3. The server needs a server profile; an operator (or Ironic's OneView driver) makes one.
    profile = view.client.create(
        "/rest/server-profiles",
        {
            "name": "demo-profile-bay4",
            "serverHardwareUri": hardware["uri"],
            "connectionSettings": {"connections": [], "manageConnections": True},
        },
        kind="server-profile",
    )
    say(f'3. OneView server profile "{profile["name"]}" applied to {SERVER} (no connections)')

    # 4. A bare-metal port as Ironic creates it: the NIC's MAC, the node, the link information.
    mac = nic_mac(hardware, NIC)
    node = str(uuid.uuid4())
    port, api_seconds = timed(
        lambda: create_baremetal_port(conn, tenant.id, mac, node, bootable=True, name="node-nic0")
    )
    say(
        f"4. Bare-metal port on tenant-net as Ironic makes it: MAC {mac} ({SERVER}, {NIC}), "
        "bootable"
    )
    say(
        f"   API answered in {api_seconds:.2f} s: port {port.id} status {port.status}, "
        f"vif_type {port.binding_vif_type}"
    )
    if port.binding_vif_type != "other":
        raise DemoError(
            f"the port was not bound by the oneview driver (vif_type {port.binding_vif_type})"
        )

    def active() -> Any:
        current = conn.network.get_port(port.id)
        return current if current.status == "ACTIVE" else None

    _, seconds = wait_for(f"port {port.id} to become ACTIVE", active)
    ours = [c for c in view.connections(SERVER) if c.get("name", "").startswith("neutron-")]
    if not ours:
        raise DemoError("the port is ACTIVE but the server profile has no connection for it")
    say(f"   ACTIVE {seconds:.2f} s later, once the server profile had the connection:")
    for connection in ours:
        say(
            f"     connection {connection['name']}: port {connection['portId']}, network "
            f"{network_names.get(connection['networkUri'], connection['networkUri'])}, "
            f"boot {connection['boot']['priority']}"
        )

    # 5. Delete: the connection goes, then the network leaves every uplink set and OneView.
    conn.network.delete_port(port.id)
    _, seconds = wait_for(
        "the connection to leave the server profile",
        lambda: not any(c.get("name", "").startswith("neutron-") for c in view.connections(SERVER)),
    )
    left = len(view.connections(SERVER))
    say(
        f"5. Deleted the port: its connection left the server profile {seconds:.2f} s later "
        f"({left} connections left)"
    )
    conn.network.delete_network(tenant.id)
    conn.network.delete_network(provisioning.id)
    _, seconds = wait_for(
        "the OneView network of tenant-net to be deleted",
        lambda: not view.ours() and not view.carriers(ov_net["uri"]),
    )
    say(
        f"6. Deleted both networks: {ov_net['name']} left the LIG and both logical interconnects "
        f"and was deleted {seconds:.2f} s later;"
    )
    kept = [n for n in view.networks() if n["name"] == "provisioning"]
    if not kept:
        raise DemoError('the pre-existing OneView network "provisioning" was deleted')
    say('   "provisioning" stays: the driver never deletes a network it did not create')
    say("")
    say(f"After: OneView has {len(view.networks())} networks ({names(view.networks())})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--once", action="store_true", help="run the story and exit")
    parser.add_argument(
        "--task-seconds",
        type=float,
        default=0.3,
        help="how long each simulated OneView task runs (default 0.3)",
    )
    parser.add_argument(
        "--no-periodic-workers",
        dest="periodic_workers",
        action="store_false",
        help="do not start neutron-periodic-workers (the periodic OneView full sync)",
    )
    args = parser.parse_args(argv)

    def say(line: str) -> None:
        try:
            print(line, flush=True)
        except OSError:  # stdout closed (e.g. piped into head): keep going, quietly
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    started = time.monotonic()
    sim: SimulatorServer | None = None
    tls_dir = Path(tempfile.mkdtemp(prefix="oneview-demo-tls-"))
    neutron: NeutronAPI | None = None
    failed = False
    try:
        try:
            sim = SimulatorServer(tls_dir=tls_dir).start()
            sim.appliance.faults.configure({"task_duration": args.task_seconds})
            target = OneViewTarget.from_simulator(sim)
            say(f"OneView simulator:  {sim.url} (simulated tasks take {args.task_seconds:g} s)")
            neutron = NeutronAPI(target, periodic_workers=args.periodic_workers, cloud_name=CLOUD)
            neutron.start()
            workers = "with neutron-periodic-workers" if args.periodic_workers else "API only"
            say(
                f"Neutron API:        {neutron.url} (ML2 + oneview driver, SQLite, noauth; "
                f"{workers}) up after {time.monotonic() - started:.1f} s"
            )
            say("")
            settings = ClientSettings(
                manager_url=target.manager_url,
                username=target.username,
                password=target.password,
                tls_cacert_file=target.ca_file,
                polling_interval=0.1,
            )
            with OneViewClient(settings) as client:
                view = OneViewView(client)
                story(view, neutron.connection(), say)
                hardware_of_story = view.hardware(SERVER)
            say(f"Demo story completed in {time.monotonic() - started:.1f} s.")
        except (DemoError, NeutronAPIError, OneViewError, OSError) as error:
            failed = True
            say(f"DEMO FAILED: {error}")
            return 1
        except Exception as error:
            failed = True
            say(f"DEMO FAILED: {type(error).__name__}: {error}")
            return 1
        if args.once:
            return 0
        say("")
        say(f"Neutron API:        {neutron.url}  (noauth: no token; give project_id in bodies)")
        say(f"  e.g.              curl -s {neutron.url}v2.0/networks")
        say(f"  config and logs:  {neutron.workdir}")
        say(f"OneView simulator:  {sim.url}")
        say(f"  CA certificate:   {sim.ca_file}")
        say(f"  credentials:      {target.username} / {target.password}")
        say(f"  admin API:        {sim.url}/_sim/state (faults: see docs/simulator.md)")
        say("")
        say("Try it with the openstack CLI (python-openstackclient, in .venv/bin); paste:")
        environment, commands = cli_walkthrough(neutron.url, nic_mac(hardware_of_story, NIC))
        for name, value in environment.items():
            say(f"  export {name}={value}")
        for command in commands:
            say(f"  {command}")
        say("  (the port turns ACTIVE once OneView has the connection: run port show again)")
        say("")
        say("Serving; stop with Ctrl-C.")
        while True:
            time.sleep(3600)
    except Stopped:
        say("Stopping.")
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            if neutron is not None:
                neutron.stop(clean=not failed)
        finally:
            if sim is not None:
                sim.stop()
            shutil.rmtree(tls_dir, ignore_errors=True)
        if failed and neutron is not None:
            if neutron.port is not None:
                say(f"--- last lines of the Neutron API log ---\n{neutron.log_tail('api', 15)}")
            say(f"Configuration and logs kept in {neutron.workdir}")


if __name__ == "__main__":
    sys.exit(main())
