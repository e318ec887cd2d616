"""The SQLite connection: location parsing, pragmas, transactions, fault points, migrations.

Every write runs in ``BEGIN IMMEDIATE ... COMMIT``; SQLite's WAL journal makes a
commit all-or-nothing, so a process killed mid-write leaves the store as it was
before that transaction. ``synchronous=FULL`` makes a returned commit durable.

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
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fnmatch import fnmatchcase
from pathlib import Path

from flinkops.errors import StoreError
from flinkops.store._records import utc_now
from flinkops.store._schema import MIGRATIONS, SCHEMA_VERSION

__all__ = ["CRASH_ENV", "Database", "FaultHook", "env_fault_hook", "parse_location"]

CRASH_ENV = "FLINKOPS_STORE_CRASH_AT"
FaultHook = Callable[[str], None]


def env_fault_hook() -> FaultHook:
    """A hook that SIGKILLs this process at the points ``FLINKOPS_STORE_CRASH_AT`` names."""
    patterns = [p.strip() for p in os.environ.get(CRASH_ENV, "").split(",") if p.strip()]

    def hook(point: str) -> None:
        if any(fnmatchcase(point, pattern) for pattern in patterns):
            os.kill(os.getpid(), signal.SIGKILL)

    return hook


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
        raise StoreError(
            f"unsupported store location {text!r}: use a file path or sqlite:///path/to/store.db"
        )
    if not text:
        raise StoreError("empty store location: use a file path or sqlite:///path/to/store.db")
    return Path(text).expanduser()


class Database:
    """One SQLite connection shared by threads (a re-entrant mutex serializes them)."""

    def __init__(
        self, location: str | Path, *, busy_timeout: float, fault_hook: FaultHook | None
    ) -> None:
        self.path = parse_location(location)
        self.name = str(self.path) if self.path is not None else ":memory:"
        self.fault: FaultHook = fault_hook or env_fault_hook()
        self.mutex = threading.RLock()
        self._depth = 0
        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"cannot create the directory of store {self.name}: {e}") from e
        try:
            self.conn = sqlite3.connect(
                self.name,
                timeout=busy_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as e:
            raise StoreError(f"cannot open store {self.name}: {e}") from e
        self.conn.row_factory = sqlite3.Row
        try:
            self._pragmas(busy_timeout)
            self._migrate()
        except BaseException:
            self.conn.close()
            raise

    def _pragmas(self, busy_timeout: float) -> None:
        try:
            self.conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            if self.path is not None:
                self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = FULL")
            self.conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as e:
            raise StoreError(
                f"{self.name} is not a flinkops store ({e}); point the project's `store` "
                "at another file"
            ) from e

    def close(self) -> None:
        with self.mutex:
            self.conn.close()

    # -- transactions -------------------------------------------------------------

    @contextmanager
    def write(self, op: str) -> Iterator[sqlite3.Connection]:
        """One write transaction; nested inside another, it joins the outer one."""
        with self.mutex:
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                except sqlite3.Error as e:
                    raise self.error(op, e) from e
                finally:
                    self._depth -= 1
                self.fault(f"{op}:before-commit")
                return
            self._run(op, "BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self.conn
                self.fault(f"{op}:before-commit")
                self._run(op, "COMMIT")
            except sqlite3.Error as e:
                self._rollback()
                raise self.error(op, e) from e
            except BaseException:
                self._rollback()
                raise
            finally:
                self._depth = 0
        self.fault(f"{op}:after-commit")

    @contextmanager
    def read(self, op: str) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several SELECTs."""
        with self.mutex:
            if self._depth:
                yield self.conn
                return
            self._run(op, "BEGIN")
            self._depth = 1
            try:
                yield self.conn
            except sqlite3.Error as e:
                raise self.error(op, e) from e
            finally:
                self._depth = 0
                self._rollback()

    def _run(self, op: str, sql: str) -> None:
        try:
            self.conn.execute(sql)
        except sqlite3.Error as e:
            raise self.error(op, e) from e

    def _rollback(self) -> None:
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the transaction is gone either way

    def error(self, op: str, e: sqlite3.Error) -> StoreError:
        hint = ""
        if "locked" in str(e) or "busy" in str(e):
            hint = "; another process holds the store busy, try again"
        return StoreError(f"store {self.name}: {op} failed: {e}{hint}")

    # -- schema -------------------------------------------------------------------

    def schema_version(self) -> int:
        with self.read("schema_version") as db:
            return _schema_version(db)

    def _migrate(self) -> None:
        current = self.schema_version()
        self._check_not_newer(current)
        for migration in MIGRATIONS:
            if migration.number <= current:
                continue
            op = f"migrate:{migration.number}"
            with self.write(op) as db:
                db.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
                    " description TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
                now = _schema_version(db)  # another process may have migrated meanwhile
                self._check_not_newer(now)
                if now < migration.number:
                    for statement in migration.statements:
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


def _schema_version(db: sqlite3.Connection) -> int:
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not exists:
        return 0
    return int(db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0])
