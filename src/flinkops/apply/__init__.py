"""Applying: carrying a plan out on the cluster, journaled step by step, and the only
package that changes a job (submit, stop, cancel, rescale, roll back, restore).
May import plan, workspace, savepoints, spec, sql, flink, store, redact, gitinfo, errors.

``applier`` opens one journaled transition per change and hands its steps to the one
``step_runner``, which waits through ``health`` (and ``flowing``, the recordsFlowing
gate), stops jobs through ``_stopping`` (a stop journaled before it is sent and found
again after a fault) and records versions through ``versions``; ``recover`` finishes what a killed
apply left open, with the same runner. ``run_state`` is what the three share: the
``Run`` being carried out and its typed ``RunState``. ``restore`` is `flinkops restore --from`;
``openlineage`` sends the applied versions' lineage (`apply --openlineage`).
"""

from flinkops.apply.applier import (
    Applier,
    ApplyResult,
    JobResult,
    PlanScope,
    accept_saved_plan,
    carry_out,
    needs_confirmation,
    plan_for_apply,
    plan_scope,
    rollback_plan,
    saved_plan,
    stale_reasons,
)

__all__ = [
    "Applier",
    "ApplyResult",
    "JobResult",
    "PlanScope",
    "accept_saved_plan",
    "carry_out",
    "needs_confirmation",
    "plan_for_apply",
    "plan_scope",
    "rollback_plan",
    "saved_plan",
    "stale_reasons",
]
