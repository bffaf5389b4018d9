"""``networking-oneview sync [--dry-run]``: the drift plan, exactly, and applying it now."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

from oslo_config import cfg

from networking_oneview import cli
from networking_oneview.reconcile.documents import read_modify_write
from tests.functional.base import OneViewTestCase


class TestSyncCommand(OneViewTestCase):
    def sync(self, *, dry_run: bool) -> tuple[int, dict[str, Any]]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = cli.sync(cfg.CONF, dry_run, "json")
        return code, json.loads(out.getvalue())

    def drop_from_first_li(self, network_uri: str) -> str:
        """An operator removes our network from one logical interconnect's uplink set."""
        uplink_set = self.uplink_sets("US-Tagged")[0]

        def drop(document: dict[str, Any]) -> bool:
            document["networkUris"] = [u for u in document["networkUris"] if u != network_uri]
            return True

        read_modify_write(self.mech.client, uplink_set["uri"], drop, kind="uplink-set")
        return uplink_set["uri"]

    def test_dry_run_prints_the_exact_drift_and_writes_nothing(self):
        self.make_vlan_network(vlan=600, name="mirrored")
        self.reconcile()
        [mirrored] = self.ours()
        dropped_from = self.drop_from_first_li(mirrored["uri"])
        self.make_vlan_network(vlan=601, name="not-yet")
        self.sim.appliance.clear_request_log()

        code, report = self.sync(dry_run=True)

        assert code == 1
        drift = {(d["kind"], d["action"], d["target"]) for d in report["drift"]}
        assert drift == {
            ("network", "create", "testcloud_physnet1_601"),
            ("lig", "add", f"{dropped_from} / US-Tagged"),
        }
        added = next(d for d in report["drift"] if d["action"] == "add")
        assert added["why"] == mirrored["uri"]
        writes = [
            r
            for r in self.sim.appliance.request_log
            if r["method"] != "GET" and r["path"] != "/rest/login-sessions"  # its own session
        ]
        assert writes == []
        assert "testcloud_physnet1_601" not in self.oneview_networks()

    def test_sync_applies_the_drift_now_and_then_nothing_differs(self):
        self.make_vlan_network(vlan=610, name="mirrored")
        self.reconcile()
        [mirrored] = self.ours()
        self.drop_from_first_li(mirrored["uri"])
        self.make_vlan_network(vlan=611, name="not-yet")

        code, report = self.sync(dry_run=False)

        assert (code, report) == (0, {"drift": [], "waiting": 0})
        assert sorted(n["vlanId"] for n in self.ours()) == [610, 611]
        for uplink_set in self.uplink_sets("US-Tagged"):
            assert {n["uri"] for n in self.ours()} <= set(uplink_set["networkUris"])
        assert self.sync(dry_run=True) == (0, {"drift": [], "waiting": 0})

    def test_in_sync_reports_nothing_in_table_form(self):
        self.make_vlan_network(vlan=620)
        self.reconcile()
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = cli.sync(cfg.CONF, True, "table")
        assert code == 0 and "nothing to do" in out.getvalue()
