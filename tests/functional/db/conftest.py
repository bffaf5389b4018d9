"""The MariaDB the migration tests need: reachable, and a fresh database for this run.

On a machine without MariaDB the ``mariadb`` tests are skipped; in CI (``CI=true``) they must run,
so an unreachable server fails them instead of hiding them.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mariadb import fresh_database


@pytest.fixture(scope="session")
def neutron_db_manage() -> str:
    """The ``neutron-db-manage`` of the virtualenv running the tests."""
    path = Path(sys.executable).parent / "neutron-db-manage"
    assert path.exists(), f"{path} not found: is neutron installed in this virtualenv?"
    return str(path)


@pytest.fixture(scope="session")
def mariadb_url() -> Iterator[str]:
    """SQLAlchemy URL of a new, uniquely named, empty utf8mb4 database, dropped after the run."""
    with fresh_database() as url:
        yield url


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
