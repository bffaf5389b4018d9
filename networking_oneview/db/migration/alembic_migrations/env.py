"""Alembic environment of the networking-oneview branch.

Run by ``neutron-db-manage`` (which puts its option object on ``config.neutron_config`` and may
pass an open connection in ``config.attributes['connection']``) or by
``networking_oneview.db.migration.upgrade`` (URL in ``sqlalchemy.url``). Autogenerate compares
only our ``oneview_`` tables; the version table is ``alembic_version_oneview``.
"""

from alembic import context
from neutron.db.migration.connection import DBConnection
from neutron_lib.db import model_base

from networking_oneview.db import models  # noqa: F401  (registers our tables on BASEV2)
from networking_oneview.db.migration import TABLE_PREFIX, VERSION_TABLE

config = context.config
neutron_config = getattr(config, "neutron_config", None)
target_metadata = model_base.BASEV2.metadata


def include_object(object_, name, type_, reflected, compare_to):
    # BASEV2's metadata holds every Neutron table too; they are Neutron's business.
    if type_ == "table":
        return name.startswith(TABLE_PREFIX)
    return True


def _database_url():
    if neutron_config is not None:
        return neutron_config.database.connection or None
    return config.get_main_option("sqlalchemy.url") or None


def _revision_directives():
    if neutron_config is None:
        return None
    # neutron-db-manage revision --autogenerate: split into expand/contract scripts.
    from neutron.db.migration import autogen

    return autogen.process_revision_directives


def run_migrations_offline():
    kwargs = {"version_table": VERSION_TABLE, "include_object": include_object}
    url = _database_url()
    if url:
        kwargs["url"] = url
    else:
        kwargs["dialect_name"] = neutron_config.database.engine if neutron_config else "mysql"
    context.configure(**kwargs)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    with DBConnection(_database_url(), config.attributes.get("connection")) as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_object=include_object,
            version_table=VERSION_TABLE,
            process_revision_directives=_revision_directives(),
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
