"""Benchmark: our OneView client against HPE's SDK, side by side in one run.

Measures wall time for the same work against one simulator: N single GETs of an ethernet
network and a paged read of every ethernet network.  Our client keeps one TLS connection alive;
the SDK opens a new one per request.  Results are ratios (SDK time / our time), so they compare
across machines.  Reproduce with:

    .venv/bin/python bench/bench_client.py --requests 300 --networks 2000 \\
        --connect-latency 0.01 --out docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from hpeOneView.oneview_client import OneViewClient as SdkClient

from networking_oneview.oneview import ClientSettings, OneViewClient
from oneview_simulator.server import SimulatorServer


def timed(action: Callable[[], object], repeat: int = 3) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--networks", type=int, default=2000)
    parser.add_argument(
        "--connect-latency",
        type=float,
        default=0.01,
        help="seconds a new TCP+TLS connection costs in the second round (network round trips)",
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    with SimulatorServer() as sim:
        ours = OneViewClient(
            ClientSettings(
                manager_url=sim.url,
                username="Administrator",
                password="simulator",
                tls_cacert_file=str(sim.ca_file),
            )
        )
        ours.post(
            "/rest/ethernet-networks/bulk",
            {"namePrefix": "bench", "vlanIdRange": f"1-{args.networks}"},
        )
        sdk = SdkClient(
            {
                "ip": f"{sim.host}:{sim.port}",
                "api_version": ours.api_version,
                "ssl_certificate": str(sim.ca_file),
                "credentials": {"userName": "Administrator", "password": "simulator"},
            }
        )
        uri = ours.get_by_name("/rest/ethernet-networks", "bench_1")["uri"]

        def ours_gets() -> None:
            for _ in range(args.requests):
                ours.get(uri)

        def sdk_gets() -> None:
            for _ in range(args.requests):
                sdk.connection.get(uri)

        rows = []
        for setup in (0.0, args.connect_latency):
            sim.appliance.faults.configure({"connect_latency": setup})
            where = "loopback" if not setup else f"{setup * 1000:.0f} ms connection set-up"
            rows.append(
                (f"{args.requests} GETs of one network, {where}", timed(sdk_gets), timed(ours_gets))
            )
            rows.append(
                (
                    f"read all {args.networks + 2} networks (paged), {where}",
                    timed(lambda: sdk.ethernet_networks.get_all()),
                    timed(lambda: ours.get_all("/rest/ethernet-networks")),
                )
            )
        ours.close()
    lines = [
        "| workload | HPE SDK (s) | networking-oneview client (s) | SDK / ours |",
        "| --- | --- | --- | --- |",
    ]
    for name, theirs, mine in rows:
        lines.append(f"| {name} | {theirs:.3f} | {mine:.3f} | {theirs / mine:.2f}x |")
    table = "\n".join(lines)
    print(table)
    if args.out:
        write_report(args.out, table, args)
    return 0


def write_report(path: Path, table: str, args: argparse.Namespace) -> None:
    command = (
        f".venv/bin/python bench/bench_client.py --requests {args.requests} "
        f"--networks {args.networks} --connect-latency {args.connect_latency} --out {path}"
    )
    path.write_text(
        "# Benchmarks\n\n"
        "## OneView client: keep-alive session vs HPE's SDK\n\n"
        "Same simulator, same run, median of 3. The SDK opens a TLS connection per request; our\n"
        "client keeps one alive. The second round makes every new connection cost what TCP+TLS\n"
        "set-up costs over a network (the simulator's connect_latency fault), as it does against\n"
        "a real appliance. Ratios matter, not seconds (they depend on the machine).\n\n"
        f"{table}\n\n"
        f"Reproduce: `{command}`\n"
    )


if __name__ == "__main__":
    sys.exit(main())
