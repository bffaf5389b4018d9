"""The cost of reconciling one server does not grow with the rest of the cloud.

Desired connections come from the index of bound ports by server, so the database statements a
server's work runs depend on that server's ports only, however many ports other servers have.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlalchemy as sa
from neutron_lib.db import api as db_api

from networking_oneview.db import work as work_db
from tests.functional.test_port_binding import BLADE_OFF, PortTestCase

OTHER_SERVERS = ("Frame1, bay 6", "Frame1, bay 8", "Frame2, bay 4", "Frame2, bay 6")
NICS = ("Mezz 3:2-a", "Mezz 3:2-b")
#: Claim, lease, one server's reads and writes, completion: 69 statements when this was written.
STATEMENT_BUDGET = 80


class TestLinearCost(PortTestCase):
    @contextlib.contextmanager
    def statements(self) -> Iterator[list[str]]:
        """Every SQL statement run inside the block."""
        seen: list[str] = []
        engine = db_api.CONTEXT_WRITER.get_engine()

        def count(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            yield seen
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)

    def server_round(self) -> int:
        """Statements of one reconcile of BLADE_OFF's work (nothing else queued)."""
        hardware_id = self.hardware(BLADE_OFF)["uri"].rsplit("/", 1)[-1]
        work_db.record_work(self.admin, work_db.KIND_SERVER, hardware_id)
        with self.statements() as seen:
            assert self.reconcile() == 1
        return len(seen)

    def test_a_servers_round_costs_the_same_with_eight_more_ports_in_the_cloud(self):
        self.bind(nic="Mezz 3:2-a")
        self.reconcile()
        alone = self.server_round()
        assert alone <= STATEMENT_BUDGET

        for server in OTHER_SERVERS:
            self.give_profile(server)
            for nic in NICS:
                self.bind(hardware_name=server, nic=nic)
        self.reconcile()
        assert len([c for s in OTHER_SERVERS for c in self.ours_on(s)]) == 8

        assert self.server_round() == alone
