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
        "monitoring: metric samples and rollups, alert records and their deliveries",
        (
            # One row per job and series layout (the ordered series names of a job's
            # samples); a sample row holds its values in that order, which keeps a
            # job-day of 15 s samples near 1 MB (bench/bench_monitor.py).
            """CREATE TABLE metric_layouts (
                id BIGINT PRIMARY KEY,
                target TEXT NOT NULL,
                job TEXT NOT NULL,
                series TEXT NOT NULL
            )""",
            "CREATE INDEX metric_layouts_by_job ON metric_layouts (target, job)",
            # resolution 0: a raw sample; 300: a 5-minute rollup (the mean of its samples)
            """CREATE TABLE metric_samples (
                layout BIGINT NOT NULL,
                resolution INTEGER NOT NULL,
                at BIGINT NOT NULL,
                vals TEXT NOT NULL,
                PRIMARY KEY (layout, resolution, at)
            )""",
            "CREATE INDEX metric_samples_by_age ON metric_samples (resolution, at)",
            """CREATE TABLE alerts (
                id TEXT PRIMARY KEY,
                fingerprint TEXT NOT NULL,
                target TEXT NOT NULL,
                job TEXT NOT NULL,
                rule TEXT NOT NULL,
                severity TEXT NOT NULL,
                state TEXT NOT NULL,
                started_ms BIGINT NOT NULL,
                fired_ms BIGINT,
                resolved_ms BIGINT,
                updated_ms BIGINT NOT NULL,
                summary TEXT NOT NULL,
                evidence TEXT NOT NULL,
                link TEXT NOT NULL
            )""",
            "CREATE INDEX alerts_by_job ON alerts (target, job, started_ms)",
            "CREATE INDEX alerts_by_state ON alerts (target, state)",
            """CREATE TABLE alert_deliveries (
                alert_id TEXT NOT NULL,
                status TEXT NOT NULL,
                channel TEXT NOT NULL,
                attempt INTEGER NOT NULL,
                at_ms BIGINT NOT NULL,
                ok INTEGER NOT NULL,
                detail TEXT NOT NULL,
                PRIMARY KEY (alert_id, status, channel, attempt)
            )""",
        ),
    ),
    Migration(
        6,
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
    Migration(
        7,
        "history: one row per transition, never changed",
        (
            # ``versions`` says what is true of each version now (a suspend or a
            # rollback changes its row); ``history`` is the audit log beside it: one row
            # per transition, appended, with the commit and author it was applied from.
            """CREATE TABLE history (
                target TEXT NOT NULL,
                job TEXT NOT NULL,
                seq INTEGER NOT NULL,
                version INTEGER NOT NULL,
                spec_hash TEXT,
                action TEXT NOT NULL,
                outcome TEXT NOT NULL,
                at TEXT NOT NULL,
                git_commit TEXT,
                git_author TEXT,
                job_id TEXT,
                restored_from TEXT,
                savepoint TEXT,
                message TEXT NOT NULL DEFAULT '',
                transition_id INTEGER,
                PRIMARY KEY (target, job, seq)
            )""",
            # a store written before keeps what it knew: one row per version, as recorded
            """INSERT INTO history (target, job, seq, version, spec_hash, action, outcome, at,
                git_commit, git_author, job_id, restored_from, savepoint, message)
            SELECT target, job, version, version, spec_hash, 'recorded', outcome, applied_at,
                git_commit, git_author, job_id, restored_from, savepoint, message
            FROM versions""",
        ),
    ),
    Migration(
        8,
        "savepoints: the Flink version that wrote each (none restores into an older Flink)",
        ("ALTER TABLE savepoints ADD COLUMN flink_version TEXT",),
    ),
    Migration(
        9,
        "versions: the cluster each applied version ran on (a new one is a migration)",
        (
            "ALTER TABLE versions ADD COLUMN cluster_url TEXT",
            "ALTER TABLE versions ADD COLUMN flink_version TEXT",
        ),
    ),
    Migration(
        10,
        "compiled plans pinned per version (compiledPlan: pin)",
        (
            # the JSON plan Flink compiled (COMPILE PLAN) for a version's SQL, portable
            # (secrets from the environment as ${env:NAME}); a later version with the same
            # SQL is submitted from it (EXECUTE PLAN), across Flink upgrades too
            """CREATE TABLE compiled_plans (
                target TEXT NOT NULL,
                job TEXT NOT NULL,
                version INTEGER NOT NULL,
                sql_hash TEXT NOT NULL,
                flink_version TEXT,
                plan TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (target, job, version)
            )""",
        ),
    ),
)

#: The schema version this flinkops writes.
SCHEMA_VERSION = MIGRATIONS[-1].number
