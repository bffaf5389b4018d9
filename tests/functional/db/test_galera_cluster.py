"""The work queue on a real 3-node MariaDB Galera cluster (``tests/galera.py``): replication,
a node leaving and rejoining, and the claim race across nodes, where what stops two claimers is
not an InnoDB row lock (each node locks only its own rows) but Galera's certification, which
fails the later commit with error 1213; oslo.db turns that into ``DBDeadlock`` and
``claim_work`` counts it as a lost race.

neutron-lib has one global engine facade. To give claimers different nodes, the facade's
factory here hands out node ``i``'s engine to the thread bound to node ``i`` (``bound(i)``);
each claimer runs in its own thread with its own neutron-lib context.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from neutron_lib import context as n_context
from neutron_lib.db import api as db_api
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade, engines, session
from sqlalchemy import orm

from networking_oneview.db import models
from networking_oneview.db import work as work_db
from tests.galera import GaleraCluster, galera_cluster

pytestmark = pytest.mark.galera

T0 = datetime.datetime(2026, 5, 4, 12, 0, 0)
LEASE = 600.0


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


class PerNodeFactory(enginefacade._TestTransactionFactory):
    """neutron-lib's facade factory, serving the engine of the node the current thread is bound
    to (node 0 when unbound)."""

    def __init__(self, node_engines: list[sa.Engine], from_factory) -> None:
        self._local = threading.local()
        self._engines = node_engines
        self._makers = [session.get_maker(engine) for engine in node_engines]
        super().__init__(node_engines[0], self._makers[0], False, from_factory=from_factory)

    def _node(self) -> int:
        return getattr(self._local, "node", 0)

    def _engine(self) -> sa.Engine:
        return self._engines[self._node()]

    def _maker(self):
        return self._makers[self._node()]

    def _ignore(self, value) -> None:  # the base class assigns node 0's; these dispatch instead
        pass

    _writer_engine = property(_engine, _ignore)
    _reader_engine = property(_engine, _ignore)
    _writer_maker = property(_maker, _ignore)
    _reader_maker = property(_maker, _ignore)

    @contextlib.contextmanager
    def bound(self, node: int) -> Iterator[None]:
        previous = getattr(self._local, "node", None)
        self._local.node = node
        try:
            yield
        finally:
            if previous is None:
                del self._local.node
            else:
                self._local.node = previous


@pytest.fixture(scope="module")
def cluster() -> Iterator[GaleraCluster]:
    """The cluster, with our alembic branch applied the way operators apply it
    (``neutron-db-manage --subproject networking-oneview upgrade heads``) through node 0."""
    with galera_cluster(3) as running:
        neutron_db_manage = Path(sys.executable).parent / "neutron-db-manage"
        result = subprocess.run(
            [
                str(neutron_db_manage),
                "--database-connection",
                running.url(0),
                "--subproject",
                "networking-oneview",
                "upgrade",
                "heads",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, (
            f"neutron-db-manage failed:\n{result.stdout}\n{result.stderr}"
        )
        yield running


@pytest.fixture
def nodes(cluster: GaleraCluster) -> Iterator[PerNodeFactory]:
    """neutron-lib's facade pointed at the cluster (per thread, see ``PerNodeFactory``); our
    tables emptied afterwards."""
    node_engines = [engines.create_engine(url, max_pool_size=10) for url in cluster.urls]
    manager = db_api.get_context_manager()
    restore = manager._root_factory
    factory = PerNodeFactory(node_engines, from_factory=restore)
    manager._root_factory = factory
    try:
        yield factory
    finally:
        manager._root_factory = restore
        with node_engines[0].begin() as conn:
            for table in models.TABLES:
                conn.execute(table.delete())
        for engine in node_engines:
            engine.dispose()


def _context() -> n_context.Context:
    return n_context.Context(
        is_admin=True, is_service_role=True, has_global_access=True, can_set_project_id=True
    )


def _in_thread(node: int, nodes: PerNodeFactory, fn):
    """``fn()`` in a new thread bound to ``node``; its result, or its exception re-raised."""
    out: dict[str, object] = {}

    def run() -> None:
        try:
            with nodes.bound(node):
                out["result"] = fn()
        except BaseException as exc:  # re-raised below
            out["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the thread did not finish"
    if "error" in out:
        raise out["error"]  # type: ignore[misc]
    return out.get("result")


def test_the_cluster_has_three_synced_nodes_with_our_schema(cluster):
    for index in range(3):
        status = cluster.nodes[index].status()
        assert status["wsrep_cluster_size"] == "3"
        assert status["wsrep_local_state_comment"] == "Synced"
        tables = {row[0] for row in cluster.query(index, "SHOW TABLES")}
        assert set(models.TABLE_NAMES) <= tables


def test_a_row_written_on_node_1_is_read_on_node_3(cluster, nodes):
    _in_thread(0, nodes, lambda: work_db.record_work(_context(), "port", "p-1", now=T0))

    rows = cluster.query(2, "SELECT kind, object_id FROM oneview_pending_work")
    assert rows == [("port", "p-1")]
    assert _in_thread(2, nodes, lambda: work_db.count_pending(_context())) == 1


def test_a_certification_conflict_surfaces_as_db_deadlock(cluster, nodes):
    """Both nodes update the same row in open transactions, neither blocks the other (no
    shared row locks); the second commit fails certification and oslo.db says ``DBDeadlock``."""
    _in_thread(0, nodes, lambda: work_db.record_work(_context(), "port", "p", now=T0))
    cluster.query(1, "SELECT 1")
    on_node_1 = nodes._engines[1].connect()
    try:
        on_node_1.begin()
        on_node_1.execute(sa.text("UPDATE oneview_pending_work SET lease_holder = 'b'"))
        with nodes._engines[0].begin() as on_node_0:
            on_node_0.execute(sa.text("UPDATE oneview_pending_work SET lease_holder = 'a'"))
        with pytest.raises(db_exc.DBDeadlock):
            on_node_1.commit()
    finally:
        on_node_1.close()
    assert cluster.query(1, "SELECT lease_holder FROM oneview_pending_work") == [("a",)]


def test_claim_work_counts_a_failed_certification_as_a_lost_race(cluster, nodes, caplog):
    """Claimer b on node 2 has claimed the object and is about to commit when claimer a on
    node 1 claims it too and commits first: b's commit fails certification, and claim_work
    returns nothing for b instead of raising; the object is a's alone."""
    _in_thread(0, nodes, lambda: work_db.record_work(_context(), "network", "n", now=T0))
    cluster.query(1, "SELECT 1")
    a_claims: list[work_db.Work] = []
    armed = [True]

    def before_b_commits(sess: orm.Session) -> None:
        if armed and nodes._node() == 1:
            armed.clear()  # once: the claim below commits on node 0 through its own thread
            a_claims.extend(
                _in_thread(0, nodes, lambda: work_db.claim_work(_context(), "a", LEASE, 5, at(1)))
            )

    sa.event.listen(orm.Session, "before_commit", before_b_commits)
    try:
        with caplog.at_level(logging.DEBUG, logger=work_db.__name__):
            b_claims = _in_thread(
                1, nodes, lambda: work_db.claim_work(_context(), "b", LEASE, 5, at(1))
            )
    finally:
        sa.event.remove(orm.Session, "before_commit", before_b_commits)

    assert not armed, "b never reached its commit"
    assert [w.object_id for w in a_claims] == ["n"]
    assert b_claims == []
    assert "Lost the claim race for network n" in caplog.text
    holders = cluster.query(2, "SELECT DISTINCT lease_holder FROM oneview_pending_work")
    assert holders == [("a",)]


def test_claimers_on_different_nodes_never_share_an_object(cluster, nodes, caplog):
    """Three claimers, one per node, race for 30 objects (3 rows each): every object is worked
    exactly once, whatever wins each race (a row lock on one node, or certification)."""
    objects = [f"port-{i}" for i in range(30)]

    def record() -> None:
        ctx = _context()
        for object_id in objects:
            for _ in range(3):
                work_db.record_work(ctx, "port", object_id, now=T0)

    _in_thread(0, nodes, record)
    for index in range(3):
        cluster.query(index, "SELECT 1")

    claimed: Counter[str] = Counter()
    by_holder: Counter[str] = Counter()
    errors: list[BaseException] = []
    start = threading.Barrier(3)
    lock = threading.Lock()

    def worker(node: int) -> None:
        holder = f"worker-{node}"
        try:
            with nodes.bound(node):
                ctx = _context()
                start.wait()
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    works = work_db.claim_work(ctx, holder, LEASE, 3, now=at(1))
                    if not works:
                        if work_db.count_pending(ctx) == 0:
                            return
                        time.sleep(0.01)  # lost races, or another node's deletes not yet applied
                        continue
                    for work in works:
                        with lock:
                            claimed[work.object_id] += 1
                            by_holder[holder] += 1
                        assert work_db.complete_work(ctx, work, holder) == len(work.row_ids)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(node,)) for node in range(3)]
    with caplog.at_level(logging.DEBUG, logger=work_db.__name__):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
    lost = caplog.text.count("Lost the claim race")  # certification (or InnoDB deadlock)
    raced = caplog.text.count("raced with another claimer")  # compare-and-swap came up short
    print(f"claims by holder {dict(by_holder)}; lost races: {lost} DBDeadlock, {raced} CAS")

    assert errors == []
    assert sorted(claimed) == sorted(objects)
    assert set(claimed.values()) == {1}
    assert len(by_holder) >= 2, "one claimer took everything: nothing raced"
    for index in range(3):
        assert cluster.query(index, "SELECT COUNT(*) FROM oneview_pending_work") == [(0,)]


def test_a_node_leaves_and_rejoins_while_the_cluster_stays_writable(cluster, nodes):
    cluster.stop_node(1)
    try:
        assert cluster.cluster_size(0) == 2 and cluster.cluster_size(2) == 2
        _in_thread(0, nodes, lambda: work_db.record_work(_context(), "lig", "while-away", now=T0))
        cluster.query(2, "SELECT 1")  # node 3 has applied it
        [work] = _in_thread(2, nodes, lambda: work_db.claim_work(_context(), "c", LEASE, 5, at(1)))
        assert work.object_id == "while-away"
    finally:
        cluster.start_node(1)

    assert [cluster.cluster_size(i) for i in range(3)] == [3, 3, 3]
    # The rejoined node caught up with what was written while it was away (IST).
    rows = cluster.query(1, "SELECT object_id, lease_holder FROM oneview_pending_work")
    assert rows == [("while-away", "c")]


def test_a_crashed_node_is_evicted_and_catches_up_when_it_comes_back(cluster, nodes):
    """SIGKILL, not a clean shutdown: the survivors evict node 3 and keep accepting claims;
    restarted, it recovers its position from InnoDB and catches up."""
    _in_thread(0, nodes, lambda: work_db.record_work(_context(), "server", "before", now=T0))
    cluster.kill_node(2)
    try:
        assert cluster.cluster_size(0) == 2 and cluster.cluster_size(1) == 2
        _in_thread(1, nodes, lambda: work_db.record_work(_context(), "server", "after", now=T0))
        cluster.query(0, "SELECT 1")  # node 1 has applied it
        claimed = _in_thread(0, nodes, lambda: work_db.claim_work(_context(), "d", LEASE, 5, at(1)))
        assert sorted(w.object_id for w in claimed) == ["after", "before"]
    finally:
        cluster.start_node(2)

    assert [cluster.cluster_size(i) for i in range(3)] == [3, 3, 3]
    rows = cluster.query(2, "SELECT DISTINCT object_id, lease_holder FROM oneview_pending_work")
    assert sorted(rows) == [("after", "d"), ("before", "d")]
