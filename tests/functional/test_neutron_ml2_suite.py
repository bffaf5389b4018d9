"""Neutron's own ML2 test classes, run with the ``oneview`` driver loaded and physnets mapped.

Proof that adding ``oneview`` to mechanism_drivers breaks nothing in Neutron: the upstream
assertions run unchanged while our driver sees every network and port they create.
"""

from __future__ import annotations

from neutron.tests.unit.plugins.ml2 import test_plugin as ml2

from tests.functional.base import OneViewConfigured


class TestNeutronNetworksWithOneView(OneViewConfigured, ml2.TestMl2NetworksV2):
    _mechanism_drivers = ["logger", "test", "oneview"]


class TestNeutronPortsWithOneView(OneViewConfigured, ml2.TestMl2PortsV2):
    _mechanism_drivers = ["logger", "test", "oneview"]


class TestNeutronPortBindingWithOneView(OneViewConfigured, ml2.TestMl2PortBinding):
    _mechanism_drivers = ["logger", "test", "oneview"]
