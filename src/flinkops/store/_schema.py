"""The store's schema, as an ordered list of migrations.

Migration N is applied once, in its own transaction, together with the row
``schema_version(N)`` that records it. Released migrations never change: a
schema change is a new migration appended to ``MIGRATIONS``.

Statements are portable DDL that SQLite runs as written and the PostgreSQL
backend translates in one place (``_pg.translate_ddl``): TEXT, INTEGER (BIGINT
there), BIGINT, DOUBLE PRECISION, explicit primary keys; ``INTEGER PRIMARY KEY
AUTOINCREMENT`` (old migrations only) becomes an identity column.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Migration"]


@dataclass(frozen=True)
class Migration:
    number: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "versions and events",
        (
            """CREATE TABLE versions (
                target TEXT NOT NULL,
                job TEXT NOT NULL,
                version INTEGER NOT NULL CHECK (version > 0),
                spec_hash TEXT NOT NULL,
                sql_hash TEXT NOT NULL,
                config_hash TEXT NOT NULL,
                spec TEXT NOT NULL,
                sql TEXT NOT NULL,
                git_commit TEXT,
                git_author TEXT,
                applied_at TEXT NOT NULL,
                job_id TEXT,
                restored_from TEXT,
                savepoint TEXT,
                outcome TEXT NOT NULL,
                message TEXT NOT NULL DEFAULT '',
                PRIMARY KEY (target, job, version)
            )""",
            """CREATE TABLE events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                target TEXT NOT NULL,
                job TEXT,
                at TEXT NOT NULL,
                level TEXT NOT NULL,
                step TEXT NOT NULL,
                message TEXT NOT NULL,
                details TEXT NOT NULL DEFAULT '{}'
            )""",
            "CREATE INDEX events_by_job ON events (target, job, id)",
        ),
    ),
    Migration(
        2,
        "savepoints",
        (
            """CREATE TABLE savepoints (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                target TEXT NOT NULL,
                job TEXT NOT NULL,
                location TEXT NOT NULL,
                kind TEXT NOT NULL,
                job_id TEXT,
                version INTEGER,
                created_at TEXT NOT NULL,
                UNIQUE (target, job, location)
            )""",
        ),
    ),
    Migration(
        3,
        "journal of transitions, apply locks",
        (
            """CREATE TABLE transitions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                target TEXT NOT NULL,
                job TEXT NOT NULL,
                action TEXT NOT NULL,
                plan TEXT NOT NULL,
                status TEXT NOT NULL,
                started_at TEXT NOT NULL,
                ended_at TEXT,
                pid INTEGER NOT NULL,
                hostname TEXT NOT NULL
            )""",
            "CREATE INDEX transitions_by_status ON transitions (target, status, id)",
            """CREATE TABLE journal (
                transition_id INTEGER NOT NULL REFERENCES transitions (id),
                seq INTEGER NOT NULL,
                step TEXT NOT NULL,
                phase TEXT NOT NULL,
                data TEXT NOT NULL,
                at TEXT NOT NULL,
                PRIMARY KEY (transition_id, seq)
            )""",
            """CREATE TABLE locks (
                target TEXT PRIMARY KEY,
                holder TEXT NOT NULL,
                pid INTEGER NOT NULL,
                pid_start TEXT,
                hostname TEXT NOT NULL,
                since TEXT NOT NULL,
                token TEXT NOT NULL
            )""",
        ),
    ),
    Migration(
        4,
        "apply locks: the CI run of the holder",
        ("ALTER TABLE locks ADD COLUMN ci_run TEXT",),
    ),
    Migration(
        5,
        "compiled job graphs cache",
        (
            """CREATE TABLE compiled_graphs (
                cache_key TEXT NOT NULL PRIMARY KEY,
                flink_version TEXT NOT NULL,
                cluster TEXT NOT NULL,
                graph TEXT NOT NULL,
                created_at TEXT NOT NULL
            )""",
        ),
    ),
)

#: The schema version this flinkops writes.
SCHEMA_VERSION = MIGRATIONS[-1].number
