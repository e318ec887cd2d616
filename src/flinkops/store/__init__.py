"""The version store: versions, savepoints, events, the journal, apply locks, metric
samples, the compiled-graph cache. May import errors and the helpers at the package
root (``_procs``), nothing else of flinkops.

One store per project (the project's ``store``), shared by its targets, on one of
two backends behind the same ``Store`` interface, with the same migrations and
the same guarantees:

- **SQLite** (the embedded default): a file, WAL journal, ``busy_timeout``.
- **PostgreSQL** (psycopg 3), for a team and ephemeral CI runners:
  ``postgresql://user@host:5432/dbname?schema=name``; the password comes from
  ``${env:NAME}`` in the URL or libpq's ``PG*`` variables and never appears in
  output (``Store.location`` has none). ``schema`` lets projects share a database.

Every write is one transaction, so a process killed mid-write leaves either none
or all of it; ``atomic()`` groups writes (a journal step and the version record
it produces commit together). The apply lock is a row naming holder, host, pid
and CI run; on PostgreSQL a session-level advisory lock backs it, released by the
database when the holder's session ends. A lock whose holder is gone is taken
over, never waited for forever.

    store = Store(".flinkops/store.db")            # or "sqlite:///path", ":memory:",
                                                   # "postgresql://..."
    with store.acquire_lock("prod", holder=default_holder()) as lock:
        n = store.next_version("prod", "orders")
        tid = store.begin_transition("prod", "orders", "update", plan_json)
        store.journal_step(tid, "stop", JournalPhase.START, {"job_id": old})
        ...
        store.end_transition(tid, TransitionStatus.DONE)

Public interface (everything else is private):

- ``Store`` — versions (``next_version``, ``record_version``, ``update_version``,
  ``versions``, ``version``, ``latest_version``, ``jobs``, ``targets``; what is true of
  each version now), history (``append_history``, ``history``, ``last_placed``: one
  row per transition, appended and never changed, ``_history.py``), savepoints
  (``record_savepoint``, ``savepoints``, ``latest_savepoint``), events
  (``add_event``, ``events``), journal (``begin_transition``, ``journal_step``,
  ``end_transition``, ``open_transitions``, ``transition``, ``transitions``),
  locks (``acquire_lock``, ``release_lock``, ``lock_holder``, ``locks``,
  ``break_lock``), ``atomic()``, ``close()``, ``schema_version()``, ``path``,
  ``location``, ``backend``, ``db``.
- ``store_info(store)`` (what ``flinkops store info`` shows) and
  ``copy_store(source, dest)`` (``flinkops store migrate``).
- ``store_secrets(location)``: the password a location carries, for redaction.
- Records (frozen, ``to_json()``): ``VersionRecord``, ``HistoryRecord``, ``SavepointRecord``,
  ``EventRecord``, ``Transition`` with its ``JournalStep``s, ``LockInfo``; ``Lock``;
  ``describe_holder`` (a lock's holder with its pid and host, each said once).
- Their vocabularies (``StrEnum``s, stored as their strings): a version's ``Outcome``,
  a transition's ``TransitionStatus``, a journal entry's ``JournalPhase``.
- ``MetricsStore(store)`` (``_metrics.py``) — metric samples with 5-minute rollups
  (``record_samples``, ``history``, ``downsample``), alert records (``save_alert``,
  ``delete_alert``, ``open_alerts``, ``alerts``) and delivery attempts
  (``record_delivery``, ``deliveries``); records ``Sample``, ``AlertRecord``, ``Delivery``.
- ``pinned_plan``, ``version_plan``, ``put_pinned_plan`` (``_compiled_plans.py``): the
  JSON plan Flink compiled for a version's SQL (``compiledPlan: pin``), a ``PinnedPlan``.
- Crash tests: ``FLINKOPS_STORE_CRASH_AT`` (``CRASH_ENV``) names fault points
  ``<op>:before-commit`` / ``<op>:after-commit`` (glob patterns, comma-separated)
  where the process SIGKILLs itself; ``<op>`` is the method name, or
  ``journal_step:<step>:<phase>``, ``atomic``, ``migrate:<n>``.

Adding tables (the contract for store modules of other features):

- Append ONE ``Migration`` to ``_schema.MIGRATIONS`` in portable DDL: TEXT,
  INTEGER, BIGINT, DOUBLE PRECISION, explicit primary keys, no AUTOINCREMENT,
  no SQLite- or PostgreSQL-only syntax. The PostgreSQL backend translates what
  differs (``_pg.translate_ddl``: INTEGER -> BIGINT, old AUTOINCREMENT -> identity).
- Keep the queries in your own module, run through ``store.db`` (a ``Database``):
  ``with db.write("op") as c: c.execute(sql, params)`` for a write transaction
  (nested writes join the outer one, so ``store.atomic()`` covers them too),
  ``with db.read("op") as c: ...`` for a consistent snapshot. SQL uses ``?``
  placeholders on both backends (``_pg.translate_sql``; a literal ``%`` is fine);
  rows index by position and by column name; a generated id comes back with
  ``INSERT ... RETURNING id``; ``ON CONFLICT (...) DO NOTHING/UPDATE`` works on
  both; a constraint violation raises one of ``db.integrity_errors``; any other
  driver error becomes ``StoreError`` naming the op. No ``LIMIT -1``, no PRAGMA,
  no ``sqlite_master``: use ``db.tables()`` and ``db.count(table)``.
- Test it over both backends with the ``location`` fixture pattern of
  tests/unit/store/conftest.py (``pg_url`` gives a fresh PostgreSQL schema).
"""

from flinkops.store._admin import copy_store, store_info
from flinkops.store._compiled_graphs import CachedGraph, count_graphs, get_graphs, put_graphs
from flinkops.store._compiled_plans import (
    PinnedPlan,
    pinned_plan,
    put_pinned_plan,
    version_plan,
)
from flinkops.store._db import CRASH_ENV, FaultHook
from flinkops.store._locks import Lock, default_holder
from flinkops.store._metrics import (
    ALERT_STATES,
    ROLLUP_SECONDS,
    AlertRecord,
    Delivery,
    MetricsStore,
    Sample,
    iso_ms,
)
from flinkops.store._pgurl import store_secrets
from flinkops.store._records import (
    EVENT_LEVELS,
    JOURNAL_PHASES,
    OUTCOMES,
    PLACING_OUTCOMES,
    RUNNING_OUTCOMES,
    SAVEPOINT_KINDS,
    TRANSITION_STATUSES,
    EventRecord,
    HistoryRecord,
    JournalPhase,
    JournalStep,
    LockInfo,
    Outcome,
    SavepointRecord,
    Transition,
    TransitionStatus,
    VersionRecord,
    describe_holder,
    utc_now,
)
from flinkops.store._schema import SCHEMA_VERSION
from flinkops.store._store import Store

__all__ = [
    "ALERT_STATES",
    "CRASH_ENV",
    "EVENT_LEVELS",
    "JOURNAL_PHASES",
    "OUTCOMES",
    "PLACING_OUTCOMES",
    "ROLLUP_SECONDS",
    "RUNNING_OUTCOMES",
    "SAVEPOINT_KINDS",
    "SCHEMA_VERSION",
    "TRANSITION_STATUSES",
    "AlertRecord",
    "CachedGraph",
    "Delivery",
    "EventRecord",
    "FaultHook",
    "HistoryRecord",
    "JournalPhase",
    "JournalStep",
    "Lock",
    "LockInfo",
    "MetricsStore",
    "Outcome",
    "PinnedPlan",
    "Sample",
    "SavepointRecord",
    "Store",
    "Transition",
    "TransitionStatus",
    "VersionRecord",
    "copy_store",
    "count_graphs",
    "default_holder",
    "describe_holder",
    "get_graphs",
    "iso_ms",
    "pinned_plan",
    "put_graphs",
    "put_pinned_plan",
    "store_info",
    "store_secrets",
    "utc_now",
    "version_plan",
]
