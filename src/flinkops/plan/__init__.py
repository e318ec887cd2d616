"""Planning: what apply will do to each job and what happens to its state, read from the
specs, the live cluster and the version store, and never changing any of them.
May import spec, sql, flink, store, redact and errors; never apply, ops or anything above.

``builder.build_plan`` is pure: it is handed the specs, the live jobs, what the store
knows and Flink's verdicts, and returns a frozen ``Plan`` (``_types``), each change with
its ``steps`` (``steps``: what apply runs, and the rollback or abort after a failure).
Around it, by what they do: ``observe`` reads the cluster and the store and makes the
plan (``make_plan``); ``compiler`` asks Flink's planner for job graphs (cached in the
store) and ``compat`` compares two of them by a rule list (``_operators`` reads their
stateful operators); ``rescale`` turns parallelism-only updates into in-place rescales;
``_state`` decides state impacts and what a next start restores from; ``_diffs`` and
``_text_diff`` show what changed; ``render`` draws a plan's text and markdown from its
JSON; ``planfile`` saves and reads plan files.
"""

from flinkops.plan._diffs import sql_changed
from flinkops.plan._state import next_restore
from flinkops.plan._text_diff import config_diff, sql_diff
from flinkops.plan._types import (
    PLAN_FORMAT_VERSION,
    Action,
    Applied,
    Attempt,
    Change,
    Compat,
    CompatBasis,
    Plan,
    StateImpact,
)
from flinkops.plan.builder import build_plan, next_version

__all__ = [
    "PLAN_FORMAT_VERSION",
    "Action",
    "Applied",
    "Attempt",
    "Change",
    "Compat",
    "CompatBasis",
    "Plan",
    "StateImpact",
    "build_plan",
    "config_diff",
    "next_restore",
    "next_version",
    "sql_changed",
    "sql_diff",
]
