"""Simulator test configuration: the ``hostile`` marker (also registered in tests/oneview)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "hostile: hostile OneView answers and TLS identities (pytest -m hostile)"
    )
