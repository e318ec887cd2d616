"""What apply refuses before it asks anything or touches a job: a plan with errors
(SQL Flink's planner rejects: ``refuse_errors``, as terraform refuses a plan with
errors), a change whose state Flink is sure to refuse (``refuse_incompatible``), and,
without ``--allow-state-loss``, a change that would lose a job's state
(``refuse_state_loss``). Each raises ApplyError saying what to do next. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence

from flinkops.errors import ApplyError
from flinkops.plan import Action, Change, Plan, SqlRejected, StateImpact

__all__ = ["refuse_errors", "refuse_incompatible", "refuse_state_loss"]


def refuse_errors(errors: Sequence[SqlRejected]) -> None:
    """ApplyError naming each error when there are any: a plan with errors (SQL Flink's
    planner rejects) is refused whole, so no job is stopped for SQL that cannot start,
    and the jobs it holds are applied together once it is fixed."""
    if not errors:
        return
    listed = ", ".join(f"{e.job} ({e.where}: {e.message})" for e in errors)
    raise ApplyError(
        f"refusing to apply a plan with errors: Flink rejects the SQL of {listed}. "
        "Nothing was changed; fix the spec and plan again "
        "(`flinkops validate --target NAME` compiles every spec first)"
    )


def refuse_incompatible(plan: Plan) -> None:
    """Refuse a plan that would restore state Flink is sure to refuse (state
    ``incompatible``), before anything is touched, saying how to proceed."""
    bad = [c for c in plan.changes if c.action.starts and c.state is StateImpact.INCOMPATIBLE]
    if not bad:
        return
    why = "; ".join(f"{c.job}: {'; '.join(c.state_reasons)}" for c in bad)
    raise ApplyError(
        f"refusing to apply: Flink would refuse to restore the state of "
        f"{', '.join(c.job for c in bad)} ({why}). Nothing was changed; the running jobs "
        "keep running. To go on, change the SQL or configuration so the state fits, or "
        "accept starting without state: commit the change together with "
        "`upgradeMode: stateless` (it starts empty and is recorded so) and set "
        "`upgradeMode` back afterwards (recorded without a restart)"
    )


def refuse_state_loss(changes: Sequence[Change]) -> None:
    """ApplyError naming each change that would lose a job's state and why: a stop
    without a savepoint directory, or a start from empty state where an earlier run had
    state and no snapshot of it was found (the plan's state reason says where it
    looked). ``--allow-state-loss`` (or ``upgradeMode: stateless``) lets them through,
    under ``--auto-approve`` too."""
    lines = [
        f"{c.job}: "
        + (
            "no savepoint directory (set savepointDir on the job or target)"
            if c.missing_savepoint_dir
            else f"{c.action} starts it empty: {'; '.join(c.state_reasons)}"
        )
        for c in changes
        if (c.missing_savepoint_dir or c.loses_state)
        and c.action not in (Action.NOOP, Action.BLOCKED)
    ]
    if lines:
        raise ApplyError(
            "refusing to lose the state of " + "; of ".join(lines) + ". Nothing was "
            "changed; pass --allow-state-loss to start without it (or set upgradeMode: "
            "stateless)"
        )
