"""Version records: round trip, duplicates, updates, latest, jobs and targets."""

from __future__ import annotations

import json

import pytest

from flinkops.errors import StoreError
from flinkops.store import Store
from tests.unit.store._support import make_version


def test_version_round_trip(store: Store, location: str) -> None:
    assert store.next_version("local", "orders") == 1
    v = make_version(
        git_commit="abc123",
        git_author="Ann <ann@example.com>",
        applied_at="2026-01-02T03:04:05.000Z",
        job_id="a" * 32,
        restored_from="file:///sp/1",
        savepoint="file:///sp/2",
        outcome="applied",
        message="ok",
    )
    assert store.record_version(v) == v
    with Store(location) as again:
        assert again.version("local", "orders", 1) == v
    assert store.versions("local", "orders") == [v]
    assert store.next_version("local", "orders") == 2
    assert v.to_json() == {
        "version": 1,
        "spec_hash": "spec1",
        "applied_at": "2026-01-02T03:04:05.000Z",
        "git_commit": "abc123",
        "git_author": "Ann <ann@example.com>",
        "job_id": "a" * 32,
        "restored_from": "file:///sp/1",
        "savepoint": "file:///sp/2",
        "outcome": "applied",
        "message": "ok",
    }


def test_record_version_fills_applied_at_and_refuses_duplicates(store: Store) -> None:
    stored = store.record_version(make_version())
    assert stored.applied_at.endswith("Z") and stored.outcome == "in-progress"
    assert store.version("local", "orders", 1) == stored
    with pytest.raises(StoreError, match="already recorded"):
        store.record_version(make_version(spec_hash="other"))
    assert store.version("local", "orders", 1) == stored
    with pytest.raises(ValueError, match="outcome"):
        store.record_version(make_version(2, outcome="fine"))
    with pytest.raises(ValueError, match="JSON"):
        store.record_version(make_version(2, spec={"x": object()}))
    assert store.version("local", "orders", 2) is None


def test_update_version(store: Store) -> None:
    store.record_version(make_version())
    store.update_version(
        "local", "orders", 1, outcome="suspended", savepoint="file:///sp/9", job_id="j1"
    )
    got = store.version("local", "orders", 1)
    assert got is not None
    assert (got.outcome, got.savepoint, got.job_id) == ("suspended", "file:///sp/9", "j1")
    store.update_version("local", "orders", 1, spec={"changed": True})
    assert store.version("local", "orders", 1).spec == {"changed": True}  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="cannot update"):
        store.update_version("local", "orders", 1, version=3)
    with pytest.raises(ValueError, match="cannot update"):
        store.update_version("local", "orders", 1, colour="red")
    with pytest.raises(ValueError, match="outcome"):
        store.update_version("local", "orders", 1, outcome="bogus")
    with pytest.raises(StoreError, match="no version 7"):
        store.update_version("local", "orders", 7, outcome="failed")


def test_latest_version_jobs_and_targets(store: Store) -> None:
    assert store.latest_version("local", "orders") is None
    store.record_version(make_version(1, outcome="applied"))
    store.record_version(make_version(2, outcome="failed"))
    store.record_version(make_version(3, outcome="rolled-back"))
    store.record_version(make_version(1, job="clicks", outcome="applied"))
    store.record_version(make_version(1, target="prod", outcome="applied"))
    assert store.latest_version("local", "orders").version == 1  # type: ignore[union-attr]
    assert store.latest_version("local", "orders", outcome=None).version == 3  # type: ignore[union-attr]
    assert store.latest_version("local", "orders", outcome="failed").version == 2  # type: ignore[union-attr]
    assert [v.version for v in store.versions("local", "orders")] == [1, 2, 3]
    assert store.jobs("local") == ["clicks", "orders"]
    assert store.jobs("prod") == ["orders"]
    assert store.targets() == ["local", "prod"]
    assert store.next_version("prod", "orders") == 2


def test_spec_key_order_is_kept(store: Store) -> None:
    spec = {"z": 1, "a": {"y": 2, "b": 3}}
    store.record_version(make_version(spec=spec))
    got = store.version("local", "orders", 1)
    assert got is not None and json.dumps(got.spec) == json.dumps(spec)
