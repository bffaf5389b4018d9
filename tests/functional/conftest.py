"""Fixtures for tests that run Neutron's real ML2 plugin in-process against the simulator."""

from __future__ import annotations

# Our models must be on neutron's model base before the test database is created.
import networking_oneview.db.models  # noqa: F401
