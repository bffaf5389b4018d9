"""The MariaDB at 127.0.0.1:3306 that MariaDB-only tests use: fresh databases, and the rule that
CI (``CI=true``) must run those tests while a machine without MariaDB skips them with a reason."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pymysql
import pytest

MARIADB_HOST = "127.0.0.1"
MARIADB_PORT = 3306
MARIADB_USER = "root"
UNREACHABLE = f"MariaDB not reachable at {MARIADB_HOST}:{MARIADB_PORT}"


def connect(database: str | None = None) -> pymysql.connections.Connection:
    return pymysql.connect(
        host=MARIADB_HOST,
        port=MARIADB_PORT,
        user=MARIADB_USER,
        password="",
        database=database,
        connect_timeout=3,
        autocommit=True,
    )


def server_or_skip() -> pymysql.connections.Connection:
    """A connection to the server; skip (or, under CI=true, fail) when there is none."""
    try:
        return connect()
    except (pymysql.err.Error, OSError) as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"{UNREACHABLE} ({exc}); CI=true requires the MariaDB tests to run", pytrace=False
            )
        pytest.skip(UNREACHABLE)


@contextlib.contextmanager
def fresh_database(prefix: str = "oneview_test") -> Iterator[str]:
    """SQLAlchemy URL of a new, uniquely named, empty utf8mb4 database, dropped afterwards."""
    server = server_or_skip()
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with server.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
    try:
        yield f"mysql+pymysql://{MARIADB_USER}@{MARIADB_HOST}:{MARIADB_PORT}/{name}?charset=utf8mb4"
    finally:
        with server.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        server.close()
