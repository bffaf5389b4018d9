"""Serve Neutron's WSGI API (``neutron.wsgi.api:application``) with waitress on loopback.

Usage: ``python tools/neutron_wsgi.py --port-file FILE [--host 127.0.0.1] [--port 0]``

Neutron 28+ has no ``neutron-server`` command: the API is a WSGI application that reads its
configuration files from ``OS_NEUTRON_CONFIG_DIR`` / ``OS_NEUTRON_CONFIG_FILES`` (``;``-separated)
and parses ``sys.argv[1:]`` as oslo.config arguments, so this launcher strips its own arguments
before importing the application.  It binds the listening socket first (port 0 picks a free one)
and writes the port to ``--port-file``, so the caller knows where to look without a race; the
port answers once the application is loaded.  SIGTERM ends the process.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--port-file", required=True, help="where to write the bound port")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    del sys.argv[1:]  # Neutron parses sys.argv[1:] as its own command line.

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    partial = f"{args.port_file}.tmp"
    with open(partial, "w") as f:
        f.write(str(sock.getsockname()[1]))
    os.replace(partial, args.port_file)

    import waitress
    from neutron.wsgi.api import application

    if application is None:
        sys.exit("neutron.wsgi.api did not build an application; see the log above")
    waitress.serve(application, sockets=[sock], threads=args.threads, ident="neutron-api")


if __name__ == "__main__":
    main()
