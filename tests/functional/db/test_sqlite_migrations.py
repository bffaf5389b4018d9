"""Our alembic branch on SQLite: the zero-setup demo's database.

``neutron-db-manage upgrade heads`` cannot run Neutron's own migrations on SQLite, so the demo
builds Neutron's schema from its models, stamps Neutron's branch, and upgrades only ours.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from neutron.db.migration.models import head

from networking_oneview.db import migration, models


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _run(neutron_db_manage: str, url: str, *args: str) -> None:
    result = subprocess.run(
        [neutron_db_manage, "--database-connection", url, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"neutron-db-manage {args} failed:\n{result.stderr}"


def _versions(engine: sa.Engine, table: str) -> set[str]:
    with engine.connect() as conn:
        return set(conn.scalars(sa.select(sa.column("version_num")).select_from(sa.table(table))))


def _include_ours(object_, name, type_, reflected, compare_to):
    return type_ != "table" or name.startswith(migration.TABLE_PREFIX)


@pytest.fixture
def engine(tmp_path: Path):
    engine = sa.create_engine(_sqlite_url(tmp_path / "neutron.db"))
    yield engine
    engine.dispose()


def _ours(name: str) -> bool:
    return name.startswith(migration.TABLE_PREFIX) or name == migration.VERSION_TABLE


def _create_neutron_schema(engine: sa.Engine) -> None:
    # Our models are imported in this process, so they sit on the same declarative metadata:
    # keep them out of Neutron's create_all, they must come from our migration.
    metadata = head.get_metadata()
    metadata.create_all(engine, tables=[t for t in metadata.sorted_tables if not _ours(t.name)])


def _schema_sql(engine: sa.Engine) -> dict[str, tuple[str, str]]:
    """Every table and index: name -> (its table, its definition as SQLite stores it)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT name, tbl_name, sql FROM sqlite_master"))
        # sqlite_* objects are SQLite's own (sqlite_sequence appears with AUTOINCREMENT).
        return {n: (t, sql) for n, t, sql in rows if sql and not n.startswith("sqlite_")}


def test_demo_path_neutron_schema_from_models_then_our_branch(engine, neutron_db_manage):
    _create_neutron_schema(engine)
    url = str(engine.url)

    _run(neutron_db_manage, url, "--subproject", "neutron", "stamp", "heads")
    _run(neutron_db_manage, url, "--subproject", "networking-oneview", "upgrade", "heads")

    tables = set(sa.inspect(engine).get_table_names())
    assert set(models.TABLE_NAMES) <= tables
    assert migration.applied(_versions(engine, migration.VERSION_TABLE)) >= set(
        migration.heads().values()
    )
    assert len(_versions(engine, "alembic_version")) == 2  # Neutron's expand and contract heads


def test_upgrade_on_sqlite_matches_the_models(engine):
    migration.upgrade(str(engine.url))

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": _include_ours}
        )
        assert compare_metadata(context, models.OneViewNetwork.metadata) == []


def test_upgrade_twice_is_a_no_op(engine):
    migration.upgrade(str(engine.url))
    migration.upgrade(str(engine.url))

    assert migration.applied(_versions(engine, migration.VERSION_TABLE)) >= set(
        migration.heads().values()
    )


def test_upgrade_leaves_neutron_tables_alone(engine):
    _create_neutron_schema(engine)
    before = _schema_sql(engine)

    migration.upgrade(str(engine.url))

    after = _schema_sql(engine)
    assert {table for table, _ in after.values()} >= set(models.TABLE_NAMES)
    assert {k: v for k, v in after.items() if not _ours(v[0])} == before


def test_head_files_name_the_branch_heads():
    script = ScriptDirectory.from_config(migration.alembic_config())
    by_label = {
        label: rev for rev in script.get_heads() for label in script.get_revision(rev).branch_labels
    }

    assert by_label == migration.heads()


def test_neutron_db_manage_check_migration_accepts_our_branch(neutron_db_manage):
    result = subprocess.run(
        [neutron_db_manage, "--subproject", "networking-oneview", "check_migration"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "start_networking_oneview (branchpoint)" in result.stdout


def test_connections_recorded_before_the_nic_claims_become_claims_on_added_connections(engine):
    migration.upgrade(str(engine.url), revision="ef8d450dd92e")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO oneview_port_connections (port_id, server_hardware_uri, "
                "server_profile_uri, connection_id, connection_name, oneview_port, network_uri, "
                "created_at, updated_at) VALUES ('port-1', '/rest/server-hardware/1', "
                "'/rest/server-profiles/1', 3, 'neutron-port-1-Mezz-3-1-a', 'Mezz 3:1-a', "
                "'/rest/ethernet-networks/1', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )

    migration.upgrade(str(engine.url))

    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT server_profile_uri, nic, port_id, connection_name, connection_id, "
                "original FROM oneview_nic_claims"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("/rest/server-profiles/1", "Mezz 3:1-a", "port-1", "neutron-port-1-Mezz-3-1-a", 3, None)
    ]
    assert "oneview_port_connections" not in sa.inspect(engine).get_table_names()
