"""Crash safety: a child killed mid-write leaves none or all of it."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from flinkops.store import CRASH_ENV, SCHEMA_VERSION, Store


def _is_pg(location: str) -> bool:
    return location.startswith("postgresql://")


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
