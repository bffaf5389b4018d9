"""The demo: a simulated OneView appliance, seen through networking-oneview's own client.

Starts the simulator on a free loopback port, connects with the production client exactly as the
driver will (TLS verified against the simulator's CA), prints what the appliance holds and how to
reach it, then serves until Ctrl-C.  Pass --once to exit after printing (used by the tests).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from networking_oneview.oneview import ClientSettings, OneViewClient
from oneview_simulator.appliance import DEFAULT_PASSWORD, DEFAULT_USERNAME
from oneview_simulator.server import SimulatorServer


def summarize(client: OneViewClient) -> list[str]:
    lines = [f"API version negotiated: {client.api_version}"]
    for lig in client.get_all("/rest/logical-interconnect-groups"):
        templates = ", ".join(
            f"{t['name']} ({t.get('ethernetNetworkType')})" for t in lig["uplinkSets"]
        )
        lines.append(f"LIG {lig['name']}: uplink sets {templates}")
    for li in client.get_all("/rest/logical-interconnects"):
        lines.append(f"Logical interconnect {li['name']}: {li['consistencyStatus']}")
    for network in client.get_all("/rest/ethernet-networks", sort="name:ascending"):
        lines.append(
            f"Network {network['name']}: {network['ethernetNetworkType']} vlan {network['vlanId']}"
        )
    hardware = client.get_all("/rest/server-hardware")
    with_profile = sum(1 for h in hardware if h.get("serverProfileUri"))
    lines.append(f"Server hardware: {len(hardware)} ({with_profile} with a server profile)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--once", action="store_true", help="print and exit instead of serving")
    args = parser.parse_args(argv)
    server = SimulatorServer().start()
    settings = ClientSettings(
        manager_url=server.url,
        username=DEFAULT_USERNAME,
        password=DEFAULT_PASSWORD,
        tls_cacert_file=str(server.ca_file),
    )
    try:
        with OneViewClient(settings) as client:
            for line in summarize(client):
                print(line)
        print()
        print(f"OneView simulator: {server.url}")
        print(f"CA certificate:    {server.ca_file}")
        print(f"Credentials:       {DEFAULT_USERNAME} / {DEFAULT_PASSWORD}")
        print(f"Admin API:         {server.url}/_sim/state (faults: see docs/simulator.md)")
        sys.stdout.flush()
        if not args.once:
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            signal.signal(signal.SIGINT, lambda *_: stop.set())
            print("Serving; stop with Ctrl-C.", flush=True)
            stop.wait()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
