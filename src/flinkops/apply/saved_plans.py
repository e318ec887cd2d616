"""What the `apply` command runs: the plan of the jobs in scope (``plan_scope``) made
now, or a saved plan file's changes (read by ``flinkops.plan.planfile``), run only when
they are still exactly what apply would run (``accept_saved_plan``, ``stale_reasons``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from flinkops.apply.refusals import refuse_errors
from flinkops.errors import StalePlan
from flinkops.plan import Action, Plan, PlanOptions, Rehearsal, RehearseSettings, SqlRejected
from flinkops.plan.builder import with_rehearsal
from flinkops.plan.steps import Rehearse, step_from_json
from flinkops.redact import MASK

if TYPE_CHECKING:
    from flinkops.workspace import Workspace

__all__ = [
    "PlanScope",
    "accept_saved_plan",
    "plan_for_apply",
    "plan_scope",
    "saved_plan",
    "stale_reasons",
]


@dataclass(frozen=True)
class PlanScope:
    """What apply plans: ``only`` those jobs (None: every one), with pruning, with
    failed specs retried or not, and with jobs the checkout is behind allowed or not
    (``Workspace.make_plan``'s arguments)."""

    only: list[str] | None
    prune: bool
    retry_failed: bool
    allow_behind: bool = False


def plan_scope(
    jobs: Sequence[str],
    saved: dict[str, Any] | None,
    *,
    prune: bool,
    retry_failed: bool,
    allow_behind: bool = False,
) -> PlanScope:
    """The --job names, else the jobs of the saved plan; pruning, retrying and allowing
    a checkout behind the cluster when asked, or when the saved plan did (it deletes a
    job, it was made with --retry-failed or --allow-behind), so that the fresh plan it
    is checked against is made the same way. Pure."""
    if not saved:
        return PlanScope(list(jobs) or None, prune, retry_failed, allow_behind)
    return PlanScope(
        list(jobs) or sorted({c["job"] for c in saved["changes"]}),
        prune or any(c["action"] == Action.DELETE for c in saved["changes"]),
        retry_failed or bool(saved.get("retry_failed")),
        allow_behind or bool(saved.get("allow_behind")),
    )


def plan_for_apply(
    ws: Workspace,
    saved: dict[str, Any] | None,
    jobs: Sequence[str],
    *,
    prune: bool,
    retry_failed: bool,
    allow_behind: bool = False,
    rehearse: RehearseSettings | None = None,
) -> Plan:
    """What apply runs: the plan of the jobs in scope (``plan_scope``) made now, or the
    saved plan file's changes when they are still what it would run (``accept_saved_plan``);
    ``rehearse`` (apply --rehearse) puts a ``rehearse`` step before each stop."""
    ws.require_jobs(jobs)
    if saved is not None:
        refuse_errors([SqlRejected.from_json(e) for e in saved.get("errors") or []])
    scope = plan_scope(
        jobs, saved, prune=prune, retry_failed=retry_failed, allow_behind=allow_behind
    )
    plan = ws.make_plan(
        only=scope.only,
        prune=scope.prune,
        retry_failed=scope.retry_failed,
        allow_behind=scope.allow_behind,
        options=PlanOptions(rehearse=rehearse),
    )
    if saved is None:
        return plan
    return accept_saved_plan(saved, plan, ws.redact(plan.to_json()))


def accept_saved_plan(saved: dict[str, Any], fresh: Plan, fresh_json: dict[str, Any]) -> Plan:
    """The plan to run for a saved plan file: its changes (``saved_plan``) when they are
    what apply would run now. ``fresh`` is the plan made now and ``fresh_json`` its JSON
    form redacted, as plan files are written. StalePlan, saying what moved and what to
    run next, when anything did (``stale_reasons``)."""
    reasons = stale_reasons(saved, fresh_json)
    if reasons:
        raise StalePlan(
            "the plan is stale: " + "; ".join(reasons) + ". Run `flinkops plan --out FILE` again."
        )
    return saved_plan(saved, fresh)


def stale_reasons(saved: dict[str, Any], fresh: Plan | dict[str, Any]) -> list[str]:
    """What moved between a saved plan file and what the cluster and store say now
    (``fresh``: a new plan, or its redacted JSON form), down to each change's action,
    version and steps: apply runs a saved plan only when it would do exactly that."""
    now = fresh if isinstance(fresh, dict) else fresh.to_json()
    reasons = []
    if saved.get("target") != now["target"]:
        reasons.append(f"the plan is for target {saved.get('target')!r}, not {now['target']!r}")
    old_obs, new_obs = saved.get("observed", {}), now["observed"]
    for job in sorted(set(old_obs) | set(new_obs)):
        a, b = old_obs.get(job), new_obs.get(job)
        if a is None or b is None:
            reasons.append(f"{job}: {'appeared' if a is None else 'is gone'} since the plan")
            continue
        for key, label in (
            ("spec_hash", "spec"),
            ("job_id", "live job"),
            ("state", "live state"),
            ("applied_version", "applied version"),
            ("version", "version to record"),
        ):
            if a.get(key) != b.get(key):
                reasons.append(f"{job}: {label} was {a.get(key)}, now {b.get(key)}")
    fresh_changes = {c["job"]: c for c in now["changes"]}
    for c in saved.get("changes", []):
        f = fresh_changes.get(c["job"])
        if f is None or _moved(reasons, c["job"]):
            continue
        if (c["action"], _acting(c)) != (f["action"], _acting(f)):
            reasons.append(f"{c['job']}: the plan's steps are not what apply would run now")
    return reasons


def _acting(change: dict[str, Any]) -> list[dict[str, Any]]:
    """A change's steps but its rehearsal: apply --rehearse adds one to a saved plan."""
    return [s for s in change.get("steps") or [] if s.get("kind") != Rehearse.kind]


def _moved(reasons: list[str], job: str) -> bool:
    return any(r.startswith(f"{job}: ") for r in reasons)


def saved_plan(saved: dict[str, Any], fresh: Plan) -> Plan:
    """The changes of a saved plan file, to run exactly as saved (after
    ``stale_reasons`` found nothing): its steps, with the fresh plan's change around
    them (diffs, lineage). A step the file holds with a masked secret (a savepoint
    directory with credentials, say) is taken from the fresh plan, where the
    staleness check found it equal. A ``rehearse`` step is the fresh plan's (apply
    --rehearse asks for it now). The saved change's rehearsal goes with it: the
    staleness check found the same live job and spec it rehearsed, so a refusal
    still holds and apply refuses the change (``with_rehearsal``)."""
    changes = []
    for c in saved["changes"]:
        if c["action"] == Action.NOOP:
            continue
        current = fresh.change(c["job"])
        rehearse = [s for s in current.steps if isinstance(s, Rehearse)]
        acting = [s for s in current.steps if not isinstance(s, Rehearse)]
        steps = [
            fresh_step if MASK in json.dumps(s) else step_from_json(s)
            for s, fresh_step in zip(_acting(c), acting, strict=True)
        ]
        rehearsal = Rehearsal.from_json(c["rehearsal"]) if c.get("rehearsal") else None
        changes.append(with_rehearsal(replace(current, steps=(*rehearse, *steps)), rehearsal))
    return replace(fresh, changes=tuple(changes))
