"""The version store (SQLite): versions, savepoints, events, the journal, apply locks.

One file per project (the project's ``store``), shared by its targets. Pure
``sqlite3``: WAL journal, ``busy_timeout``, every write one transaction, so a
process killed mid-write leaves either none or all of that write.

    store = Store(".flinkops/store.db")            # or "sqlite:///path", ":memory:"
    with store.acquire_lock("prod", holder=default_holder()) as lock:
        n = store.next_version("prod", "orders")
        tid = store.begin_transition("prod", "orders", "update", plan_json)
        store.journal_step(tid, "stop-with-savepoint", "start", {"job_id": old})
        ...
        store.end_transition(tid, "done")

Public interface (everything else is private):

- ``Store`` — versions (``next_version``, ``record_version``, ``update_version``,
  ``versions``, ``version``, ``latest_version``, ``jobs``, ``targets``), savepoints
  (``record_savepoint``, ``savepoints``, ``latest_savepoint``), events
  (``add_event``, ``events``), journal (``begin_transition``, ``journal_step``,
  ``end_transition``, ``open_transitions``, ``transition``, ``transitions``),
  locks (``acquire_lock``, ``release_lock``, ``lock_holder``, ``break_lock``),
  ``atomic()``, ``close()``, ``schema_version()``, ``path``.
- Records (frozen, ``to_json()``): ``VersionRecord``, ``SavepointRecord``,
  ``EventRecord``, ``Transition`` with its ``JournalStep``s, ``LockInfo``; ``Lock``.
- ``MetricsStore(store)`` (``_metrics.py``) — metric samples with 5-minute rollups
  (``record_samples``, ``history``, ``downsample``), alert records (``save_alert``,
  ``delete_alert``, ``open_alerts``, ``alerts``) and delivery attempts
  (``record_delivery``, ``deliveries``); records ``Sample``, ``AlertRecord``, ``Delivery``.
- Crash tests: ``FLINKOPS_STORE_CRASH_AT`` (``CRASH_ENV``) names fault points
  ``<op>:before-commit`` / ``<op>:after-commit`` (glob patterns, comma-separated)
  where the process SIGKILLs itself; ``<op>`` is the method name, or
  ``journal_step:<step>:<phase>``, ``atomic``, ``migrate:<n>``.
"""

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
from flinkops.store._records import (
    EVENT_LEVELS,
    JOURNAL_PHASES,
    OUTCOMES,
    SAVEPOINT_KINDS,
    TRANSITION_STATUSES,
    EventRecord,
    JournalStep,
    LockInfo,
    SavepointRecord,
    Transition,
    VersionRecord,
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
    "ROLLUP_SECONDS",
    "SAVEPOINT_KINDS",
    "SCHEMA_VERSION",
    "TRANSITION_STATUSES",
    "AlertRecord",
    "Delivery",
    "EventRecord",
    "FaultHook",
    "JournalStep",
    "Lock",
    "LockInfo",
    "MetricsStore",
    "Sample",
    "SavepointRecord",
    "Store",
    "Transition",
    "VersionRecord",
    "default_holder",
    "iso_ms",
    "utc_now",
]
