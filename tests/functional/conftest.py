"""Fixtures for tests that run Neutron's real ML2 plugin in-process against the simulator."""

from __future__ import annotations

import sys

import pytest

# Our models must be on neutron's model base before the test database is created.
import networking_oneview.db.models  # noqa: F401


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fuzz: property-based fuzzing of binding input through the ML2 plugin "
        "(tests/functional/test_binding_fuzz.py)",
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The fuzz suite's figures: examples per property and what became of them."""
    for name, module in list(sys.modules.items()):
        figures = getattr(module, "FIGURES", None) if name.endswith("test_binding_fuzz") else None
        if not figures:
            continue
        terminalreporter.write_sep("-", "binding fuzz figures")
        for prop, counts in sorted(figures.items()):
            detail = ", ".join(f"{outcome} {n}" for outcome, n in sorted(counts.items()))
            terminalreporter.write_line(f"{prop}: {sum(counts.values())} examples ({detail})")
        return
