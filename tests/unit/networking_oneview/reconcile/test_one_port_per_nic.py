"""One port per NIC: when two bound ports name one NIC, one keeps it and the other waits."""

from __future__ import annotations

from networking_oneview.db.ports import ACTIVE, WAITING, PortNic, PortRecord
from networking_oneview.reconcile.server_needs import one_port_per_nic

SERVER = "Frame1, bay 4"
NIC_A, NIC_B = "Mezz 3:1-a", "Mezz 3:2-a"


def port(port_id: str, *nics: str, state: str = WAITING) -> PortRecord:
    return PortRecord(
        port_id, "/rest/server-hardware/sh1", tuple(PortNic(n, None) for n in nics), state, None
    )


def test_ports_on_different_nics_all_go_ahead():
    rows = [port("p1", NIC_A), port("p2", NIC_B)]
    assert one_port_per_nic(rows, {}, SERVER) == (rows, {})


def test_the_port_whose_claim_oneview_carries_keeps_the_nic():
    first, second = port("p1", NIC_A), port("p2", NIC_A)
    allowed, waiting = one_port_per_nic([first, second], {NIC_A: "p2"}, SERVER)
    assert allowed == [second]
    assert set(waiting) == {"p1"}


def test_without_a_claim_the_active_port_keeps_the_nic():
    waiting_port, active_port = port("p1", NIC_A), port("p2", NIC_A, state=ACTIVE)
    allowed, _ = one_port_per_nic([waiting_port, active_port], {}, SERVER)
    assert allowed == [active_port]


def test_otherwise_the_first_port_id_keeps_the_nic():
    allowed, waiting = one_port_per_nic([port("p2", NIC_A), port("p1", NIC_A)], {}, SERVER)
    assert [row.port_id for row in allowed] == ["p1"]
    assert list(waiting) == ["p2"]


def test_the_waiting_port_is_told_which_nic_and_which_port_holds_it():
    _, waiting = one_port_per_nic([port("p1", NIC_A), port("p2", NIC_A)], {}, SERVER)
    assert waiting["p2"] == (
        f"NIC {NIC_A} of server hardware {SERVER!r} is held by port p1; unbind or delete that "
        "port, or bind this one to another NIC"
    )


def test_a_port_clashing_on_one_of_its_nics_waits_as_a_whole():
    holder, both = port("p1", NIC_A), port("p2", NIC_B, NIC_A)
    allowed, waiting = one_port_per_nic([holder, both], {}, SERVER)
    assert allowed == [holder]
    assert "p2" in waiting
