"""Benchmark: does the oneview driver slow the Neutron API down?  Side by side in one run.

Two real Neutron API processes (waitress, SQLite) against one OneView simulator whose tasks take
``--task-seconds`` each, as a real appliance's do: one with ``mechanism_drivers = oneview``, one
with ``logger`` only (the baseline).  The same openstacksdk calls go to each: create N vlan
networks, then N bare-metal ports.  We report median API latency of each call and the ratio to the
baseline, and, for the driver, how long OneView took to catch up after the last call.  The 1.x
driver did this work inside the API call: one network cost several OneView tasks, so its create
latency was at least ``tasks x task-seconds``.  Reproduce with:

    .venv/bin/python bench/bench_api.py --count 10 --task-seconds 1.0 --out docs/benchmarks-api.md
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oneview_simulator.server import SimulatorServer  # noqa: E402
from tools.neutron_api import PROJECT_ID, NeutronAPI, OneViewTarget  # noqa: E402

SERVER = "Frame1, bay 4"


def nic_macs(sim: SimulatorServer, count: int) -> list[str]:
    hardware = next(
        h for h in sim.appliance.store.members("/rest/server-hardware") if h["name"] == SERVER
    )
    macs = [
        virtual["mac"].lower()
        for slot in hardware["portMap"]["deviceSlots"]
        for physical in slot["physicalPorts"]
        for virtual in physical.get("virtualPorts") or []
    ]
    return macs[:count]


def run_calls(conn: Any, count: int, vlan_base: int, macs: list[str]) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"create network": [], "create bare-metal port": []}
    networks = []
    for index in range(count):
        started = time.perf_counter()
        networks.append(
            conn.network.create_network(
                name=f"bench-{index}",
                project_id=PROJECT_ID,
                provider_network_type="vlan",
                provider_physical_network="physnet1",
                provider_segmentation_id=vlan_base + index,
            )
        )
        timings["create network"].append(time.perf_counter() - started)
    for index, mac in enumerate(macs):
        started = time.perf_counter()
        conn.network.create_port(
            network_id=networks[index].id,
            project_id=PROJECT_ID,
            mac_address=mac,
            device_owner="baremetal:none",
            binding_host_id="node-1",
            binding_vnic_type="baremetal",
            binding_profile={"local_link_information": [{"switch_id": "x", "port_id": "y"}]},
        )
        timings["create bare-metal port"].append(time.perf_counter() - started)
    return timings


def caught_up_after(sim: SimulatorServer, count: int, ports: int, deadline: float) -> float:
    """Seconds from now until OneView has every network and connection (or the deadline)."""
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        store = sim.appliance.store
        networks = [
            n for n in store.members("/rest/ethernet-networks") if n["name"].startswith("bench_")
        ]
        connections = [
            c
            for p in store.members("/rest/server-profiles")
            for c in (p.get("connectionSettings") or {}).get("connections", [])
            if c.get("name", "").startswith("neutron-")
        ]
        if len(networks) >= count and len(connections) >= ports:
            return time.monotonic() - started
        time.sleep(0.1)
    raise RuntimeError(f"OneView did not catch up within {deadline} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--task-seconds", type=float, default=1.0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    with SimulatorServer() as sim:
        from networking_oneview.oneview import ClientSettings, OneViewClient

        with OneViewClient(
            ClientSettings(
                manager_url=sim.url,
                username="Administrator",
                password="simulator",
                tls_cacert_file=str(sim.ca_file),
            )
        ) as client:
            hardware = client.get_by_name("/rest/server-hardware", SERVER)
            client.create(
                "/rest/server-profiles",
                {
                    "name": "bench-profile",
                    "serverHardwareUri": hardware["uri"],
                    "connectionSettings": {"connections": []},
                },
            )
        macs = nic_macs(sim, min(args.count, 8))
        target = OneViewTarget.from_simulator(sim)
        results = {}
        for label, drivers, vlan_base in (("baseline", "logger", 100), ("oneview", "oneview", 500)):
            sim.appliance.faults.configure({"task_duration": args.task_seconds})
            with NeutronAPI(target, mechanism_drivers=drivers, cloud_name="bench") as api:
                results[label] = run_calls(api.connection(), args.count, vlan_base, macs)
                if label == "oneview":
                    catch_up = caught_up_after(sim, args.count, len(macs), 600)
    lines = [
        "| call | baseline median (s) | with oneview median (s) | ratio |",
        "| --- | --- | --- | --- |",
    ]
    for call in results["baseline"]:
        base = statistics.median(results["baseline"][call])
        ours = statistics.median(results["oneview"][call])
        lines.append(f"| {call} | {base:.3f} | {ours:.3f} | {ours / base:.2f}x |")
    table = "\n".join(lines)
    summary = (
        f"{args.count} networks and {len(macs)} bare-metal ports; every OneView task takes "
        f"{args.task_seconds:.1f} s. OneView had all of them {catch_up:.1f} s after the last API "
        "call returned."
    )
    print(table)
    print(summary)
    if args.out:
        command = (
            f".venv/bin/python bench/bench_api.py --count {args.count} "
            f"--task-seconds {args.task_seconds} --out {args.out}"
        )
        args.out.write_text(
            "# Benchmark: Neutron API latency with the oneview driver\n\n"
            "Same run, same simulator: a Neutron API with `mechanism_drivers = logger` (baseline)\n"
            "and one with `oneview`. The driver records work and returns; OneView catches up\n"
            "in the background. In the baseline no driver can bind a bare-metal port, so ML2\n"
            "retries the binding before giving up: its port creates are slower for that reason,\n"
            "not because the driver is faster.\n\n"
            f"{table}\n\n{summary}\n\nReproduce: `{command}`\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
