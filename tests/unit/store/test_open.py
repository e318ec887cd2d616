"""Opening a store: location forms, WAL, bad files, and migrating old stores."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from flinkops.errors import StoreError
from flinkops.store import SCHEMA_VERSION, Store
from flinkops.store._schema import MIGRATIONS
from tests.unit.store._support import write


def test_file_store_creates_parent_dirs_and_uses_wal(db_path: Path) -> None:
    Store(db_path).close()
    assert db_path.is_file()
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_location_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with Store("sqlite:///rel/a.db") as s:
        assert s.path == Path("rel/a.db")
    assert (tmp_path / "rel" / "a.db").is_file()
    with Store(f"sqlite:///{tmp_path}/abs/b.db") as s:
        assert s.path == tmp_path / "abs" / "b.db"
    assert (tmp_path / "abs" / "b.db").is_file()
    with Store(str(tmp_path / "c.db")) as s:
        s.add_event("t", None, "x", "y")
    with Store(":memory:") as s:
        assert s.path is None
        assert s.schema_version() == SCHEMA_VERSION
    with pytest.raises(StoreError, match="unsupported store location scheme 'mysql'"):
        Store("mysql://db/flinkops")


def test_not_a_database(tmp_path: Path) -> None:
    bogus = tmp_path / "store.db"
    bogus.write_text("this is not sqlite, just some text long enough " * 20)
    with pytest.raises(StoreError, match="not a flinkops store"):
        Store(bogus)


def test_close_is_idempotent(db_path: Path) -> None:
    s = Store(db_path)
    s.close()
    s.close()


def _make_v1_store(path: Path) -> None:
    """A store as the first flinkops release wrote it: only migration 1, by hand."""
    raw = sqlite3.connect(path)
    raw.execute(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY,"
        " description TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    for statement in MIGRATIONS[0].statements:
        raw.execute(statement)
    raw.execute("INSERT INTO schema_version VALUES (1, 'versions and events', 'then')")
    raw.execute(
        "INSERT INTO versions (target, job, version, spec_hash, sql_hash, config_hash, spec, sql,"
        " applied_at, outcome) VALUES ('local', 'orders', 1, 'h', 's', 'c', '{\"a\": 1}',"
        " 'SELECT 1', '2025-01-01T00:00:00.000Z', 'applied')"
    )
    raw.commit()
    raw.close()


def test_old_store_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _make_v1_store(path)
    assert SCHEMA_VERSION > 1
    with Store(path) as s:
        assert s.schema_version() == SCHEMA_VERSION
        old = s.version("local", "orders", 1)
        assert old is not None and old.spec == {"a": 1} and old.outcome == "applied"
        s.record_savepoint("local", "orders", "file:///sp", kind="stop", job_id=None, version=1)
        tid = s.begin_transition("local", "orders", "update", {})
        s.journal_step(tid, "stop", "start", {})
        with s.acquire_lock("local", holder="me"):
            pass
    with sqlite3.connect(path) as raw:
        applied = [r[0] for r in raw.execute("SELECT version FROM schema_version ORDER BY 1")]
    assert applied == [m.number for m in MIGRATIONS]


def test_newer_store_is_refused(location: str) -> None:
    write(
        location,
        "INSERT INTO schema_version VALUES (?, 'from the future', 'later')",
        (SCHEMA_VERSION + 1,),
    )
    with pytest.raises(StoreError, match="Upgrade flinkops") as info:
        Store(location)
    assert f"schema version {SCHEMA_VERSION + 1}" in str(info.value)


def test_migrations_are_numbered_in_order() -> None:
    assert [m.number for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
