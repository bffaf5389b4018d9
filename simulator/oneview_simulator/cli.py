"""``oneview-simulator``: run a simulated OneView appliance on loopback until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from oneview_simulator import synthetic, tls
from oneview_simulator.appliance import DEFAULT_PASSWORD, DEFAULT_USERNAME
from oneview_simulator.server import SimulatorServer
from oneview_simulator.versions import CURRENT_VERSION


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="oneview-simulator",
        description="A simulated HPE OneView appliance (HTTPS REST) for tests and rehearsals.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    site = parser.add_mutually_exclusive_group()
    site.add_argument("--fixture", type=Path, help="JSON fixture (default: built-in topology)")
    site.add_argument(
        "--synthetic",
        type=synthetic.size_argument,
        metavar="FRAMESxBLADES[/LIS]",
        help="a generated site instead: e.g. 6x12/3 is 6 frames of 12 blades in 3 logical "
        "interconnects, every blade with a template-made profile (oneview_simulator/synthetic.py)",
    )
    parser.add_argument(
        "--api-version",
        type=int,
        default=CURRENT_VERSION,
        help=f"highest X-API-Version served (default {CURRENT_VERSION}, OneView 11.30)",
    )
    parser.add_argument("--username", default=DEFAULT_USERNAME)
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    parser.add_argument("--cert", help="PEM certificate to serve (default: generate a CA + cert)")
    parser.add_argument("--key", help="PEM private key for --cert")
    parser.add_argument("--tls-dir", type=Path, help="where to write the generated CA and cert")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    if bool(args.cert) != bool(args.key):
        parser.error("--cert and --key go together")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    certificate = tls.given(args.cert, args.key) if args.cert else None
    try:
        server = SimulatorServer(
            host=args.host,
            port=args.port,
            fixture=args.synthetic or args.fixture,
            api_version=args.api_version,
            username=args.username,
            password=args.password,
            certificate=certificate,
            tls_dir=args.tls_dir,
        )
    except (OSError, ValueError) as error:
        print(f"oneview-simulator: cannot start: {error}", file=sys.stderr)
        return 1
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    server.start()
    print(server.url, flush=True)
    print(server.ca_file, flush=True)
    print(
        f"OneView simulator ready: user {args.username!r}, API versions "
        f"{server.appliance.settings.minimum_version}..{args.api_version}; "
        "stop with Ctrl-C or SIGTERM",
        file=sys.stderr,
        flush=True,
    )
    stop.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
