"""Building the plan in one pass: per job, what apply will do and what happens to its state.

``build_plan`` is pure (docs/style.md §5): it is handed the specs, the one
``Observation`` of the cluster and the store (``_inputs.py``, read by
``plan/observe.py``), Flink's ``Verdicts``, the ``LineageView`` and the
``PlanOptions``, and returns the final, frozen ``Plan``: every change with its
action (``_actions.spec_action``, in-place rescales included), its state impact and
restore (``_state.py``), and its steps. It does no I/O, and nothing rewrites its plan
afterwards. Each change has an ``Action`` that drives apply and a ``reason`` for
display only (§7). The plan records what it observed, so apply can refuse a stale
plan (§9).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from flinkops.flink.live import LiveJob
from flinkops.plan._actions import blocking_attempt
from flinkops.plan._changes import ChangeInputs, decide, orphan
from flinkops.plan._inputs import Observation, PlanOptions, Verdicts
from flinkops.plan._lineage import LineageView
from flinkops.plan._live_views import current_live, live_warnings
from flinkops.plan._state import downgrade_reason
from flinkops.plan._types import Action, Applied, Attempt, Change, Plan, StateImpact
from flinkops.plan.steps import spec_steps
from flinkops.spec import JobSpec
from flinkops.store import JournalPhase, Transition

__all__ = ["build_plan"]

# ---------------------------------------------------------------- build_plan


def build_plan(
    specs: Sequence[JobSpec],
    observation: Observation,
    verdicts: Verdicts | None = None,
    lineage: LineageView | None = None,
    options: PlanOptions | None = None,
) -> Plan:
    """Decide one change per job, in one pass. Pure: no I/O, no clock, no randomness.

    ``observation`` is what the cluster and the store said (every job the cluster lists,
    each job's applied version and newest attempt, the transitions left open);
    ``verdicts`` Flink's verdict per job whose SQL changed; ``lineage`` what the plan
    shows of lineage; ``options`` prune, the jobs planned and whether failed versions
    are retried. New versions are numbered after every version recorded, and a spec
    whose newest version failed or was rolled back is BLOCKED unless
    ``options.retry_failed``. Each change carries the steps apply will run.
    """
    verdicts = verdicts or Verdicts()
    lineage = lineage or LineageView()
    options = options or PlanOptions()
    inputs = ChangeInputs(
        observation.default_savepoint_dir,
        observation.adaptive_scheduler,
        verdicts.compat,
        lineage,
        observation.attempts,
        options,
    )
    by_name = current_live(observation.live)
    changes = [
        *_spec_changes(specs, by_name, observation.applied, inputs, observation.flink_version),
        *_orphan_changes(by_name, {s.name for s in specs}, observation.applied, inputs),
    ]
    warnings = (
        *_interrupted(observation.open_transitions),
        *live_warnings(changes, observation.live),
        *verdicts.warnings,
        *lineage.warnings,
    )
    return Plan(
        target=observation.target,
        url=observation.url,
        changes=tuple(changes),
        unmanaged=_unmanaged(observation.live),
        warnings=warnings,
        flink_version=observation.flink_version,
        created_at=observation.at,
        extra=_extra(changes, lineage, options),
    )


def _extra(changes: Sequence[Change], lineage: LineageView, options: PlanOptions) -> dict[str, Any]:
    """What the plan's JSON carries beyond its changes: the lineage chart of the changed
    jobs, and whether failed versions are retried."""
    mermaid = lineage.mermaid({c.job for c in changes if c.action is not Action.NOOP})
    extra: dict[str, Any] = {"lineage_mermaid": mermaid} if mermaid else {}
    if options.retry_failed:
        extra["retry_failed"] = True
    return extra


def _interrupted(transitions: Sequence[Transition]) -> list[str]:
    """Transitions an apply left open (killed, or the cluster stopped answering)."""
    out = []
    for t in transitions:
        last = t.steps[-1] if t.steps else None
        where = f" at step '{last.step}' ({last.phase})" if last else ""
        if any(e.phase == JournalPhase.FAILED and e.data.get("then") for e in t.steps):
            where = f" (it was rolling back or cleaning up){where}"
        out.append(
            f"{t.job}: an earlier apply's {t.action} did not finish{where} (transition "
            f"{t.id}, started {t.started_at}); the next apply finishes or rolls it "
            "back first"
        )
    return out


def _unmanaged(live: Sequence[LiveJob]) -> tuple[LiveJob, ...]:
    """The jobs without flinkops's identity, by name: listed, never touched."""
    return tuple(
        sorted((j for j in live if j.managed_name is None), key=lambda j: (j.name, j.job_id))
    )


def _spec_changes(
    specs: Sequence[JobSpec],
    by_name: Mapping[str, LiveJob],
    applied: Mapping[str, Applied],
    inputs: ChangeInputs,
    flink_version: str,
) -> list[Change]:
    """One change per planned spec, by name: decided, blocked if so (a failed version,
    or a restore into an older Flink than wrote the state), with its steps."""
    changes = []
    for spec in sorted(specs, key=lambda s: s.name):
        if not inputs.options.planned(spec.name):
            continue
        change = decide(spec, by_name.get(spec.name), applied.get(spec.name), inputs)
        attempt = blocking_attempt(
            spec,
            change.action,
            inputs.attempts.get(spec.name),
            retry_failed=inputs.options.retry_failed,
        )
        if attempt is not None:
            change = _blocked(change, attempt)
        change = _downgrade(change, applied.get(spec.name), flink_version)
        changes.append(_with_steps(change, spec, inputs))
    return changes


def _orphan_changes(
    by_name: Mapping[str, LiveJob],
    spec_names: set[str],
    applied: Mapping[str, Applied],
    inputs: ChangeInputs,
) -> list[Change]:
    """One change per active managed job whose spec is gone, by name."""
    return [
        _with_steps(orphan(job, applied.get(name), inputs.options.prune), None, inputs)
        for name, job in sorted(by_name.items())
        if name not in spec_names and inputs.options.planned(name) and job.active
    ]


def _blocked(change: Change, attempt: Attempt) -> Change:
    """``change`` held back by the failed ``attempt`` of the same spec
    (``_actions.blocking_attempt``)."""
    return replace(
        change,
        action=Action.BLOCKED,
        state=StateImpact.NONE,
        reason=f"version {attempt.version} of this spec {attempt.became}; change the "
        "spec, or plan and apply with --retry-failed to try it again",
        state_reason="left as it is",
        version=attempt.version,
        blocked=attempt,
        restore_from=None,
        missing_savepoint_dir=False,
        parallelism=None,
        previous_parallelism=None,
    )


def _downgrade(change: Change, applied: Applied | None, flink_version: str) -> Change:
    """``change`` blocked when it would restore a savepoint written by a newer Flink
    than the cluster runs (``_state.downgrade_reason``): Flink refuses it."""
    if not change.action.starts or applied is None or applied.savepoint is None:
        return change
    if change.restore_from != applied.savepoint:
        return change
    why = downgrade_reason(applied.savepoint, applied.savepoint_flink_version, flink_version)
    if why is None:
        return change
    return replace(
        change,
        action=Action.BLOCKED,
        state=StateImpact.NONE,
        reason=f"cannot {change.action.value}: {why}",
        state_reason="left as it is",
        restore_from=None,
        missing_savepoint_dir=False,
        parallelism=None,
        previous_parallelism=None,
    )


def _with_steps(change: Change, spec: JobSpec | None, inputs: ChangeInputs) -> Change:
    """``change`` with the steps apply will run for it (none for a noop or a block)."""
    if change.action in (Action.NOOP, Action.BLOCKED) or change.version is None:
        return change
    return replace(change, steps=tuple(spec_steps(change, spec, inputs.default_savepoint_dir)))
