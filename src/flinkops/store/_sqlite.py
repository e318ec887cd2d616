"""The SQLite backend: one file (WAL journal, ``synchronous=FULL``) or memory.

A write is ``BEGIN IMMEDIATE ... COMMIT``: writers are serialized by the file
lock, and WAL makes a commit all-or-nothing. The apply lock is a row in
``locks``; a holder on this host whose process is gone (dead pid, zombie, reused
pid) is taken over in the same transaction that checks it. A holder on another
host cannot be checked and is always taken as alive.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flinkops.errors import StoreError
from flinkops.store._db import Database, FaultHook
from flinkops.store._locks import hostname, lock_held, lock_info, lock_row, pid_alive
from flinkops.store._records import LockInfo

__all__ = ["SqliteDatabase", "parse_location"]


def parse_location(location: str | Path) -> Path | None:
    """A store location as a file path, or None for an in-memory store.

    Accepts a path, ``:memory:``, or a URL in SQLAlchemy's form:
    ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db``, ``sqlite://``.
    """
    if isinstance(location, Path):
        return location.expanduser()
    text = location.strip()
    if text in (":memory:", "sqlite://", "sqlite:///:memory:"):
        return None
    if text.startswith("sqlite:///"):
        return Path(text[len("sqlite:///") :]).expanduser()
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise StoreError(
            f"unsupported store location scheme {scheme!r}: use a file path, "
            "sqlite:///path/to/store.db or postgresql://user@host:5432/dbname"
        )
    if not text:
        raise StoreError("empty store location: use a file path or sqlite:///path/to/store.db")
    return Path(text).expanduser()


class SqliteDatabase(Database):
    backend = "sqlite"
    integrity_errors = (sqlite3.IntegrityError,)
    driver_errors = (sqlite3.Error,)
    _has_table_sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    _tables_sql = (
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        " AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
    )

    def __init__(
        self, location: str | Path, *, busy_timeout: float, fault_hook: FaultHook | None
    ) -> None:
        super().__init__(fault_hook)
        self.path = parse_location(location)
        self.name = str(self.path) if self.path is not None else ":memory:"
        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"cannot create the directory of store {self.name}: {e}") from e
        try:
            self._conn = sqlite3.connect(
                self.name, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as e:
            raise StoreError(f"cannot open store {self.name}: {e}") from e
        self._conn.row_factory = sqlite3.Row
        try:
            self._pragmas(busy_timeout)
            self._migrate()
        except BaseException:
            self._conn.close()
            raise

    @property
    def conn(self) -> sqlite3.Connection:
        return self._conn

    def _pragmas(self, busy_timeout: float) -> None:
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            if self.path is not None:
                self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as e:
            raise StoreError(
                f"{self.name} is not a flinkops store ({e}); point the project's `store` "
                "at another file"
            ) from e

    def close(self) -> None:
        with self.mutex:
            self._conn.close()

    def _begin(self, write: bool) -> str:
        return "BEGIN IMMEDIATE" if write else "BEGIN"

    def _in_transaction(self) -> bool:
        return self._conn.in_transaction

    # -- the apply lock -------------------------------------------------------------

    def take_lock(self, info: LockInfo, token: str, pid_start: str | None) -> LockInfo | None:
        with self.write("acquire_lock") as db:
            row = db.execute("SELECT * FROM locks WHERE target = ?", (info.target,)).fetchone()
            took_over = None
            if row is not None:
                current = lock_info(row)
                if current.hostname != info.hostname or pid_alive(current.pid, row["pid_start"]):
                    raise lock_held(current, self._unlock_hint(current))
                took_over = current
                db.execute("DELETE FROM locks WHERE target = ?", (info.target,))
            db.execute(
                "INSERT INTO locks (target, holder, pid, pid_start, hostname, since, token,"
                " ci_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                lock_row(info, pid_start, token),
            )
        return took_over

    def _unlock_hint(self, current: LockInfo) -> str:
        if current.hostname == hostname():
            return ""
        return (
            " flinkops cannot check a process on another host: if that apply is gone, "
            f"remove the lock: sqlite3 {self.name} "
            f"\"DELETE FROM locks WHERE target = '{current.target}'\""
        )

    def drop_lock(self, target: str, token: str) -> bool:
        with self.write("release_lock") as db:
            cursor = db.execute("DELETE FROM locks WHERE target = ? AND token = ?", (target, token))
            return cursor.rowcount == 1

    def break_lock(self, target: str) -> LockInfo | None:
        with self.write("break_lock") as db:
            row = db.execute("SELECT * FROM locks WHERE target = ?", (target,)).fetchone()
            db.execute("DELETE FROM locks WHERE target = ?", (target,))
        return lock_info(row) if row else None
