"""Run a Neutron process for the demo and the e2e tests: the API (waitress) or the workers.

Usage::

    python tools/neutron_launcher.py api --port-file FILE [--host 127.0.0.1] [--port 0]
    python tools/neutron_launcher.py periodic-workers

``api`` serves ``neutron.wsgi.api:application`` with waitress.  Neutron 28+ has no
``neutron-server`` command: the API is a WSGI application that reads its configuration files from
``OS_NEUTRON_CONFIG_DIR`` / ``OS_NEUTRON_CONFIG_FILES`` (``;``-separated) and parses
``sys.argv[1:]`` as oslo.config arguments, so the launcher strips its own arguments first.  It
binds the socket before loading Neutron (port 0 picks a free one) and writes the port to
``--port-file``, so the caller knows where to look without a race.

``periodic-workers`` runs exactly what the ``neutron-periodic-workers`` console script runs
(``neutron.cmd.server:main_periodic``), where our ``OneViewWorker`` does its full sync.

Both first make Neutron's SQLite database usable by several processes and threads at once (the
demo database; production runs MariaDB): oslo.db opens each SQLite transaction with a deferred
``BEGIN``, so two transactions that both read and then write deadlock inside SQLite, which
answers one of them "database is locked" at once, whatever the busy timeout.  ``BEGIN IMMEDIATE``
takes the write lock up front, so transactions queue behind each other instead (busy timeout
30 s).  SIGTERM ends either process.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys

BUSY_TIMEOUT_MS = 30_000


def serialize_sqlite_transactions() -> None:
    """Open every SQLite transaction with BEGIN IMMEDIATE and wait up to 30 s for the lock."""
    import sqlalchemy
    from sqlalchemy.engine import Engine

    def sqlite(conn: object) -> bool:
        return conn.engine.dialect.name == "sqlite"  # type: ignore[attr-defined]

    @sqlalchemy.event.listens_for(Engine, "connect")
    def _busy_timeout(dbapi_connection: object, record: object) -> None:
        if type(dbapi_connection).__module__.startswith("sqlite3"):
            dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")  # type: ignore[attr-defined]

    # Engine-class listeners run before the per-engine ones oslo.db adds, so this BEGIN comes
    # first and oslo.db's (which checks the same marker) is skipped.
    @sqlalchemy.event.listens_for(Engine, "begin")
    def _begin_immediate(conn: object) -> None:
        if not sqlite(conn) or "in_transaction" in conn.info:  # type: ignore[attr-defined]
            return
        if conn.connection.dbapi_connection.isolation_level is not None:  # type: ignore[attr-defined]
            return  # not oslo.db's autocommit mode: pysqlite emits its own BEGIN
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # type: ignore[attr-defined]
        conn.info["in_transaction"] = True  # type: ignore[attr-defined]


def serve_api(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="neutron_launcher.py api")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--port-file", required=True, help="where to write the bound port")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)

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


def run_periodic_workers(argv: list[str]) -> None:
    if argv:
        sys.exit(f"periodic-workers takes no arguments, got {argv}")
    from neutron.cmd.server import main_periodic

    main_periodic()


def main() -> None:
    commands = {"api": serve_api, "periodic-workers": run_periodic_workers}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(commands)}}} [options]")
    command, argv = commands[sys.argv[1]], sys.argv[2:]
    del sys.argv[1:]  # Neutron parses sys.argv[1:] as its own command line.
    serialize_sqlite_transactions()
    command(argv)


if __name__ == "__main__":
    main()
