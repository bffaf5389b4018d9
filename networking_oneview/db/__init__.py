"""The driver's own tables in the Neutron database: models, queries and an alembic branch.

Nothing here alters Neutron's tables or points a foreign key at them: our rows describe OneView
objects and must outlive the Neutron objects they were made for until OneView is cleaned up.
"""
