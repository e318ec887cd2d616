"""Rehearsals (`plan --rehearse`, `apply --rehearse`): each update of a running job that
restores its state is tried first on a rehearsal cluster, from a snapshot of the live
job, with every sink replaced and every source committing nothing; the result is the
change's ``Rehearsal`` (plan/_rehearsal.py). Part of apply, the package that submits and
cancels jobs; may import what apply may.

``_sql`` makes a job's SQL harmless (pure); ``_run`` runs one rehearsal (the adapter);
``rehearse_plan`` rehearses a plan's changes, at most ``concurrency`` at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from flinkops.apply.rehearse._run import REHEARSAL_CONFIGURATION, Rehearser, refused_state
from flinkops.apply.rehearse._sql import RehearsalSql, rehearsal_sql
from flinkops.plan import Action, Change, Plan, Rehearsal, RehearsalOutcome, skip_reason
from flinkops.spec import JobSpec

__all__ = [
    "REHEARSAL_CONFIGURATION",
    "RehearsalSql",
    "Rehearser",
    "refused_state",
    "rehearsal_sql",
    "rehearse_plan",
]

#: The actions whose change may restore a running job's state: each gets a rehearsal
#: block (skipped, with the reason, when there is nothing to rehearse).
_REPLACING = (Action.UPDATE, Action.RESTART)


def rehearse_plan(
    plan: Plan, specs: Sequence[JobSpec], rehearser: Rehearser
) -> dict[str, Rehearsal]:
    """Per update or restart of ``plan``, its rehearsal: skipped with the reason when it
    has no live state to rehearse, else run, at most ``settings.concurrency`` at once."""
    by_name = {s.name: s for s in specs}
    results: dict[str, Rehearsal] = {}
    todo: list[tuple[Change, JobSpec]] = []
    for change in plan.changes:
        if change.action not in _REPLACING:
            continue
        spec = by_name.get(change.job)
        why = skip_reason(change) or (None if spec else "the job's spec is gone")
        if why is not None or spec is None:
            results[change.job] = Rehearsal(RehearsalOutcome.SKIPPED, why or "")
        else:
            todo.append((change, spec))
    workers = max(1, min(rehearser.settings.concurrency, len(todo) or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = pool.map(lambda w: rehearser.rehearse(w[0].job, _live_id(w[0]), w[1]), todo)
        results.update({change.job: r for (change, _), r in zip(todo, done, strict=True)})
    return results


def _live_id(change: Change) -> str:
    assert change.live is not None, f"{change.job}: a rehearsal needs the running job"
    return change.live.job_id
