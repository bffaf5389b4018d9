"""The MariaDB the migration tests need: reachable, and a fresh database for this run.

On a machine without MariaDB the ``mariadb`` tests are skipped; in CI (``CI=true``) they must run,
so an unreachable server fails them instead of hiding them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest

MARIADB_HOST = "127.0.0.1"
MARIADB_PORT = 3306
MARIADB_USER = "root"
UNREACHABLE = f"MariaDB not reachable at {MARIADB_HOST}:{MARIADB_PORT}"


def _connect(database: str | None = None) -> pymysql.connections.Connection:
    return pymysql.connect(
        host=MARIADB_HOST,
        port=MARIADB_PORT,
        user=MARIADB_USER,
        password="",
        database=database,
        connect_timeout=3,
        autocommit=True,
    )


@pytest.fixture(scope="session")
def neutron_db_manage() -> str:
    """The ``neutron-db-manage`` of the virtualenv running the tests."""
    path = Path(sys.executable).parent / "neutron-db-manage"
    assert path.exists(), f"{path} not found: is neutron installed in this virtualenv?"
    return str(path)


@pytest.fixture(scope="session")
def mariadb_url() -> Iterator[str]:
    """SQLAlchemy URL of a new, uniquely named, empty utf8mb4 database, dropped after the run."""
    try:
        server = _connect()
    except (pymysql.err.Error, OSError) as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"{UNREACHABLE} ({exc}); CI=true requires the MariaDB migration tests to run",
                pytrace=False,
            )
        pytest.skip(UNREACHABLE)

    name = f"oneview_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with server.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
    try:
        yield f"mysql+pymysql://{MARIADB_USER}@{MARIADB_HOST}:{MARIADB_PORT}/{name}?charset=utf8mb4"
    finally:
        with server.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        server.close()


@pytest.fixture(scope="session")
def migrated_mariadb_url(mariadb_url: str, neutron_db_manage: str) -> str:
    """The test database after the real ``neutron-db-manage upgrade heads`` (Neutron's branch,
    then every installed subproject's, ours included), as operators run it."""
    result = subprocess.run(
        [neutron_db_manage, "--database-connection", mariadb_url, "upgrade", "heads"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"neutron-db-manage failed:\n{result.stdout}\n{result.stderr}"
    return mariadb_url
