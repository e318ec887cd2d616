"""The history table: appended in order, never changed, the newest placing row per job
in one read, and a store written before it gets one row per version it held."""

from __future__ import annotations

import pytest

from flinkops.store import HistoryRecord, Outcome, Store
from tests.unit.store._support import make_version, write


def _row(version: int, action: str, outcome: Outcome, **more: object) -> HistoryRecord:
    return HistoryRecord("local", "orders", version, action, outcome, **more)  # type: ignore[arg-type]


def test_rows_are_appended_in_order_and_read_back(store: Store, location: str) -> None:
    first = store.append_history(
        _row(1, "create", Outcome.APPLIED, git_commit="c1", git_author="Ann <a@x>", job_id="j1")
    )
    assert first.seq == 1 and first.at.endswith("Z")
    store.append_history(_row(2, "update", Outcome.ROLLED_BACK, job_id="j2"))
    store.append_history(_row(1, "rollback", Outcome.APPLIED, job_id="j3", restored_from="sp"))
    store.append_history(_row(1, "rollback", Outcome.APPLIED, job_id="j4", restored_from="sp2"))
    store.append_history(HistoryRecord("local", "other", 1, "create", Outcome.APPLIED))
    with Store(location) as again:
        rows = again.history("local", "orders")
    assert [(h.seq, h.version, h.action, h.job_id) for h in rows] == [
        (1, 1, "create", "j1"),
        (2, 2, "update", "j2"),
        (3, 1, "rollback", "j3"),
        (4, 1, "rollback", "j4"),
    ]
    assert rows[0] == first
    assert rows[0].to_json()["git_author"] == "Ann <a@x>"
    with pytest.raises(ValueError, match="outcome"):
        store.append_history(_row(3, "update", "fine"))  # type: ignore[arg-type]


def test_last_placed_skips_failed_attempts(store: Store) -> None:
    store.append_history(_row(1, "create", Outcome.APPLIED, git_commit="c1"))
    store.append_history(_row(1, "suspend", Outcome.SUSPENDED, git_commit="c2"))
    store.append_history(_row(2, "resume", Outcome.FAILED, git_commit="c3"))
    store.append_history(HistoryRecord("local", "other", 4, "update", Outcome.APPLIED))
    store.append_history(HistoryRecord("prod", "orders", 9, "create", Outcome.APPLIED))
    placed = store.last_placed("local")
    assert sorted(placed) == ["orders", "other"]
    assert (placed["orders"].action, placed["orders"].git_commit) == ("suspend", "c2")
    assert placed["other"].version == 4
    assert store.last_placed("nowhere") == {}


def test_a_store_from_before_history_gets_a_row_per_version(location: str) -> None:
    with Store(location) as s:  # a store as migration 6 left it: versions, no history
        s.record_version(make_version(1, git_commit="c1", outcome="applied", job_id="j1"))
        s.record_version(make_version(2, git_commit="c2", outcome="suspended", savepoint="sp"))
    write(location, "DROP TABLE history")
    write(location, "ALTER TABLE savepoints DROP COLUMN flink_version")  # migration 8's
    write(location, "ALTER TABLE versions DROP COLUMN cluster_url")  # migration 9's
    write(location, "ALTER TABLE versions DROP COLUMN flink_version")
    write(location, "DROP TABLE compiled_plans")  # migration 10's
    write(location, "DELETE FROM schema_version WHERE version >= 7")
    with Store(location) as s:
        rows = s.history("local", "orders")
        assert [(h.seq, h.version, h.action, h.outcome, h.git_commit) for h in rows] == [
            (1, 1, "recorded", "applied", "c1"),
            (2, 2, "recorded", "suspended", "c2"),
        ]
        assert rows[1].savepoint == "sp" and rows[0].job_id == "j1"
        assert s.append_history(_row(2, "resume", Outcome.APPLIED)).seq == 3
