"""The driver's alembic branch, registered for ``neutron-db-manage``.

``pyproject.toml`` registers ``alembic_migrations`` here under the entry point group
``neutron.db.alembic_migrations`` (name ``networking-oneview``), so
``neutron-db-manage upgrade heads`` applies it after Neutron's own branch, and
``neutron-db-manage --subproject networking-oneview upgrade heads`` applies only ours.

Layout (Neutron's out-of-tree conventions): ``versions/start_networking_oneview.py`` is the branch
point; ``versions/<release>/expand`` holds additive migrations (safe while neutron-server runs) and
``versions/<release>/contract`` destructive ones; ``versions/EXPAND_HEAD`` and
``versions/CONTRACT_HEAD`` name the branch heads (``neutron-db-manage --subproject
networking-oneview check_migration`` verifies them). Our version table is
``alembic_version_oneview``.
Migrations must also run on SQLite (the demo database): use ``op.batch_alter_table`` to alter.

``upgrade()`` runs the branch without ``neutron-db-manage``, for tools and tests.
"""

from __future__ import annotations

import os
from typing import Any

PROJECT = "networking-oneview"
SCRIPT_LOCATION = "networking_oneview.db.migration:alembic_migrations"
VERSION_TABLE = "alembic_version_oneview"
TABLE_PREFIX = "oneview_"

_HERE = os.path.dirname(os.path.abspath(__file__))
VERSIONS_DIR = os.path.join(_HERE, "alembic_migrations", "versions")


def version_locations() -> list[str]:
    """``versions/`` and every ``versions/<release>/{expand,contract}`` directory."""
    locations = [VERSIONS_DIR]
    for release in sorted(os.listdir(VERSIONS_DIR)):
        for branch in ("expand", "contract"):
            path = os.path.join(VERSIONS_DIR, release, branch)
            if os.path.isdir(path):
                locations.append(path)
    return locations


def alembic_config(url: str | None = None, connection: Any = None):
    """An alembic ``Config`` for our branch alone, on ``url`` or an open SQLAlchemy connection."""
    from alembic import config as alembic_config_mod

    config = alembic_config_mod.Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(version_locations()))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str | None = None, connection: Any = None, revision: str = "heads") -> None:
    """Apply our branch up to ``revision`` (both expand and contract heads by default)."""
    from alembic import command

    command.upgrade(alembic_config(url, connection), revision)


def applied(recorded: set[str]) -> set[str]:
    """Every revision applied, given those recorded in the version table: they and their
    ancestors (a contract revision that depends on the expand head is recorded alone)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {r.revision for r in script.iterate_revisions(list(recorded), "base")}


def heads() -> dict[str, str]:
    """The expand and contract heads named by the EXPAND_HEAD / CONTRACT_HEAD files."""
    result = {}
    for branch in ("expand", "contract"):
        with open(os.path.join(VERSIONS_DIR, f"{branch.upper()}_HEAD")) as f:
            result[branch] = f.read().strip()
    return result
