"""``Store``: versions, savepoints, events, the transition journal and apply locks."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields, replace
from pathlib import Path
from types import TracebackType
from typing import Any

from flinkops.errors import StoreError
from flinkops.store._db import Database, FaultHook, open_database
from flinkops.store._history import HistoryLog
from flinkops.store._journal import Journal
from flinkops.store._locks import Lock, ci_run, default_holder, hostname, lock_info, process_start
from flinkops.store._records import (
    EVENT_LEVELS,
    OUTCOMES,
    SAVEPOINT_KINDS,
    EventRecord,
    LockInfo,
    Outcome,
    SavepointRecord,
    VersionRecord,
    check_one_of,
    dumps_json,
    utc_now,
)

__all__ = ["Store"]

_VERSION_COLUMNS = tuple(f.name for f in fields(VersionRecord))
_UPDATABLE = frozenset(_VERSION_COLUMNS) - {"target", "job", "version"}


def _version(row: Any) -> VersionRecord:
    values = {name: row[name] for name in _VERSION_COLUMNS}
    values["spec"] = json.loads(values["spec"])
    values["outcome"] = Outcome(values["outcome"])
    return VersionRecord(**values)


def _savepoint(row: Any) -> SavepointRecord:
    return SavepointRecord(
        row["target"],
        row["job"],
        row["location"],
        row["kind"],
        row["job_id"],
        row["version"],
        row["created_at"],
        row["flink_version"],
    )


class Store(Journal, HistoryLog):
    """The version store of one project, shared by all its targets: SQLite or PostgreSQL.

    ``location`` is a file path (parent directories are created), a
    ``sqlite:///path`` URL (``sqlite:////abs/path`` for an absolute one),
    ``:memory:``, or a PostgreSQL URL ``postgresql://user@host:5432/db[?schema=s]``
    (see ``_pgurl``). Opening connects (a StoreError naming the host, never the
    password, when it cannot) and migrates an older store; a store written by a newer
    flinkops raises ``StoreError``. ``busy_timeout`` (seconds) is how long a write
    waits for another process's write (SQLite), or how long an apply lock left by a
    killed process of this host is waited for while its session ends (PostgreSQL).
    ``fault_hook(point)`` replaces the ``FLINKOPS_STORE_CRASH_AT`` crash hook (see
    ``flinkops.store._db``).

    Every write is its own transaction, committed before the method returns;
    ``atomic()`` groups several into one. Any database error becomes ``StoreError``;
    bad arguments (an unknown outcome, a spec that is not JSON) raise ``ValueError``.
    A Store may be shared by threads; a process must not use one made before a fork.
    The journal's methods (``begin_transition`` ...) are its base class's (``_journal``),
    the history's (``append_history``, ``history``, ``last_placed``) ``_history``'s.
    """

    def __init__(
        self,
        location: str | Path,
        *,
        busy_timeout: float = 10.0,
        fault_hook: FaultHook | None = None,
    ) -> None:
        self._db: Database = open_database(
            location, busy_timeout=busy_timeout, fault_hook=fault_hook
        )
        self._held: dict[str, str] = {}  # lock token -> target, released by close()
        self._closed = False

    @property
    def path(self) -> Path | None:
        """The store file, or None for an in-memory or PostgreSQL store."""
        return self._db.path

    @property
    def location(self) -> str:
        """Where the store is, safe to print: a file path, ``:memory:``, or a URL without
        its password."""
        return self._db.name

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._db.backend

    @property
    def db(self) -> Database:
        """The database, for store modules that add their own tables (see the package doc)."""
        return self._db

    def schema_version(self) -> int:
        return self._db.schema_version()

    def close(self) -> None:
        """Release the locks this Store acquired and close the connection. Idempotent."""
        if self._closed:
            return
        for token, target in list(self._held.items()):
            with contextlib.suppress(StoreError):  # a stale row is taken over later
                self._db.drop_lock(target, token)
        self._held.clear()
        self._db.close()
        self._closed = True

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Group the writes made inside into one transaction: all of them or none."""
        with self._db.write("atomic"):
            yield

    # -- versions -------------------------------------------------------------------

    def next_version(self, target: str, job: str) -> int:
        """The number the next version of ``job`` on ``target`` gets: 1 + the highest so far."""
        with self._db.read("next_version") as db:
            row = db.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE target = ? AND job = ?",
                (target, job),
            ).fetchone()
        return int(row[0])

    def record_version(self, v: VersionRecord) -> VersionRecord:
        """Insert a version; returns it as stored (``applied_at`` filled when empty).

        Raises StoreError if that version number is already recorded: a version
        is never recorded twice.
        """
        check_one_of(v.outcome, OUTCOMES, "outcome")
        if not v.applied_at:
            v = replace(v, applied_at=utc_now())
        values = [getattr(v, name) for name in _VERSION_COLUMNS]
        values[_VERSION_COLUMNS.index("spec")] = dumps_json(v.spec, "spec")
        placeholders = ", ".join("?" for _ in _VERSION_COLUMNS)
        with self._db.write("record_version") as db:
            try:
                db.execute(
                    f"INSERT INTO versions ({', '.join(_VERSION_COLUMNS)}) VALUES ({placeholders})",
                    values,
                )
            except self._db.integrity_errors as e:
                raise StoreError(
                    f"version {v.version} of job {v.job!r} on target {v.target!r} is already "
                    f"recorded ({e}); take the number from next_version()"
                ) from e
        return v

    def update_version(self, target: str, job: str, version: int, /, **changes: Any) -> None:
        """Change fields of a recorded version, e.g. ``outcome``, ``savepoint``, ``job_id``.

        Any VersionRecord field but target, job and version may be changed.
        """
        unknown = set(changes) - _UPDATABLE
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}; fields: {sorted(_UPDATABLE)}")
        if not changes:
            return
        if "outcome" in changes:
            check_one_of(changes["outcome"], OUTCOMES, "outcome")
        if "spec" in changes:
            changes["spec"] = dumps_json(changes["spec"], "spec")
        assignments = ", ".join(f"{name} = ?" for name in changes)
        with self._db.write("update_version") as db:
            cursor = db.execute(
                f"UPDATE versions SET {assignments} WHERE target = ? AND job = ? AND version = ?",
                [*changes.values(), target, job, version],
            )
            if cursor.rowcount == 0:
                raise StoreError(f"no version {version} of job {job!r} on target {target!r}")

    def versions(self, target: str, job: str) -> list[VersionRecord]:
        """Every version of ``job`` on ``target``, ascending."""
        with self._db.read("versions") as db:
            rows = db.execute(
                "SELECT * FROM versions WHERE target = ? AND job = ? ORDER BY version",
                (target, job),
            ).fetchall()
        return [_version(row) for row in rows]

    def version(self, target: str, job: str, number: int) -> VersionRecord | None:
        with self._db.read("version") as db:
            row = db.execute(
                "SELECT * FROM versions WHERE target = ? AND job = ? AND version = ?",
                (target, job, number),
            ).fetchone()
        return _version(row) if row else None

    def latest_version(
        self, target: str, job: str, *, outcome: Outcome | None = Outcome.APPLIED
    ) -> VersionRecord | None:
        """The highest-numbered version with ``outcome`` (any outcome when None)."""
        sql = "SELECT * FROM versions WHERE target = ? AND job = ?"
        params: list[Any] = [target, job]
        if outcome is not None:
            sql += " AND outcome = ?"
            params.append(outcome)
        with self._db.read("latest_version") as db:
            row = db.execute(sql + " ORDER BY version DESC LIMIT 1", params).fetchone()
        return _version(row) if row else None

    def jobs(self, target: str) -> list[str]:
        """Names of the jobs with at least one version on ``target``, sorted."""
        with self._db.read("jobs") as db:
            rows = db.execute(
                "SELECT DISTINCT job FROM versions WHERE target = ? ORDER BY job", (target,)
            ).fetchall()
        return [row[0] for row in rows]

    def job_ids(self, target: str) -> dict[str, str]:
        """Every Flink job id the store recorded on ``target`` (a version's run, a
        savepoint's job), with the name of the job it ran: one read."""
        with self._db.read("job_ids") as db:
            rows = db.execute(
                "SELECT job_id, job FROM versions WHERE target = ? AND job_id IS NOT NULL"
                " UNION SELECT job_id, job FROM savepoints WHERE target = ?"
                " AND job_id IS NOT NULL",
                (target, target),
            ).fetchall()
        return {row[0]: row[1] for row in rows}

    def targets(self) -> list[str]:
        """Targets with at least one version, sorted."""
        with self._db.read("targets") as db:
            rows = db.execute("SELECT DISTINCT target FROM versions ORDER BY target").fetchall()
        return [row[0] for row in rows]

    # -- savepoints -----------------------------------------------------------------

    def record_savepoint(
        self,
        target: str,
        job: str,
        location: str,
        *,
        kind: str,
        job_id: str | None,
        version: int | None,
        flink_version: str | None = None,
    ) -> None:
        """Remember a savepoint, and the version of the Flink that wrote it (None:
        unknown). Recording the same location again is a no-op."""
        check_one_of(kind, SAVEPOINT_KINDS, "savepoint kind")
        with self._db.write("record_savepoint") as db:
            db.execute(
                "INSERT INTO savepoints (target, job, location, kind, job_id, version,"
                " created_at, flink_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (target, job, location) DO NOTHING",
                (target, job, location, kind, job_id, version, utc_now(), flink_version or None),
            )

    def savepoints(
        self, target: str, job: str, *, kinds: Iterable[str] | None = None
    ) -> list[SavepointRecord]:
        """Savepoints of ``job`` on ``target``, newest first, optionally of some kinds only."""
        sql = "SELECT * FROM savepoints WHERE target = ? AND job = ?"
        params: list[Any] = [target, job]
        if kinds is not None:
            wanted = sorted(set(kinds))
            sql += f" AND kind IN ({', '.join('?' for _ in wanted)})"
            params.extend(wanted)
        with self._db.read("savepoints") as db:
            rows = db.execute(sql + " ORDER BY id DESC", params).fetchall()
        return [_savepoint(row) for row in rows]

    def latest_savepoint(
        self, target: str, job: str, *, kinds: Iterable[str] | None = None
    ) -> SavepointRecord | None:
        found = self.savepoints(target, job, kinds=kinds)
        return found[0] if found else None

    # -- events ---------------------------------------------------------------------

    def add_event(
        self,
        target: str,
        job: str | None,
        step: str,
        message: str,
        *,
        level: str = "info",
        details: dict[str, Any] | None = None,
    ) -> None:
        """Record a run event; ``job`` None for a target-wide one. ``level``: debug..error."""
        check_one_of(level, EVENT_LEVELS, "event level")
        with self._db.write("add_event") as db:
            details_json = dumps_json(details or {}, "details")
            db.execute(
                "INSERT INTO events (target, job, at, level, step, message, details)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (target, job, utc_now(), level, step, message, details_json),
            )

    def events(
        self,
        target: str,
        job: str | None = None,
        limit: int | None = 100,
        *,
        after: int | None = None,
    ) -> list[EventRecord]:
        """Newest first: of ``job`` (all jobs when None), at most ``limit`` (None: all),
        with id > ``after`` when given (to follow new events)."""
        sql = "SELECT * FROM events WHERE target = ?"
        params: list[Any] = [target]
        if job is not None:
            sql += " AND job = ?"
            params.append(job)
        if after is not None:
            sql += " AND id > ?"
            params.append(after)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._db.read("events") as db:
            rows = db.execute(sql, params).fetchall()
        return [
            EventRecord(
                row["id"],
                row["target"],
                row["job"],
                row["at"],
                row["level"],
                row["step"],
                row["message"],
                json.loads(row["details"]),
            )
            for row in rows
        ]

    # -- locks ----------------------------------------------------------------------

    def acquire_lock(self, target: str, *, holder: str | None = None) -> Lock:
        """Take the apply lock of ``target``; use the result as a context manager.

        ``holder`` describes the taker (default ``user@host pid N``); the lock row
        also names the host, pid and CI run. A lock whose holder is gone is taken
        over (``Lock.took_over``): on SQLite a dead process of this host, on
        PostgreSQL any holder whose database session ended. Of several processes
        racing for a free or stale lock exactly one wins. Raises LockHeld naming
        the holder and since when.
        """
        pid = os.getpid()
        info = LockInfo(target, holder or default_holder(), pid, hostname(), utc_now(), ci_run())
        token = uuid.uuid4().hex
        took_over = self._db.take_lock(info, token, process_start(pid))
        self._held[token] = target
        return Lock(info, token, took_over, self)

    def release_lock(self, lock: Lock) -> bool:
        """Release ``lock``; False when it was no longer held by it (broken or taken over)."""
        self._held.pop(lock.token, None)
        return self._db.drop_lock(lock.target, lock.token)

    def lock_holder(self, target: str) -> LockInfo | None:
        """Who holds the apply lock of ``target``, alive or not; None when free."""
        with self._db.read("lock_holder") as db:
            row = db.execute("SELECT * FROM locks WHERE target = ?", (target,)).fetchone()
        return lock_info(row) if row else None

    def locks(self) -> list[LockInfo]:
        """Every lock row, by target."""
        with self._db.read("locks") as db:
            rows = db.execute("SELECT * FROM locks ORDER BY target").fetchall()
        return [lock_info(row) for row in rows]

    def break_lock(self, target: str) -> LockInfo | None:
        """Remove the lock of ``target`` whoever holds it; returns what was removed."""
        return self._db.break_lock(target)
