"""Ironic's own ``neutron`` network interface drives a real Neutron API with our driver.

Ironic 39 (``tools/ironic_venv.sh``) runs in processes of its own (``tests/e2e/ironic.py``,
``tools/ironic_driver.py``), one per node, like conductors: a ``fake-hardware`` node with
``network_interface = neutron`` for each of the default fixture's template-made profiles
(Frame2 bay 3, powered on, and bay 8, off), its ports enrolled with the Virtual MACs of the
profile's connections, each step a real ``task.driver.network.<method>(task)`` call.  Both nodes
go through their rounds at the same time.  Ironic
talks to Neutron through openstacksdk (``[neutron] auth_type = none``), waits for its ports to
become ACTIVE as it does in production (``fail_on_port_binding_failure = true``), and this test
plays the conductor (provision states, in the order Ironic's deploy, rescue, tear-down and
cleaning code calls the network interface) and Nova (tenant ports created before ``vif_attach``,
deleted after ``vif_detach``).

At each step it asserts the node profile's exact connections (NIC, network, boot priority): at
once after a step Ironic waited on (Ironic only returns once the port is ACTIVE, so OneView must
already have the connection), and once OneView caught up after one it does not wait on
(removals); what Ironic waited for (ACTIVE, reached, not ACTIVE at its first look when OneView
had work to do); and that nothing powered the server (no ``PUT .../powerState``).  OneView tasks
take 1 s.  After the last round the profile's connections are byte-identical to the start.
"""

from __future__ import annotations

import copy
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.e2e.helpers import WAIT, Neutron, OneView, wait_until
from tests.e2e.ironic import IronicDriver, IronicNetworks, ironic_missing
from tools.neutron_api import PROJECT_ID, NeutronAPI

SLOW_TASK = 1.0  # seconds every OneView task takes during the flows
ROUNDS = 3
RETRY_INTERVAL = 1  # [agent] neutron_agent_status_retry_interval (an integer option)
MAX_ATTEMPTS = 30  # [agent] neutron_agent_max_attempts: Ironic gives up after 30 s
TEMPLATE = "baremetal-template"
NODES = ("Frame2, bay 3", "Frame2, bay 8")  # template-made profiles (On, Off) in the fixture
PXE_NIC, DATA_NIC = "Mezz 3:1-a", "Mezz 3:2-a"
SWITCH_ID = "01:23:45:67:89:ab"  # required by Ironic's API; our driver does not use it
VLANS = {"cleaning": 410, "rescuing": 411, "tenant": 412, "hot": 413}


def waits_text(waits: list[dict[str, Any]]) -> str:
    """Ironic's waits, short: ``port: ACTIVE? DOWN x3, ACTIVE in 2.01 s``."""
    parts = []
    for wait in waits:
        seen: list[str] = []
        for status in wait["seen"]:
            if seen and seen[-1].split(" x")[0] == status:
                count = int(seen[-1].split(" x")[1]) + 1 if " x" in seen[-1] else 2
                seen[-1] = f"{status} x{count}"
            else:
                seen.append(status)
        parts.append(
            f"{wait['port_id']}: {wait['target']}? {', '.join(seen)} in {wait['seconds']:.2f} s"
        )
    return "; ".join(parts) or "no waits"


def nics(pxe: str, data: str = "datacenter-mgmt") -> list[tuple[str, str, str]]:
    """The connections we expect: (NIC, network, boot priority)."""
    return [(PXE_NIC, pxe, "Primary"), (DATA_NIC, data, "NotBootable")]


BASE = nics("provisioning")


@pytest.fixture(scope="module")
def ironic_available() -> None:
    reason = ironic_missing()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the Ironic test: {reason}")
    pytest.skip(reason)


@dataclass
class Site:
    """The Neutron networks Ironic uses, and the OneView network each one is."""

    ids: dict[str, str]
    labels: dict[str, str]  # OneView network URI -> name used in the expectations


@pytest.fixture(scope="module")
def site(neutron: Neutron, oneview: OneView) -> Site:
    prov = neutron.flat_network("prov", "provisioning")
    ids = {"provisioning": prov.id}
    labels = {
        oneview.network("provisioning")["uri"]: "provisioning",
        oneview.network("datacenter-mgmt")["uri"]: "datacenter-mgmt",
    }
    for name, vlan in VLANS.items():
        ids[name] = neutron.vlan_network(vlan, name=name).id
    for name, vlan in VLANS.items():
        mirrored = wait_until(f"VLAN {vlan} in OneView", lambda v=vlan: oneview.fully_mirrored(v))
        labels[mirrored["uri"]] = name
    return Site(ids, labels)


@dataclass
class Node:
    hardware: str
    hardware_id: str
    profile_uri: str
    power: str
    macs: dict[str, str]  # NIC -> MAC of its connection (Virtual: what the NIC presents)


def _template_profile(oneview: OneView, hardware: str) -> dict[str, Any] | None:
    store = oneview.sim.appliance.store
    profile = store.find(oneview.hardware(hardware).get("serverProfileUri"))
    if not profile:
        return None
    template = store.find(profile.get("serverProfileTemplateUri"))
    return profile if template and template.get("name") == TEMPLATE else None


@pytest.fixture(scope="module")
def nodes(oneview: OneView, ironic_available: None) -> list[Node]:
    """The template-made profiles of NODES, each to be one Ironic node."""
    result = []
    for hardware in NODES:
        profile = _template_profile(oneview, hardware)
        assert profile is not None, f"{hardware} has no profile made from {TEMPLATE!r}"
        connections = profile["connectionSettings"]["connections"]
        result.append(
            Node(
                hardware=hardware,
                hardware_id=oneview.hardware(hardware)["uri"].rsplit("/", 1)[-1],
                profile_uri=profile["uri"],
                power=oneview.hardware(hardware)["powerState"],
                macs={c["portId"]: c["mac"].lower() for c in connections},
            )
        )
    return result


@pytest.fixture
def ironic_processes(
    neutron_api: NeutronAPI, site: Site, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[], IronicDriver]]:
    """Starts Ironic driver processes (one per node, as separate conductors); stops them all."""
    networks = IronicNetworks(
        provisioning=site.ids["provisioning"],
        cleaning=site.ids["cleaning"],
        rescuing=site.ids["rescuing"],
    )
    started: list[IronicDriver] = []

    def start() -> IronicDriver:
        driver = IronicDriver(
            neutron_api.url,
            networks,
            workdir=tmp_path_factory.mktemp("ironic"),
            max_attempts=MAX_ATTEMPTS,
            retry_interval=RETRY_INTERVAL,
        )
        started.append(driver)
        return driver.start()

    try:
        yield start
    finally:
        for driver in started:
            driver.stop()


class Stopped(Exception):
    """A flow stopped because the flow of another node failed."""


@dataclass
class Flow:
    """Plays the conductor and Nova around Ironic's network interface for one node."""

    ironic: IronicDriver
    neutron: Neutron
    oneview: OneView
    node: Node
    site: Site
    stop: threading.Event = field(default_factory=threading.Event)  # another node failed
    timings: list[tuple[str, float, list[float]]] = field(default_factory=list)

    # -- what we look at -----------------------------------------------------------------------
    def connections(self) -> list[dict[str, Any]]:
        profile = self.oneview.sim.appliance.store.get(self.node.profile_uri)
        return copy.deepcopy(profile["connectionSettings"]["connections"])

    def nics(self) -> list[tuple[str, str, str]]:
        return sorted(
            (
                c["portId"],
                self.site.labels.get(c["networkUri"], c["networkUri"]),
                (c.get("boot") or {}).get("priority", "NotBootable"),
            )
            for c in self.connections()
        )

    def power_ops(self) -> list[str]:
        """``PUT .../powerState`` requests the appliance received (from anyone, on any server)."""
        keys = list(self.oneview.sim.appliance.request_counts)
        return [k for k in keys if k.startswith("PUT ") and k.endswith("/powerState")]

    def driver_errors(self) -> str:
        """The last errors our driver logged in the Neutron API, to say why a step failed."""
        lines = self.neutron.api.log_tail("api", 2000).splitlines()
        errors = [line for line in lines if " ERROR networking_oneview" in line]
        return "\n".join(line[:400] for line in errors[-3:]) or "(no driver error logged)"

    def check(self, ok: bool, label: str, what: str) -> bool:
        """One target assertion of a step; the message names the node and the driver's errors."""
        assert ok, f"{self.node.hardware}, {label}: {what}\n{self.driver_errors()}"
        return ok

    # -- steps ---------------------------------------------------------------------------------
    def step(
        self,
        name: str,
        method: str,
        state: str,
        *,
        expect: list[tuple[str, str, str]] | None,
        waits: int = 0,
        oneview_work: bool = False,
        **args: Any,
    ) -> dict[str, Any]:
        """One network-interface call; ``expect`` None: the first call of a pair, checked after.

        ``waits``: how many ports Ironic must have waited on (for ACTIVE, and got it);
        ``oneview_work``: OneView had a 1 s task to run before those ports could be ACTIVE.
        """
        if self.stop.is_set():
            raise Stopped(f"{self.node.hardware}: stopped before {name}: another node failed")
        answer = self.ironic.network(method, state, **args)
        label = f"{name} ({method})"
        seen = answer["waits"]
        self.timings.append((label, answer["seconds"], [w["seconds"] for w in seen]))
        error = f"{answer.get('error_type')}: {answer.get('error')}"
        self.check(answer["ok"], label, f"Ironic failed: {error} ({waits_text(seen)})")
        self.check(
            [w["target"] for w in seen] == ["ACTIVE"] * waits and all(w["reached"] for w in seen),
            label,
            f"Ironic waited: {waits_text(seen)}; expected {waits} wait(s) for ACTIVE",
        )
        if expect is not None:
            # Ironic returned after its ports were ACTIVE: OneView must already be there.
            nics = self.nics()
            self.check(nics == expect, label, f"connections {nics}, expected {expect}")
        if oneview_work:
            # A 1 s OneView task had to run: the port cannot have been ACTIVE at Ironic's first
            # look, so Ironic really waited for OneView.
            self.check(
                all(w["seen"][0] != "ACTIVE" and w["seconds"] >= RETRY_INTERVAL for w in seen),
                label,
                f"ACTIVE before OneView could be done: {waits_text(seen)}",
            )
        self.check(not self.power_ops(), label, f"power operations {self.power_ops()}")
        return answer

    def settles(self, name: str, expect: list[tuple[str, str, str]]) -> None:
        """After a step Ironic does not wait on (a removal): OneView catches up on its own."""
        if self.stop.is_set():
            raise Stopped(f"{self.node.hardware}: stopped before {name}: another node failed")
        last: list[Any] = []

        def probe() -> bool:
            last[:] = self.nics()
            return last == expect

        try:
            wait_until(f"{name}: OneView to catch up", probe, timeout=WAIT)
        except AssertionError:
            self.check(False, name, f"connections {last}, expected {expect} after {WAIT:.0f} s")
        self.check(not self.power_ops(), name, f"power operations {self.power_ops()}")

    # -- Nova's part ---------------------------------------------------------------------------
    def nova_port(self, network: str, instance: str) -> str:
        port = self.neutron.conn.network.create_port(
            network_id=self.site.ids[network],
            project_id=PROJECT_ID,
            name=f"nova-{network}",
            device_id=instance,
            device_owner="compute:nova",
        )
        return port.id

    def nova_delete(self, port_id: str) -> None:
        self.neutron.conn.network.delete_port(port_id, ignore_missing=False)

    # -- the flows, in the order Ironic's conductor calls the network interface ----------------
    def enroll(self) -> None:
        llc = {
            "switch_id": SWITCH_ID,
            "switch_info": json.dumps({"server_hardware_id": self.node.hardware_id}),
        }
        self.ironic.enroll(
            node={"name": self.node.hardware.replace(", ", "-").replace(" ", "")},
            ports=[
                {
                    "address": self.node.macs[PXE_NIC],
                    "pxe_enabled": True,
                    "local_link_connection": {**llc, "port_id": PXE_NIC},
                },
                {
                    "address": self.node.macs[DATA_NIC],
                    "pxe_enabled": False,
                    "local_link_connection": {**llc, "port_id": DATA_NIC},
                },
            ],
        )

    def cleaning(self, instance_port: str | None = None) -> None:
        # deploy_utils.prepare_inband_cleaning, then tear_down_inband_cleaning.
        self.step(
            "cleaning",
            "add_cleaning_network",
            "cleaning",
            expect=nics("cleaning"),
            waits=1,
            oneview_work=True,
        )
        if instance_port is not None:
            # Nova, once the node is cleaning: unplug the VIF (no unbind in clean wait), delete.
            self.step("nova unplug", "vif_detach", "clean wait", expect=None, vif_id=instance_port)
            self.nova_delete(instance_port)
            self.ironic.update_node(instance_uuid=None, instance_info={})
        self.step("end of cleaning", "remove_cleaning_network", "cleaning", expect=None)
        self.settles("end of cleaning", BASE)

    def deploy(self, instance: str) -> str:
        # Nova: instance_uuid on the node, a tenant port, vif_attach while the node is available.
        self.ironic.update_node(instance_uuid=instance)
        vif = self.nova_port("tenant", instance)
        self.step("nova plug", "vif_attach", "available", expect=BASE, vif_id=vif)
        port = self.neutron.conn.network.get_port(vif)
        label = "nova plug (vif_attach)"
        self.check(
            port.mac_address == self.node.macs[PXE_NIC], label, f"VIF MAC {port.mac_address}"
        )
        # Ironic sends host_id and an empty binding profile (no local_link_information): an
        # ML2 driver cannot act on it, and OneView must not change before the deploy.
        self.check(
            port.binding_vif_type in ("unbound", "binding_failed"),
            label,
            f"the tenant port is bound ({port.binding_vif_type}) before the deploy",
        )
        # AgentDeploy.prepare: unbind tenant ports, provisioning network (node powered off).
        self.step("deploy", "unconfigure_tenant_networks", "deploying", expect=None)
        self.step("deploy", "add_provisioning_network", "deploying", expect=BASE, waits=1)
        # switch_to_tenant_network: provisioning ports gone, tenant port bound, then powered on.
        self.step("switch to tenant", "remove_provisioning_network", "deploying", expect=None)
        self.step(
            "switch to tenant",
            "configure_tenant_networks",
            "deploying",
            expect=nics("tenant"),
            waits=1,
            oneview_work=True,
        )
        return vif

    def hot_vif(self, instance: str) -> None:
        vif = self.nova_port("hot", instance)
        self.step(
            "hot attach",
            "vif_attach",
            "active",
            expect=nics("tenant", "hot"),
            waits=1,
            oneview_work=True,
            vif_id=vif,
        )
        self.step("hot detach", "vif_detach", "active", expect=None, vif_id=vif)
        self.settles("hot detach", nics("tenant"))
        self.nova_delete(vif)

    def rescue(self) -> None:
        # AgentRescue.rescue, then unrescue (AgentRescue.clean_up + configure_tenant_networks).
        self.step("rescue", "unconfigure_tenant_networks", "rescuing", expect=None)
        self.step(
            "rescue",
            "add_rescuing_network",
            "rescuing",
            expect=nics("rescuing"),
            waits=1,
            oneview_work=True,
        )
        self.step("unrescue", "remove_rescuing_network", "unrescuing", expect=None)
        self.step(
            "unrescue",
            "configure_tenant_networks",
            "unrescuing",
            expect=nics("tenant"),
            waits=1,
            oneview_work=True,
        )

    def tear_down(self) -> None:
        # AgentBaseMixin.tear_down (node powered off).
        self.step("tear down", "unconfigure_tenant_networks", "deleting", expect=None)
        self.step("tear down", "remove_provisioning_network", "deleting", expect=None)
        self.settles("tear down", BASE)

    def run(self, rounds: int) -> None:
        try:
            self._run(rounds)
        except BaseException:
            self.stop.set()
            raise

    def _run(self, rounds: int) -> None:
        self.enroll()
        self.cleaning()  # manageable -> provide: automated cleaning
        for _ in range(rounds):
            instance = str(uuid.uuid4())
            vif = self.deploy(instance)
            self.hot_vif(instance)
            self.rescue()
            self.tear_down()
            self.cleaning(instance_port=vif)

    def report(self) -> str:
        lines = [f"{self.node.hardware} (powered {self.node.power})"]
        lines.append(f"  {'step':<56} {'call s':>7}  Ironic waited for ACTIVE (s)")
        for label, seconds, waited in self.timings:
            waited_text = ", ".join(f"{w:.2f}" for w in waited)
            lines.append(f"  {label:<56} {seconds:>7.2f}  {waited_text}")
        return "\n".join(lines)


def test_ironic_network_interface_drives_oneview_without_power_operations(
    ironic_processes: Callable[[], IronicDriver],
    neutron: Neutron,
    oneview: OneView,
    nodes: list[Node],
    site: Site,
) -> None:
    stop = threading.Event()
    flows = []
    for node in nodes:
        # Its own Ironic process (a conductor) and its own openstacksdk connection (Nova).
        flows.append(Flow(ironic_processes(), Neutron(neutron.api), oneview, node, site, stop))
    before = {flow.node.hardware: flow.connections() for flow in flows}
    for flow in flows:
        assert flow.nics() == BASE, f"{flow.node.hardware}: the profile before the test"
    oneview.slow_tasks(SLOW_TASK)
    started = time.monotonic()
    try:
        # The nodes go through their rounds at the same time, as one conductor's nodes do.
        with ThreadPoolExecutor(len(flows), thread_name_prefix="ironic-flow") as pool:
            futures = [pool.submit(flow.run, ROUNDS) for flow in flows]
        failures = [f.exception() for f in futures if f.exception() is not None]
        for failure in sorted(failures, key=lambda e: isinstance(e, Stopped)):
            raise failure
    finally:
        elapsed = time.monotonic() - started
        print(f"\n{elapsed:.1f} s\n" + "\n".join(flow.report() for flow in flows))

    assert flows[0].power_ops() == []
    for flow in flows:
        macs = set(flow.node.macs.values())
        left = [p.id for p in neutron.conn.network.ports() if p.mac_address in macs]
        assert left == [], f"{flow.node.hardware}: Neutron ports left after the flows"
        power = oneview.hardware(flow.node.hardware)["powerState"]
        assert power == flow.node.power, f"{flow.node.hardware}: powered {power}"
        after = json.dumps(flow.connections(), sort_keys=True)
        assert after == json.dumps(before[flow.node.hardware], sort_keys=True), (
            f"{flow.node.hardware}: the profile's connections changed"
        )
