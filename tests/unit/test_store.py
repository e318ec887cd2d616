"""The version store: round trips, migrations, locks across processes, crash safety.

Every test taking ``location`` (or ``store``) runs against both backends: an SQLite
file and a schema of the session's real PostgreSQL server (marked ``integration``:
it needs the server binaries, see tests/pgserver.py).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from flinkops.errors import LockHeld, StoreError
from flinkops.store import (
    CRASH_ENV,
    SCHEMA_VERSION,
    Store,
    VersionRecord,
    default_holder,
)
from flinkops.store._schema import MIGRATIONS

FORK = multiprocessing.get_context("fork")


def make_version(version: int = 1, **changes: Any) -> VersionRecord:
    values: dict[str, Any] = {
        "target": "local",
        "job": "orders",
        "version": version,
        "spec_hash": f"spec{version}",
        "sql_hash": f"sql{version}",
        "config_hash": f"conf{version}",
        "spec": {"metadata": {"name": "orders"}, "spec": {"parallelism": version}},
        "sql": f"INSERT INTO sink SELECT {version} FROM src",
    }
    values.update(changes)
    return VersionRecord(**values)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "store.db"


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)],
)
def location(request: pytest.FixtureRequest, db_path: Path) -> str:
    """The store location of one backend: an SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return str(db_path)
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(location: str):
    with Store(location) as s:
        yield s


@pytest.fixture
def sqlite_store(db_path: Path):
    with Store(db_path) as s:
        yield s


def _is_pg(location: str) -> bool:
    return location.startswith("postgresql://")


def _write(location: str, sql: str, params: tuple[Any, ...] = ()) -> None:
    """One statement through the store's own connection (``?`` placeholders, any backend)."""
    with Store(location) as s, s.db.write("test") as db:
        db.execute(sql, params)


def _raw(location: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` read WITHOUT opening a Store (which would migrate)."""
    if not _is_pg(location):
        with sqlite3.connect(location) as raw:
            return [tuple(r) for r in raw.execute(sql)]
    import psycopg

    url, _, schema = location.partition("?schema=")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"SET search_path TO {schema}")
        return [tuple(r) for r in conn.execute(sql)]


def _check_integrity(s: Store) -> None:
    if s.backend == "sqlite":
        assert s.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# -- opening ----------------------------------------------------------------------


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


# -- versions -------------------------------------------------------------------------


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


# -- savepoints and events ----------------------------------------------------------


def test_savepoint_round_trip(store: Store) -> None:
    assert store.latest_savepoint("local", "orders") is None
    store.record_savepoint("local", "orders", "file:///sp/1", kind="stop", job_id="j1", version=1)
    store.record_savepoint("local", "orders", "file:///sp/2", kind="manual", job_id="j2", version=2)
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
    }
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


# -- journal -------------------------------------------------------------------------------


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


def test_spec_key_order_is_kept(store: Store) -> None:
    spec = {"z": 1, "a": {"y": 2, "b": 3}}
    store.record_version(make_version(spec=spec))
    got = store.version("local", "orders", 1)
    assert got is not None and json.dumps(got.spec) == json.dumps(spec)


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


# -- migrations --------------------------------------------------------------------------


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
    _write(
        location,
        "INSERT INTO schema_version VALUES (?, 'from the future', 'later')",
        (SCHEMA_VERSION + 1,),
    )
    with pytest.raises(StoreError, match="Upgrade flinkops") as info:
        Store(location)
    assert f"schema version {SCHEMA_VERSION + 1}" in str(info.value)


def test_migrations_are_numbered_in_order() -> None:
    assert [m.number for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


# -- locks ---------------------------------------------------------------------------------


def _hold_lock(path: str, target: str, holder: str, held: Any, release: Any) -> None:
    with Store(path) as s, s.acquire_lock(target, holder=holder):
        held.set()
        release.wait(10)


def test_lock_held_by_another_process(location: str) -> None:
    Store(location).close()
    held, release = FORK.Event(), FORK.Event()
    child = FORK.Process(
        target=_hold_lock, args=(location, "local", "ann@box pid 1", held, release)
    )
    child.start()
    try:
        assert held.wait(10)
        with Store(location) as s:
            with pytest.raises(LockHeld) as info:
                s.acquire_lock("local", holder="bob")
            message = str(info.value)
            assert "ann@box pid 1" in message and f"pid {child.pid}" in message
            assert "since 20" in message
            assert info.value.holder.pid == child.pid  # type: ignore[attr-defined]
            assert s.lock_holder("local").holder == "ann@box pid 1"  # type: ignore[union-attr]
            with s.acquire_lock("prod", holder="bob"):  # other targets are independent
                pass
            release.set()
            child.join(10)
            assert s.lock_holder("local") is None
            with s.acquire_lock("local", holder="bob") as lock:
                assert lock.took_over is None
                assert s.lock_holder("local").holder == "bob"  # type: ignore[union-attr]
            assert s.lock_holder("local") is None
    finally:
        release.set()
        child.join(10)


def _insert_lock(
    location: str | Path,
    pid: int,
    *,
    host: str | None = None,
    start: str | None = None,
    target: str = "local",
) -> None:
    """A lock row as a holder that is gone left it (no session holds it on PostgreSQL)."""
    _write(
        str(location),
        "INSERT INTO locks (target, holder, pid, pid_start, hostname, since, token, ci_run)"
        " VALUES (?, 'old@box', ?, ?, ?, '2026-01-01T00:00:00.000Z', 'tok', NULL)",
        (target, pid, start, host or socket.gethostname()),
    )


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_stale_lock_of_dead_pid_is_taken_over(store: Store, location: str) -> None:
    _insert_lock(location, _dead_pid())
    with store.acquire_lock("local", holder="new") as lock:
        assert lock.took_over is not None and lock.took_over.holder == "old@box"
        assert store.lock_holder("local").holder == "new"  # type: ignore[union-attr]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_zombie_and_reused_pids_count_as_dead(sqlite_store: Store, db_path: Path) -> None:
    store = sqlite_store
    zombie = subprocess.Popen(["true"])
    try:
        deadline = time.monotonic() + 5
        while Path(f"/proc/{zombie.pid}/stat").read_text().split(")")[1].split()[0] != "Z":
            assert time.monotonic() < deadline
            time.sleep(0.01)
        _insert_lock(db_path, zombie.pid)
        with store.acquire_lock("local", holder="new") as lock:
            assert lock.took_over is not None and lock.took_over.pid == zombie.pid
    finally:
        zombie.wait()
    _insert_lock(db_path, os.getpid(), start="1")  # our pid, but another process's start time
    with store.acquire_lock("local", holder="new") as lock:
        assert lock.took_over is not None


def test_lock_on_another_host_is_never_taken_over(sqlite_store: Store, db_path: Path) -> None:
    store = sqlite_store  # PostgreSQL knows whether any holder's session is alive
    _insert_lock(db_path, _dead_pid(), host="elsewhere.example")
    with pytest.raises(LockHeld, match="another host") as info:
        store.acquire_lock("local", holder="new")
    assert "old@box" in str(info.value) and "DELETE FROM locks" in str(info.value)
    assert store.break_lock("local").hostname == "elsewhere.example"  # type: ignore[union-attr]
    with store.acquire_lock("local", holder="new"):
        pass


def test_live_lock_in_same_process_is_held(store: Store, location: str) -> None:
    with store.acquire_lock("local", holder=default_holder()) as lock:
        assert lock.info.holder.endswith(f"pid {os.getpid()}")
        with Store(location) as other, pytest.raises(LockHeld):
            other.acquire_lock("local", holder="x")
        with pytest.raises(LockHeld):  # nor twice by the same Store
            store.acquire_lock("local", holder="again")
        store.break_lock("local")
        assert lock.release() is False  # no longer ours
    s = Store(location)
    s.acquire_lock("local", holder="closing")
    s.close()  # close releases what it holds
    assert store.lock_holder("local") is None


def _race(path: str, target: str, go: Any, results: Any, done: Any) -> None:
    with Store(path) as s:
        go.wait(10)
        try:
            lock = s.acquire_lock(target, holder=f"racer {os.getpid()}")
        except LockHeld:
            results.put("held")
            return
        results.put("won")
        done.wait(10)
        lock.release()


@pytest.mark.parametrize("stale", [False, True], ids=["free", "stale"])
def test_racing_processes_exactly_one_wins(location: str, stale: bool) -> None:
    Store(location).close()
    for round_ in range(3):
        target = f"t{round_}"
        if stale:
            _insert_lock(location, _dead_pid(), target=target)
        go, done, results = FORK.Event(), FORK.Event(), FORK.Queue()
        racers = [
            FORK.Process(target=_race, args=(location, target, go, results, done)) for _ in range(4)
        ]
        for p in racers:
            p.start()
        try:
            time.sleep(0.1)
            go.set()
            outcomes = sorted(results.get(timeout=15) for _ in racers)
            assert outcomes == ["held", "held", "held", "won"]
        finally:
            done.set()
            for p in racers:
                p.join(10)
        assert all(p.exitcode == 0 for p in racers)


# -- crash safety ------------------------------------------------------------------------


def _run_child(code: str, db: str | Path, crash_at: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    if crash_at is not None:
        env[CRASH_ENV] = crash_at
    prelude = "from flinkops.store import Store, VersionRecord\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code), str(db)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


MULTI_ROW_WRITE = """
    import sys
    s = Store(sys.argv[1])
    v = VersionRecord("local", "orders", 1, "h", "s", "c", {"a": 1}, "SELECT 1")
    tid = s.begin_transition("local", "orders", "create", {})
    with s.atomic():  # a journal step and the version it records commit together
        s.journal_step(tid, "record", "end", {"version": 1})
        s.record_version(v)
        s.record_savepoint("local", "orders", "file:///sp/1", kind="stop", job_id="j",
                           version=1)
        s.add_event("local", "orders", "record", "recorded")
        s.update_version("local", "orders", 1, outcome="applied")
    print("finished")
"""


@pytest.mark.parametrize(
    ("crash_at", "visible"),
    [
        ("record_version:before-commit", False),
        ("record_savepoint:before-commit", False),
        ("add_event:*", False),
        ("atomic:before-commit", False),
        ("atomic:after-commit", True),
    ],
)
def test_kill_mid_write_leaves_none_or_all(location: str, crash_at: str, visible: bool) -> None:
    Store(location).close()
    child = _run_child(MULTI_ROW_WRITE, location, crash_at)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert "finished" not in child.stdout
    with Store(location) as s:
        _check_integrity(s)
        rows = (
            s.version("local", "orders", 1),
            s.savepoints("local", "orders"),
            s.events("local"),
            s.transitions("local")[0].steps,
        )
        if visible:
            assert rows[0] is not None and rows[0].outcome == "applied"
            assert len(rows[1]) == 1 and len(rows[2]) == 1 and len(rows[3]) == 1
        else:
            assert rows == (None, [], [], ())
        s.add_event("local", "orders", "after", "the store still takes writes")


def test_without_crash_the_child_writes_everything(location: str) -> None:
    child = _run_child(MULTI_ROW_WRITE, location, None)
    assert child.returncode == 0, child.stderr
    with Store(location) as s:
        assert s.version("local", "orders", 1).outcome == "applied"  # type: ignore[union-attr]


def test_kill_mid_migration(location: str) -> None:
    child = _run_child("import sys; Store(sys.argv[1])", location, "migrate:2:before-commit")
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert _raw(location, "SELECT version FROM schema_version") == [(1,)]
    with pytest.raises(Exception, match="savepoints"):  # no such table / does not exist
        _raw(location, "SELECT * FROM savepoints")  # migration 2 left nothing behind
    with Store(location) as s:
        assert s.schema_version() == SCHEMA_VERSION


def test_journal_steps_before_a_kill_survive(location: str) -> None:
    code = """
        import sys
        s = Store(sys.argv[1])
        lock = s.acquire_lock("local", holder="killed apply")
        tid = s.begin_transition("local", "orders", "update", {"to": 2})
        s.journal_step(tid, "stop-with-savepoint", "start", {"trigger": "t1"})
        s.journal_step(tid, "stop-with-savepoint", "end", {"savepoint": "file:///sp/1"})
        s.journal_step(tid, "submit", "start", {"from": "file:///sp/1"})
        s.journal_step(tid, "submit", "end", {"job_id": "never written"})
    """
    child = _run_child(code, location, "journal_step:submit:end:before-commit")
    assert child.returncode == -signal.SIGKILL, child.stderr
    with Store(location) as s:
        (left,) = s.open_transitions("local")
        assert [(e.step, e.phase) for e in left.steps] == [
            ("stop-with-savepoint", "start"),
            ("stop-with-savepoint", "end"),
            ("submit", "start"),
        ]
        assert left.data("stop-with-savepoint")["savepoint"] == "file:///sp/1"
        assert left.pending() == ["submit"]
        with s.acquire_lock("local", holder="next apply") as lock:  # the killed one is dead
            assert lock.took_over is not None and lock.took_over.holder == "killed apply"


def test_random_sigkill_during_writes(location: str) -> None:
    code = """
        import os, sys
        s = Store(sys.argv[1])
        for i in range(100000):
            with s.atomic():
                s.add_event("local", "orders", "a", str(i), details={"batch": i})
                s.record_savepoint("local", "orders", f"sp/{os.getpid()}/{i}", kind="manual",
                                   job_id=None, version=i)
                s.add_event("local", "orders", "b", str(i), details={"batch": i})
    """
    Store(location).close()
    rng = random.Random(7)
    for _ in range(3):
        env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
        prelude = "from flinkops.store import Store\n"
        child = subprocess.Popen(
            [sys.executable, "-c", prelude + textwrap.dedent(code), location], env=env
        )
        try:
            with Store(location) as s:
                before = len(s.events("local", limit=10**9))
                deadline = time.monotonic() + 20
                while len(s.events("local", limit=10**9)) == before:
                    assert time.monotonic() < deadline
                    time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.2))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        with Store(location) as s:
            _check_integrity(s)
            events = s.events("local", limit=10**9)
            a = sorted(e.details["batch"] for e in events if e.step == "a")
            b = sorted(e.details["batch"] for e in events if e.step == "b")
            sp = sorted(p.version for p in s.savepoints("local", "orders"))
            assert a == b and len(a) == len(sp)
