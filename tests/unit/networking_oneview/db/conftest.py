"""A fresh SQLite database with the driver's tables for each test, wired into neutron-lib's
engine facade so ``CONTEXT_WRITER`` / ``CONTEXT_READER`` use it (neutron-lib's ``SqlFixture``
does the wiring and restores the facade afterwards)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from neutron_lib import context as n_context
from neutron_lib import fixture as lib_fixture
from oslo_db.sqlalchemy import engines

from networking_oneview.db import models


class OneViewTablesFixture(lib_fixture.SqlFixture):
    """Only our tables, on a throw-away SQLite file (Neutron's schema is not needed here)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def _init_resources(self) -> None:
        self.engine = engines.create_engine(f"sqlite:///{self.path}")
        models.OneViewNetwork.metadata.create_all(self.engine, tables=list(models.TABLES))

    def _delete_from_schema(self, engine: sa.Engine) -> None:
        engine.dispose()  # the file goes with tmp_path


@pytest.fixture
def db_engine(tmp_path: Path) -> Iterator[sa.Engine]:
    fixture = OneViewTablesFixture(tmp_path / "oneview.db")
    fixture.setUp()
    try:
        yield fixture.engine
    finally:
        fixture.cleanUp()


def admin_context() -> n_context.Context:
    """What ``get_admin_context()`` gives, with the flags it would ask the policy engine for
    passed in (the policy engine needs a parsed global config, which unit tests do not set up)."""
    return n_context.Context(
        is_admin=True, is_service_role=True, has_global_access=True, can_set_project_id=True
    )


@pytest.fixture
def context(db_engine: sa.Engine) -> n_context.Context:
    return admin_context()


@pytest.fixture
def other_context(db_engine: sa.Engine) -> n_context.Context:
    """A second, independent context (another worker process, as far as the DB can tell)."""
    return admin_context()
