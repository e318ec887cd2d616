"""Savepoint and event records: round trips, ordering, filters."""

from __future__ import annotations

import pytest

from flinkops.store import Store


def test_savepoint_round_trip(store: Store) -> None:
    assert store.latest_savepoint("local", "orders") is None
    store.record_savepoint("local", "orders", "file:///sp/1", kind="stop", job_id="j1", version=1)
    store.record_savepoint(
        "local", "orders", "file:///sp/2", kind="manual", job_id="j2", version=2,
        flink_version="2.3.0",
    )  # fmt: skip
    store.record_savepoint(
        "local", "orders", "file:///ck/3", kind="checkpoint", job_id=None, version=None
    )
    store.record_savepoint("local", "orders", "file:///sp/1", kind="suspend", job_id="x", version=9)
    store.record_savepoint("local", "other", "file:///sp/4", kind="suspend", job_id="j4", version=1)
    found = store.savepoints("local", "orders")
    assert [s.location for s in found] == ["file:///ck/3", "file:///sp/2", "file:///sp/1"]
    first = found[-1]
    assert (first.kind, first.job_id, first.version) == ("stop", "j1", 1)  # re-record: no-op
    assert first.to_json() == {
        "location": "file:///sp/1",
        "kind": "stop",
        "job_id": "j1",
        "version": 1,
        "created_at": first.created_at,
        "flink_version": None,  # not recorded: unknown
    }
    assert found[1].flink_version == "2.3.0"  # the Flink that wrote it
    assert store.job_ids("local") == {"j1": "orders", "j2": "orders", "j4": "other"}
    assert store.latest_savepoint("local", "orders").location == "file:///ck/3"  # type: ignore[union-attr]
    latest_real = store.latest_savepoint("local", "orders", kinds=["stop", "manual", "suspend"])
    assert latest_real is not None and latest_real.location == "file:///sp/2"
    with pytest.raises(ValueError, match="savepoint kind"):
        store.record_savepoint("local", "orders", "x", kind="nope", job_id=None, version=None)


def test_event_round_trip(store: Store) -> None:
    store.add_event("local", None, "apply", "apply started")
    store.add_event("local", "orders", "stop", "stopping", details={"trigger": "t1"})
    store.add_event("local", "orders", "submit", "failed", level="error", details={"n": [1, 2]})
    store.add_event("local", "clicks", "submit", "submitted")
    store.add_event("prod", "orders", "submit", "elsewhere")
    every = store.events("local")
    assert [e.message for e in every] == ["submitted", "failed", "stopping", "apply started"]
    orders = store.events("local", "orders")
    assert [e.step for e in orders] == ["submit", "stop"]
    failed = orders[0]
    assert failed.to_json() == {
        "id": failed.id,
        "at": failed.at,
        "target": "local",
        "job": "orders",
        "level": "error",
        "step": "submit",
        "message": "failed",
        "details": {"n": [1, 2]},
    }
    assert every[-1].job is None and every[-1].details == {}
    assert [e.message for e in store.events("local", limit=2)] == ["submitted", "failed"]
    assert [e.message for e in store.events("local", after=orders[1].id)] == [
        "submitted",
        "failed",
    ]
    with pytest.raises(ValueError, match="event level"):
        store.add_event("local", "orders", "x", "y", level="loud")
