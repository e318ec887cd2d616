"""Savepoint lifecycle: scheduled savepoints, retention, disposal, listing. May import ops
(taking a savepoint is an ops action), spec, flink, store and below; never apply,
monitor, ui or cli.

Public interface:

- ``run_due_savepoints(client, store, target=, specs=, now=)`` — one scheduler pass:
  take each due scheduled savepoint, then apply retention (``flinkops monitor`` calls
  it on every pass; ``flinkops savepoints --run-schedule`` runs it once).
- ``list_savepoints(store, target=, job=, policy=, now=)`` — a job's savepoints with
  size, age, origin, protection and what retention would do.
- ``apply_retention(client, store, target=, job=, policy=, now=)`` — delete what the
  policy does not keep; every deletion is an event (step ``savepoint-deleted``).
- Pure parts: ``plan_retention`` / ``protection``; a schedule (interval or cron) is
  the spec's ``Schedule`` (``flinkops.spec``), which project checks parse too.
"""

from flinkops.savepoints._dispose import Disposal, dispose, local_path
from flinkops.savepoints._render import render_listing, render_pass
from flinkops.savepoints._retention import Decision, Snapshot, plan_retention, protection
from flinkops.savepoints._run import (
    DELETED_STEP,
    ORIGINS,
    apply_retention,
    list_savepoints,
    run_due_savepoints,
)

__all__ = [
    "DELETED_STEP",
    "ORIGINS",
    "Decision",
    "Disposal",
    "Snapshot",
    "apply_retention",
    "dispose",
    "list_savepoints",
    "local_path",
    "plan_retention",
    "protection",
    "render_listing",
    "render_pass",
    "run_due_savepoints",
]
