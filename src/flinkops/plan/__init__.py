"""Planning: what apply will do to each job and what happens to its state, read from the
specs, the live cluster and the version store, and never changing any of them.
May import spec, sql, flink, store, redact and errors; never apply, ops or anything above.

A plan is made from one observation in one pass. ``observe`` reads the cluster and
the store once into an ``Observation`` (``_inputs``) and makes the plan
(``make_plan``); ``_verdicts`` derives from the specs and the observation what Flink's
planner must compile, ``compiler`` compiles it (cached in the store, keyed by the
observed cluster identity) and ``compat`` compares two graphs by a rule list
(``_operators`` reads their stateful operators; ``_config_rules`` says which
configuration keys are compared and judges those the graphs cannot show);
``rejections`` locates in the spec files what Flink's planner rejects (a plan's errors,
and ``validate --target``'s); ``builder.build_plan`` is pure: handed the specs, the
observation, the ``Verdicts``, the ``LineageView`` (``_lineage``) and the
``PlanOptions``, it returns the final, frozen ``Plan`` (``_types``), each change decided
by ``_actions`` (which action, in-place rescales included: ``rescale``; a changed
upgrade mode alone is recorded without a restart), built by ``_changes`` and carrying
its ``steps`` (``steps``: what apply runs, and the rollback or abort after a failure).
``_rehearsal`` is a rehearsal's result (``plan --rehearse``: the live state restored
into the new SQL, run by apply/rehearse/), which ``build_plan`` folds into its change.
``_state`` decides state
impacts and what a next start restores from, for plan, status, show and the console;
``_diffs`` and ``_text_diff`` show what changed, ``_effective`` what runs on the target
after its override; ``_migrate_observe`` sees a target moved to another cluster (or
another Flink) under running jobs and ``_migrate`` plans each as a migration;
``_pinned`` says what a pinned compiled plan (``compiledPlan: pin``) does;
``render`` draws a plan's text and markdown from its JSON; ``planfile`` saves and reads plan files.
"""

from flinkops.plan._changes import next_version
from flinkops.plan._diffs import sql_changed
from flinkops.plan._inputs import Observation, PlanOptions, Verdicts
from flinkops.plan._lineage import LineageView
from flinkops.plan._rehearsal import (
    Rehearsal,
    RehearsalOutcome,
    RehearseSettings,
    SnapshotKind,
    rehearsal_words,
)
from flinkops.plan._state import downgrade_reason, next_restore
from flinkops.plan._text_diff import config_diff, sql_diff
from flinkops.plan._types import (
    KINDS,
    PLAN_FORMAT_VERSION,
    Action,
    Applied,
    Attempt,
    Behind,
    Change,
    Compat,
    CompatBasis,
    Migration,
    Plan,
    StateImpact,
    TransitionKind,
)
from flinkops.plan.builder import build_plan, skip_reason
from flinkops.plan.rejections import SqlRejected

__all__ = [
    "KINDS",
    "PLAN_FORMAT_VERSION",
    "Action",
    "Applied",
    "Attempt",
    "Behind",
    "Change",
    "Compat",
    "CompatBasis",
    "LineageView",
    "Migration",
    "Observation",
    "Plan",
    "PlanOptions",
    "Rehearsal",
    "RehearsalOutcome",
    "RehearseSettings",
    "SnapshotKind",
    "SqlRejected",
    "StateImpact",
    "TransitionKind",
    "Verdicts",
    "build_plan",
    "config_diff",
    "downgrade_reason",
    "next_restore",
    "next_version",
    "rehearsal_words",
    "skip_reason",
    "sql_changed",
    "sql_diff",
]
