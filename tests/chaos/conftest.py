"""The chaos run: marker ``chaos`` (``-m "not chaos"`` skips it); it needs MariaDB Galera."""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "chaos: the seeded chaos run (tests/chaos; about 6 minutes, needs Galera)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents or Path(item.path).parent == here:
            item.add_marker(pytest.mark.filterwarnings("ignore::PendingDeprecationWarning"))
