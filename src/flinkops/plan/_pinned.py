"""What a plan says of a spec's pinned compiled plan (``compiledPlan: pin``). Pure.

Apply submits a pinned spec from the JSON plan kept for its SQL (``apply/_pinned.py``),
or compiles one when none is kept. A change of the SQL needs a new plan, whose operator
ids are what Flink's planner gives the new SQL: the plan says so beside the state
verdict (the graphs compared there are the same ones the new plan holds). Keeping the
plan is what lets a migration to a new Flink run the old topology.
"""

from __future__ import annotations

from dataclasses import replace

from flinkops.plan._diffs import sql_changed
from flinkops.plan._types import Applied, Change
from flinkops.spec import JobSpec

__all__ = ["with_pinned_plan"]


def with_pinned_plan(change: Change, spec: JobSpec, applied: Applied | None) -> Change:
    """``change`` with a state reason on its compiled plan when ``spec`` pins one."""
    if not spec.pins_plan or not change.action.starts:
        return change
    if applied is None or sql_changed(spec, applied):
        why = (
            "compiledPlan: pin: the SQL is new, so apply compiles a new plan (COMPILE PLAN) "
            "and keeps it with the version; its operator ids are what Flink's planner gives "
            "this SQL"
        )
    else:
        why = (
            "compiledPlan: pin: submitted from the plan kept for this SQL (EXECUTE PLAN), "
            "so the operator topology does not move (compiled now if none is kept)"
        )
    return replace(change, state_reasons=(*change.state_reasons, why))
