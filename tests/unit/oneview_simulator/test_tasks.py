"""The task engine: hooks, continuations (Later), and the task history."""

from __future__ import annotations

import time

from oneview_simulator.errors import ApplianceError
from oneview_simulator.store import ResourceStore
from oneview_simulator.tasks import Later, Origin, ResourceTasks, TaskEngine


def _wait_final(store: ResourceStore, uri: str) -> dict:
    deadline = time.monotonic() + 5
    while (task := store.get(uri))["taskState"] not in ("Completed", "Error"):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return task


def test_hooks_run_at_start_and_end_and_history_records_the_task():
    store, calls = ResourceStore(), []
    engine = TaskEngine(store)
    task = engine.submit(
        "Update",
        {"uri": "/rest/things/1", "name": "thing"},
        lambda: "/rest/things/1",
        origin=Origin("PUT", "/rest/things/1"),
        on_start=lambda uri: calls.append(("start", uri)),
        on_end=lambda uri: calls.append(("end", uri)),
    )
    assert task["taskState"] == "Completed"
    assert calls == [("start", task["uri"]), ("end", task["uri"])]
    [entry] = engine.history()
    assert entry["method"] == "PUT" and entry["path"] == "/rest/things/1"
    assert entry["resourceUri"] == "/rest/things/1" and entry["state"] == "Completed"
    assert entry["started"] <= entry["ended"]


def test_end_hook_runs_when_the_action_fails():
    store, ended = ResourceStore(), []

    def fail():
        raise ApplianceError(409, "NOPE", "no")

    task = TaskEngine(store).submit("Update", None, fail, on_end=ended.append)
    assert task["taskState"] == "Error" and ended == [task["uri"]]


def test_later_keeps_the_task_running_until_its_next_step():
    store = ResourceStore()
    engine = TaskEngine(store)
    steps = []

    def first():
        steps.append("first")
        return Later(0.2, lambda: steps.append("second") or "/rest/things/2", "waiting")

    task = engine.submit("Power off", None, first)
    assert task["taskState"] == "Running" and task["taskStatus"] == "waiting"
    assert engine.history()[0]["ended"] is None
    done = _wait_final(store, task["uri"])
    assert steps == ["first", "second"]
    assert done["associatedResource"]["resourceUri"] == "/rest/things/2"
    assert engine.history()[0]["state"] == "Completed"


def test_clear_history():
    engine = TaskEngine(ResourceStore())
    engine.submit("Create", None, lambda: None)
    engine.clear_history()
    assert engine.history() == []


def test_resource_tasks_report_the_oldest_running_task():
    busy = ResourceTasks()
    busy.begin("/r/1", "/t/1")
    busy.begin("/r/1", "/t/2")
    assert busy.current("/r/1") == "/t/1"
    busy.end("/r/1", "/t/1")
    assert busy.current("/r/1") == "/t/2"
    busy.end("/r/1", "/t/2")
    assert busy.current("/r/1") is None
