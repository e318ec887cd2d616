"""The apply lock: across processes, stale holders, other hosts, races."""

from __future__ import annotations

import multiprocessing
import os
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from flinkops.errors import LockHeld
from flinkops.store import LockInfo, Store, default_holder
from flinkops.store._locks import lock_held
from tests.unit.store._support import write

FORK = multiprocessing.get_context("fork")


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
    write(
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


@pytest.mark.integration
def test_a_holder_between_its_advisory_lock_and_its_row_is_named(pg_url: str) -> None:
    """PostgreSQL: a second apply that asks while the first holds the advisory lock but
    has not committed its row yet waits for the row, so the refusal names the holder."""
    Store(pg_url).close()
    committing = threading.Event()

    def slow_commit(point: str) -> None:
        if point == "acquire_lock:before-commit":
            committing.set()
            time.sleep(0.5)

    with Store(pg_url, fault_hook=slow_commit) as first, Store(pg_url) as second:
        taker = threading.Thread(target=lambda: first.acquire_lock("local", holder="ann"))
        taker.start()
        try:
            assert committing.wait(10)
            with pytest.raises(LockHeld) as info:
                second.acquire_lock("local", holder="bob")
        finally:
            taker.join(10)
        assert "ann" in str(info.value) and "right now" not in str(info.value)
        assert info.value.holder.holder == "ann"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("holder", "ci_run", "said"),
    [
        ("root@runner-b pid 10123", None, "root@runner-b pid 10123"),
        (
            "root@runner-b pid 10123",
            "https://ci/run/7",
            "root@runner-b pid 10123 (CI run https://ci/run/7)",
        ),
        ("root@laptop pid 10123", None, "root@laptop pid 10123 (on runner-b)"),
        ("ann@box pid 1", None, "ann@box pid 1 (pid 10123 on runner-b)"),
        ("bob", "https://ci/run/7", "bob (pid 10123 on runner-b, CI run https://ci/run/7)"),
    ],
)
def test_a_lock_holder_names_its_pid_and_host_once(
    holder: str, ci_run: str | None, said: str
) -> None:
    """Issue 22: "root@runner-b pid 10123 (pid 10123 on runner-b)"."""
    info = LockInfo("prod", holder, 10123, "runner-b", "2026-01-01T00:00:00Z", ci_run)
    assert info.describe() == f"{said} since 2026-01-01T00:00:00Z"
    assert str(lock_held(info)).startswith(
        f"target 'prod' is locked by another apply: {said} since 2026-01-01T00:00:00Z. Wait"
    )
