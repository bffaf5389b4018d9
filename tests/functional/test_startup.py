"""neutron-server start-up: clear refusals for bad mappings, no refusal when OneView is down."""

from __future__ import annotations

import socket

import pytest
from neutron_lib.plugins import directory
from oslo_config import cfg

from tests.functional.base import OneViewTestCase


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TestOneViewDownAtStartup(OneViewTestCase):
    def preSetUp(self) -> None:
        super().preSetUp()
        cfg.CONF.set_override("manager_url", f"https://127.0.0.1:{closed_port()}", group="oneview")
        cfg.CONF.set_override("max_retries", 0, group="oneview")
        cfg.CONF.set_override("connect_timeout", 0.5, group="oneview")

    def test_neutron_starts_and_records_work_for_later(self):
        assert directory.get_plugin() is not None
        network = self.make_vlan_network(vlan=60)
        assert network["status"] == "ACTIVE"
        self.reconcile()  # OneView still down: the work stays recorded for a later round
        from networking_oneview.db import work as work_db

        assert work_db.count_pending(self.admin) == 1


class TestFatalMappings(OneViewTestCase):
    def uplinkset_mappings(self) -> str:
        return f"flatnet:{self.lig_id}:US-Untagged,flatnet:{self.lig_id}:US-Provisioning"

    def setUp(self) -> None:
        with pytest.raises(Exception, match="two Untagged uplink sets of one LIG") as caught:
            super().setUp()
        self.refusal = caught.value

    def test_two_uplink_sets_of_one_type_for_a_physnet_stop_neutron(self):
        assert "uplinkset_mappings" in str(self.refusal)


class TestUnknownPhysnet(OneViewTestCase):
    def uplinkset_mappings(self) -> str:
        return f"physnet9:{self.lig_id}:US-Tagged"

    def setUp(self) -> None:
        with pytest.raises(Exception, match="physnet 'physnet9' is not configured") as caught:
            super().setUp()
        self.refusal = caught.value

    def test_unknown_physnet_stops_neutron_naming_the_option(self):
        assert "[oneview] uplinkset_mappings" in str(self.refusal)
