"""The driver's bind-time checks on where a port's links lead (pure parts)."""

from __future__ import annotations

import pytest

from networking_oneview.db.ports import ACTIVE, WAITING, PortNic, PortRecord
from networking_oneview.driver import check_distinct, nic_holders, segmentation_change
from networking_oneview.port_profile import BindingProfileError
from networking_oneview.reconcile.inventory import Nic

SH = "/rest/server-hardware/30303437-3933"
OTHER = "/rest/server-hardware/99"


def record(port_id: str, *nics: str, server: str | None = SH) -> PortRecord:
    return PortRecord(port_id, server, tuple(PortNic(n, None) for n in nics), ACTIVE, None)


def test_two_links_resolving_to_one_nic_are_refused_naming_both_entries():
    """One link names the NIC, another finds the same NIC by the port's MAC."""
    nics = [Nic(SH, "Mezz 3:1-a"), Nic(SH, "Mezz 3:2-a"), Nic(SH, "Mezz 3:1-a")]
    with pytest.raises(BindingProfileError) as caught:
        check_distinct(nics)
    message = str(caught.value)
    assert "local_link_information[2] designates NIC 'Mezz 3:1-a'" in message
    assert f"of server hardware {SH}, as entry [0] does; list each NIC once" in message


def test_distinct_nics_pass():
    check_distinct([Nic(SH, "Mezz 3:1-a"), Nic(OTHER, "Mezz 3:1-a"), Nic(SH, "Mezz 3:1-b")])


def test_holders_are_the_other_ports_recorded_on_that_nic_of_that_server():
    records = [
        record("p-self", "Mezz 3:1-a"),
        record("p-b", "Mezz 3:1-b", "Mezz 3:1-a"),
        record("p-a", "Mezz 3:1-a"),
        record("p-other-nic", "Mezz 3:2-a"),
        record("p-other-server", "Mezz 3:1-a", server=OTHER),
        record("p-unlocated", server=None),
        PortRecord("p-waiting", SH, (PortNic("Mezz 3:1-a", True),), WAITING, "no profile"),
    ]
    assert nic_holders(records, Nic(SH, "Mezz 3:1-a"), "p-self") == ["p-a", "p-b", "p-waiting"]


def test_a_port_does_not_hold_its_own_nic_against_itself():
    assert nic_holders([record("p", "Mezz 3:1-a")], Nic(SH, "Mezz 3:1-a"), "p") == []


@pytest.mark.parametrize(
    ("original", "current", "change"),
    [
        ({"provider:segmentation_id": 50}, {"provider:segmentation_id": 60}, (50, 60)),
        ({"provider:segmentation_id": 50}, {"provider:segmentation_id": "x"}, (50, "x")),
        ({"provider:segmentation_id": 50}, {"provider:segmentation_id": 50}, None),
        ({"provider:segmentation_id": None}, {"provider:segmentation_id": None}, None),
        ({}, {"segments": [{"provider:segmentation_id": 7}]}, None),  # multi-segment
        (None, {"provider:segmentation_id": 60}, None),  # a create: nothing to compare
    ],
)
def test_segmentation_change(original, current, change):
    assert segmentation_change(original, current) == change
