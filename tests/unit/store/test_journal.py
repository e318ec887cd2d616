"""Transitions and their journal, threads sharing a store, atomic writes."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from flinkops.errors import StoreError
from flinkops.store import Store
from tests.unit.store._support import make_version


def test_journal_round_trip(store: Store) -> None:
    plan = {"action": "update", "upgradeMode": "savepoint", "from_version": 1}
    tid = store.begin_transition("local", "orders", "update", plan)
    other = store.begin_transition("local", "clicks", "create", {})
    store.journal_step(tid, "stop-with-savepoint", "start", {"job_id": "j1", "trigger": "t1"})
    store.journal_step(tid, "stop-with-savepoint", "end", {"savepoint": "file:///sp/1"})
    store.journal_step(tid, "submit", "start", {"from": "file:///sp/1"})
    store.end_transition(other, "done")

    (open_one,) = store.open_transitions("local")
    assert open_one == store.transition(tid)
    assert (open_one.job, open_one.action, open_one.plan, open_one.status) == (
        "orders",
        "update",
        plan,
        "running",
    )
    assert open_one.pid == os.getpid() and open_one.ended_at is None
    assert [(s.seq, s.step, s.phase) for s in open_one.steps] == [
        (1, "stop-with-savepoint", "start"),
        (2, "stop-with-savepoint", "end"),
        (3, "submit", "start"),
    ]
    assert open_one.data("stop-with-savepoint") == {
        "job_id": "j1",
        "trigger": "t1",
        "savepoint": "file:///sp/1",
    }
    assert open_one.last("stop-with-savepoint", "end").data == {"savepoint": "file:///sp/1"}  # type: ignore[union-attr]
    assert open_one.last("wait-healthy") is None
    assert open_one.pending() == ["submit"]
    assert json.loads(json.dumps(open_one.to_json()))["steps"][2]["data"] == {
        "from": "file:///sp/1"
    }

    store.journal_step(tid, "submit", "failed", {"error": "boom"})
    store.end_transition(tid, "rolled-back")
    assert store.open_transitions("local") == []
    done = store.transition(tid)
    assert done.status == "rolled-back" and done.ended_at is not None and done.pending() == []
    assert [t.id for t in store.transitions("local")] == [other, tid]
    assert [t.id for t in store.transitions("local", "orders")] == [tid]
    with pytest.raises(StoreError, match="already ended"):
        store.journal_step(tid, "late", "start", {})
    with pytest.raises(StoreError, match="already ended"):
        store.end_transition(tid, "done")
    with pytest.raises(StoreError, match="no transition 999"):
        store.transition(999)
    with pytest.raises(ValueError, match="journal phase"):
        store.journal_step(other, "x", "middle", {})
    with pytest.raises(ValueError, match="transition status"):
        store.end_transition(other, "running")


def test_threads_share_one_store(store: Store) -> None:
    def work(n: int) -> None:
        tid = store.begin_transition("local", f"job{n}", "create", {"n": n})
        for i in range(10):
            with store.atomic():
                store.journal_step(tid, f"step{i}", "start", {"i": i})
                store.add_event("local", f"job{n}", f"step{i}", "started")
                store.journal_step(tid, f"step{i}", "end", {"i": i})
        store.end_transition(tid, "done")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(work, range(8)))
    assert store.open_transitions("local") == []
    assert len(store.events("local", limit=None)) == 80
    for t in store.transitions("local"):
        assert [(s.seq, s.step, s.phase) for s in t.steps] == [
            (2 * i + k + 1, f"step{i}", phase)
            for i in range(10)
            for k, phase in enumerate(("start", "end"))
        ]


def test_transitions_newest_first(store: Store) -> None:
    ids = [store.begin_transition("local", f"job{i}", "create", {}) for i in range(3)]
    assert [t.id for t in store.transitions("local")] == ids[::-1]
    assert [t.id for t in store.transitions("local", limit=1)] == [ids[-1]]


def test_atomic_is_all_or_nothing(store: Store) -> None:
    store.record_version(make_version())
    with pytest.raises(RuntimeError), store.atomic():
        store.update_version("local", "orders", 1, outcome="suspended", savepoint="file:///sp")
        store.record_savepoint(
            "local", "orders", "file:///sp", kind="suspend", job_id="j", version=1
        )
        store.add_event("local", "orders", "suspend", "suspended")
        raise RuntimeError("in the middle")
    assert store.version("local", "orders", 1).outcome == "in-progress"  # type: ignore[union-attr]
    assert store.savepoints("local", "orders") == []
    assert store.events("local") == []
    with store.atomic():
        store.update_version("local", "orders", 1, outcome="suspended")
        store.add_event("local", "orders", "suspend", "suspended")
    assert store.version("local", "orders", 1).outcome == "suspended"  # type: ignore[union-attr]
    assert len(store.events("local")) == 1
