"""The store's database: one connection, transactions, fault points, migrations.

``Database`` holds what both backends share; ``SqliteDatabase`` (``_sqlite.py``) and
``PostgresDatabase`` (``_pg.py``) add the connection, the dialect's few differences
and the apply lock. ``open_database(location)`` picks one by the location's form.

Every write runs in one transaction (SQLite ``BEGIN IMMEDIATE``, PostgreSQL
``BEGIN``) committed before the write returns; a process killed mid-write leaves
the store as it was before that transaction. A write nested in another joins it.

Fault points (for crash tests): around each write the store calls
``fault(point)`` with ``point`` = ``<op>:before-commit`` (inside the
transaction, after its statements) and ``<op>:after-commit`` (after COMMIT
returned; not called for an op nested in ``atomic()``, whose own
``atomic:after-commit`` follows the outer commit). By default the hook reads
``FLINKOPS_STORE_CRASH_AT`` once, when the Store is opened: comma-separated
glob patterns; when a point matches, the process kills itself with SIGKILL.
"""

from __future__ import annotations

import os
import signal
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Protocol

from flinkops.errors import StoreError
from flinkops.store._records import LockInfo, utc_now
from flinkops.store._schema import MIGRATIONS, SCHEMA_VERSION, Migration

__all__ = [
    "CRASH_ENV",
    "Connection",
    "Database",
    "FaultHook",
    "env_fault_hook",
    "is_postgres_url",
    "open_database",
]

CRASH_ENV = "FLINKOPS_STORE_CRASH_AT"
FaultHook = Callable[[str], None]
_SCHEMA_VERSION_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
    " description TEXT NOT NULL, applied_at TEXT NOT NULL)"
)


class Cursor(Protocol):
    # read-only, as sqlite3's and psycopg's cursors have them
    @property
    def rowcount(self) -> int: ...
    @property
    def description(self) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    """What ``write()``/``read()`` yield: ``execute(sql, params)`` with ``?`` placeholders."""

    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Cursor: ...


def env_fault_hook() -> FaultHook:
    """A hook that SIGKILLs this process at the points ``FLINKOPS_STORE_CRASH_AT`` names."""
    patterns = [p.strip() for p in os.environ.get(CRASH_ENV, "").split(",") if p.strip()]

    def hook(point: str) -> None:
        if any(fnmatchcase(point, pattern) for pattern in patterns):
            os.kill(os.getpid(), signal.SIGKILL)

    return hook


def is_postgres_url(location: str | Path) -> bool:
    return isinstance(location, str) and location.strip().startswith(
        ("postgresql://", "postgres://")
    )


def open_database(
    location: str | Path, *, busy_timeout: float, fault_hook: FaultHook | None
) -> Database:
    """The backend for ``location``: a PostgreSQL URL, else an SQLite file (or memory)."""
    if is_postgres_url(location):
        from flinkops.store._pg import PostgresDatabase  # psycopg only when it is used

        return PostgresDatabase(str(location), busy_timeout=busy_timeout, fault_hook=fault_hook)
    from flinkops.store._sqlite import SqliteDatabase

    return SqliteDatabase(location, busy_timeout=busy_timeout, fault_hook=fault_hook)


class Database(ABC):
    """One connection shared by threads (a re-entrant mutex serializes them).

    ``name`` is safe to print (never a password). ``integrity_errors`` are the
    driver's constraint-violation exceptions, raised as they are by ``execute``.
    """

    backend: str = ""
    name: str = ""
    path: Path | None = None
    integrity_errors: tuple[type[Exception], ...] = ()
    driver_errors: tuple[type[Exception], ...] = ()
    _has_table_sql = ""  # a row when the table named by ? exists
    _tables_sql = ""  # the store's table names, in creation order

    def __init__(self, fault_hook: FaultHook | None) -> None:
        self.fault: FaultHook = fault_hook or env_fault_hook()
        self.mutex = threading.RLock()
        self._depth = 0

    # -- what a backend provides -------------------------------------------------

    @property
    @abstractmethod
    def conn(self) -> Connection: ...

    @abstractmethod
    def _begin(self, write: bool) -> str: ...

    @abstractmethod
    def _in_transaction(self) -> bool: ...

    def _has_table(self, db: Connection, name: str) -> bool:
        return db.execute(self._has_table_sql, (name,)).fetchone() is not None

    def tables(self) -> list[str]:
        """Tables of the store (``schema_version`` included), in creation order."""
        with self.read("tables") as db:
            return [row[0] for row in db.execute(self._tables_sql).fetchall()]

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def take_lock(self, info: LockInfo, token: str, pid_start: str | None) -> LockInfo | None:
        """Take ``info.target``'s apply lock; the stale holder replaced, if any.

        Raises LockHeld (see ``lock_held``) when a live holder has it."""

    @abstractmethod
    def drop_lock(self, target: str, token: str) -> bool:
        """Release a lock this connection took; False when its row was gone."""

    @abstractmethod
    def break_lock(self, target: str) -> LockInfo | None:
        """Remove ``target``'s lock whoever holds it; what was removed."""

    def _prepare_migration(self, db: Connection) -> None:  # noqa: B027 - optional hook
        """Called first in each migration's transaction (PostgreSQL serializes them)."""

    def after_copy(self, db: Connection) -> None:  # noqa: B027 - optional hook
        """Called after rows were copied in with their ids (PostgreSQL moves identities on)."""

    def _statements(self, migration: Migration) -> tuple[str, ...]:
        """A migration's statements in this backend's dialect."""
        return migration.statements

    def _describe_error(self, e: Exception) -> str:
        return str(e)

    # -- transactions -------------------------------------------------------------

    @contextmanager
    def write(self, op: str) -> Iterator[Connection]:
        """One write transaction; nested inside another, it joins the outer one."""
        with self.mutex:
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                except self.driver_errors as e:
                    raise self.error(op, e) from e
                finally:
                    self._depth -= 1
                self.fault(f"{op}:before-commit")
                return
            self._run(op, self._begin(write=True))
            self._depth = 1
            try:
                yield self.conn
                self.fault(f"{op}:before-commit")
                self._run(op, "COMMIT")
            except self.driver_errors as e:
                self._rollback()
                raise self.error(op, e) from e
            except BaseException:
                self._rollback()
                raise
            finally:
                self._depth = 0
        self.fault(f"{op}:after-commit")

    @contextmanager
    def read(self, op: str) -> Iterator[Connection]:
        """A consistent snapshot for several SELECTs."""
        with self.mutex:
            if self._depth:
                yield self.conn
                return
            self._run(op, self._begin(write=False))
            self._depth = 1
            try:
                yield self.conn
            except self.driver_errors as e:
                raise self.error(op, e) from e
            finally:
                self._depth = 0
                self._rollback()

    def _run(self, op: str, sql: str) -> None:
        try:
            self.conn.execute(sql)
        except self.driver_errors as e:
            raise self.error(op, e) from e

    def _rollback(self) -> None:
        try:
            if self._in_transaction():
                self.conn.execute("ROLLBACK")
        except self.driver_errors:
            pass  # the transaction is gone either way

    def error(self, op: str, e: Exception) -> StoreError:
        text = self._describe_error(e)
        hint = ""
        if "locked" in text or "busy" in text:
            hint = "; another process holds the store busy, try again"
        return StoreError(f"store {self.name}: {op} failed: {text}{hint}")

    def count(self, table: str) -> int:
        """Rows in ``table`` (a name from ``tables()``)."""
        if table not in self.tables():
            raise StoreError(f"store {self.name} has no table {table!r}")
        with self.read(f"count:{table}") as db:
            return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    # -- schema -------------------------------------------------------------------

    def schema_version(self) -> int:
        with self.read("schema_version") as db:
            return self._schema_version(db)

    def _schema_version(self, db: Connection) -> int:
        if not self._has_table(db, "schema_version"):
            return 0
        row = db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
        return int(row[0])

    def _migrate(self) -> None:
        current = self.schema_version()
        self._check_not_newer(current)
        for migration in MIGRATIONS:
            if migration.number <= current:
                continue
            with self.write(f"migrate:{migration.number}") as db:
                self._prepare_migration(db)
                db.execute(_SCHEMA_VERSION_DDL)
                now = self._schema_version(db)  # another process may have migrated meanwhile
                self._check_not_newer(now)
                if now < migration.number:
                    for statement in self._statements(migration):
                        db.execute(statement)
                    db.execute(
                        "INSERT INTO schema_version VALUES (?, ?, ?)",
                        (migration.number, migration.description, utc_now()),
                    )
            current = migration.number

    def _check_not_newer(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"store {self.name} has schema version {version}, newer than this flinkops "
                f"knows ({SCHEMA_VERSION}): a newer flinkops wrote it. Upgrade flinkops "
                "(pip install -U flinkops) to use this store."
            )
