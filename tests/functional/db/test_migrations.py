"""Our alembic branch on MariaDB, applied the way operators apply it: ``neutron-db-manage
upgrade heads`` (Neutron's 130-odd migrations, then ours). Then the migrated schema must match
our models exactly (Neutron's ``TestModelsMigrations`` idea, restricted to ``oneview_`` tables)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from neutron_lib.db import model_base

from networking_oneview.db import migration, models

pytestmark = pytest.mark.mariadb

S, INT, BIG, DT, TEXT = sa.String, sa.Integer, sa.BigInteger, sa.DateTime, sa.Text

# column -> (type, length, nullable)
EXPECTED_COLUMNS = {
    "oneview_networks": {
        "segment_id": (S, 36, False),
        "network_id": (S, 36, False),
        "physnet": (S, 64, False),
        "network_type": (S, 16, False),
        "segmentation_id": (INT, None, True),
        "oneview_uri": (S, 255, False),
        "oneview_name": (S, 255, False),
        "created_at": (DT, None, False),
    },
    "oneview_nic_claims": {
        "server_profile_uri": (S, 255, False),
        "nic": (S, 32, False),
        "server_hardware_uri": (S, 255, False),
        "port_id": (S, 36, False),
        "connection_name": (S, 63, False),
        "connection_id": (INT, None, True),
        "original": (TEXT, None, True),
        "created_at": (DT, None, False),
        "updated_at": (DT, None, False),
    },
    "oneview_ports": {
        "port_id": (S, 36, False),
        "server_hardware_uri": (S, 255, True),
        "nics": (TEXT, None, False),
        "state": (S, 16, False),
        "reason": (TEXT, None, True),
        "updated_at": (DT, None, False),
    },
    "oneview_power_restores": {
        "server_hardware_uri": (S, 255, False),
        "created_at": (DT, None, False),
    },
    "oneview_pending_work": {
        "id": (BIG, None, False),
        "kind": (S, 16, False),
        "object_id": (S, 64, False),
        "created_at": (DT, None, False),
        "not_before": (DT, None, False),
        "attempts": (INT, None, False),
        "lease_holder": (S, 64, True),
        "lease_expires": (DT, None, True),
        "last_error": (TEXT, None, True),
    },
}

# index name -> (columns, unique)
EXPECTED_INDEXES = {
    "oneview_networks": {
        "ix_oneview_networks_network_id": (["network_id"], False),
        "uniq_oneview_networks0oneview_uri": (["oneview_uri"], True),
    },
    "oneview_nic_claims": {
        "ix_oneview_nic_claims_port_id": (["port_id"], False),
        "ix_oneview_nic_claims_server_hardware_uri": (["server_hardware_uri"], False),
    },
    "oneview_ports": {
        "ix_oneview_ports_server_hardware_uri": (["server_hardware_uri"], False),
    },
    "oneview_power_restores": {},
    "oneview_pending_work": {
        "ix_oneview_pending_work_kind_object_id": (["kind", "object_id"], False),
        "ix_oneview_pending_work_not_before": (["not_before"], False),
    },
}


@pytest.fixture(scope="module")
def engine(migrated_mariadb_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(migrated_mariadb_url)
    yield engine
    engine.dispose()


def _include_ours(object_, name, type_, reflected, compare_to):
    return type_ != "table" or name.startswith(migration.TABLE_PREFIX)


def _diff(engine: sa.Engine, metadata: sa.MetaData) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_object": _include_ours,
            },
        )
        return compare_metadata(context, metadata)


@pytest.mark.parametrize("table", sorted(EXPECTED_COLUMNS))
def test_upgrade_heads_creates_our_table_with_its_columns(engine, table):
    columns = {c["name"]: c for c in sa.inspect(engine).get_columns(table)}

    assert set(columns) == set(EXPECTED_COLUMNS[table])
    for name, (type_, length, nullable) in EXPECTED_COLUMNS[table].items():
        reflected = columns[name]["type"]
        assert isinstance(reflected, type_), (name, reflected)
        if type_ is INT:
            assert not isinstance(reflected, BIG), (name, reflected)
        assert getattr(reflected, "length", None) == length, (name, reflected)
        assert columns[name]["nullable"] is nullable, name


@pytest.mark.parametrize("table", sorted(EXPECTED_INDEXES))
def test_upgrade_heads_creates_our_indexes(engine, table):
    inspector = sa.inspect(engine)
    found = {
        ix["name"]: (ix["column_names"], bool(ix["unique"])) for ix in inspector.get_indexes(table)
    }
    found.update(
        {uc["name"]: (uc["column_names"], True) for uc in inspector.get_unique_constraints(table)}
    )

    assert found == EXPECTED_INDEXES[table]


@pytest.mark.parametrize("table", sorted(EXPECTED_COLUMNS))
def test_our_tables_have_no_foreign_keys(engine, table):
    assert sa.inspect(engine).get_foreign_keys(table) == []


def test_our_tables_are_innodb_utf8mb4(engine):
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT table_name, engine, table_collation FROM information_schema.tables"
                " WHERE table_schema = DATABASE() AND table_name LIKE 'oneview\\_%'"
            )
        ).all()

    assert {r[0] for r in rows} == set(EXPECTED_COLUMNS)
    assert all(r[1] == "InnoDB" and r[2].startswith("utf8mb4") for r in rows), rows


def test_our_version_table_is_at_our_heads(engine):
    with engine.connect() as conn:
        versions = set(
            conn.scalars(
                sa.select(sa.column("version_num")).select_from(sa.table(migration.VERSION_TABLE))
            )
        )

    assert migration.applied(versions) >= set(migration.heads().values())


def test_neutron_tables_are_migrated_alongside(engine):
    inspector = sa.inspect(engine)

    assert {"networks", "ports", "networksegments", "alembic_version"} <= set(
        inspector.get_table_names()
    )


def test_models_match_migrations(engine):
    assert set(models.TABLE_NAMES) <= set(model_base.BASEV2.metadata.tables)

    assert _diff(engine, model_base.BASEV2.metadata) == []


def test_sync_check_notices_a_model_drift(engine):
    """Guards the test above against comparing nothing."""
    drifted = sa.MetaData()
    for table in models.TABLES:
        table.to_metadata(drifted)
    drifted.tables["oneview_pending_work"].append_column(sa.Column("extra", sa.String(8)))
    drifted.tables["oneview_networks"].c.physnet.type = sa.String(32)

    kinds = {d[0] if isinstance(d, tuple) else d[0][0] for d in _diff(engine, drifted)}

    assert {"add_column", "modify_type"} <= kinds
