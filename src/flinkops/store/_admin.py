"""What a store holds (``flinkops store info``) and copying one into another
(``flinkops store migrate``), table by table, through the backends' common SQL."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from flinkops.errors import StoreError
from flinkops.store._records import TransitionStatus
from flinkops.store._schema import SCHEMA_VERSION
from flinkops.store._store import Store

__all__ = ["copy_store", "store_info"]

_NOT_COPIED = ("schema_version", "locks")  # a lock belongs to a running process


def store_info(store: Store) -> dict[str, Any]:
    """Where the store is, its schema version, row counts, targets, open transitions, locks."""
    db = store.db
    tables = {t: db.count(t) for t in db.tables() if t != "schema_version"}
    with db.read("info") as c:
        running = (TransitionStatus.RUNNING,)
        open_transitions = int(
            c.execute("SELECT COUNT(*) FROM transitions WHERE status = ?", running).fetchone()[0]
        )
    return {
        "location": store.location,
        "backend": store.backend,
        "schema_version": store.schema_version(),
        "latest_schema_version": SCHEMA_VERSION,
        "tables": tables,
        "open_transitions": open_transitions,
        "targets": {t: store.jobs(t) for t in store.targets()},
        "locks": [lock.to_json() for lock in store.locks()],
    }


def copy_store(source: Store, dest: Store, *, holder: str | None = None) -> dict[str, Any]:
    """Copy every row of ``source`` into the empty store ``dest``; verify the counts.

    Versions, savepoints, events, transitions (open ones included) with their
    journal, and the tables later migrations add, keep their ids. Lock rows are
    not copied: while copying, this process holds the apply lock of every target
    of ``source`` (LockHeld when an apply runs), so nothing changes underneath.
    The copy is one transaction on ``dest``: when a count differs, nothing stays.
    """
    if source.location == dest.location:
        raise StoreError(f"cannot migrate store {source.location} into itself")
    tables = [t for t in source.db.tables() if t not in _NOT_COPIED]
    missing = sorted(set(tables) - set(dest.db.tables()))
    if missing:
        raise StoreError(
            f"store {dest.location} has no table {', '.join(missing)}: it was written by "
            "another flinkops version; use the same flinkops for both stores"
        )
    _require_empty(dest, tables)
    with ExitStack() as locks:
        for target in sorted({*source.targets(), *(lock.target for lock in source.locks())}):
            locks.enter_context(source.acquire_lock(target, holder=holder))
        rows = _read_all(source, tables)
        counts = {table: len(found[1]) for table, found in rows.items()}
        with dest.db.write("migrate-copy") as c:
            for table, (columns, values) in rows.items():
                insert = (
                    f"INSERT INTO {table} ({', '.join(columns)})"
                    f" VALUES ({', '.join('?' for _ in columns)})"
                )
                for row in values:
                    c.execute(insert, row)
            dest.db.after_copy(c)
            for table, expected in counts.items():
                got = int(c.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
                if got != expected:  # the transaction rolls back: nothing half-copied
                    raise StoreError(
                        f"copying {table} into {dest.location}: {got} rows arrived, "
                        f"{expected} expected; nothing was kept"
                    )
    return {"from": source.location, "to": dest.location, "tables": counts, "verified": True}


def _require_empty(dest: Store, tables: list[str]) -> None:
    held = {t: n for t in [*tables, "locks"] if (n := dest.db.count(t))}
    if held:
        listed = ", ".join(f"{n} rows in {t}" for t, n in held.items())
        raise StoreError(
            f"store {dest.location} is not empty ({listed}): migrate into an empty "
            "database or a new schema (postgresql://...?schema=NAME)"
        )


def _read_all(source: Store, tables: list[str]) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every row of ``tables`` from one consistent snapshot, with their column names."""
    out: dict[str, tuple[list[str], list[tuple]]] = {}
    with source.db.read("migrate-read") as c:
        for table in tables:
            cursor = c.execute(f"SELECT * FROM {table}")
            columns = [d[0] for d in cursor.description]
            out[table] = (columns, [tuple(row) for row in cursor.fetchall()])
    return out
