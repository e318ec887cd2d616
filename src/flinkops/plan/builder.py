"""Building the plan in one pass: per job, what apply will do and what happens to its state.

``build_plan`` is pure (docs/style.md §5): it is handed the specs, the one
``Observation`` of the cluster and the store (``_inputs.py``, read by
``plan/observe.py``), Flink's ``Verdicts``, the ``LineageView`` and the
``PlanOptions``, and returns the final, frozen ``Plan``: every change with its
action (``_actions.spec_action``, in-place rescales included), its state impact and
restore (``_state.py``), and its steps; a change to a job the checkout is behind
(``Observation.behind``) is blocked (``held_back``), and so is one that would restore
a snapshot written by a newer Flink than the cluster runs (``held_downgrade``). A job
the store has running on another cluster than the target's is a migration
(``_migrate.py``; the plan's ``migration`` says so in its header). It does no I/O,
and nothing rewrites its plan afterwards. Each change has an ``Action`` that drives
apply and a ``reason`` for display only (§7). The plan records what it observed, so
apply can refuse a stale plan (§9).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from flinkops.flink.live import LiveJob
from flinkops.plan._actions import blocking_attempt, retried_attempt
from flinkops.plan._changes import ChangeInputs, decide, orphan
from flinkops.plan._inputs import Observation, PlanOptions, Verdicts
from flinkops.plan._lineage import LineageView
from flinkops.plan._live_views import current_live, live_warnings
from flinkops.plan._migrate import blocked_migration, migrated, old_runs
from flinkops.plan._pinned import with_pinned_plan
from flinkops.plan._rehearsal import REHEARSABLE_MODES, Rehearsal, RehearsalOutcome
from flinkops.plan._state import downgrade_reason
from flinkops.plan._types import Action, Applied, Attempt, Behind, Change, Plan, StateImpact
from flinkops.plan.rejections import SqlRejected
from flinkops.plan.steps import Rehearse, spec_steps
from flinkops.spec import JobSpec
from flinkops.store import JournalPhase, Transition

__all__ = ["build_plan", "held_back", "held_downgrade", "skip_reason", "with_rehearsal"]

# ---------------------------------------------------------------- build_plan


def build_plan(
    specs: Sequence[JobSpec],
    observation: Observation,
    verdicts: Verdicts | None = None,
    lineage: LineageView | None = None,
    options: PlanOptions | None = None,
    rehearsals: Mapping[str, Rehearsal] | None = None,
) -> Plan:
    """Decide one change per job, in one pass. Pure: no I/O, no clock, no randomness.

    ``observation`` is what the cluster and the store said (every job the cluster lists,
    each job's applied version and newest attempt, the transitions left open);
    ``verdicts`` Flink's verdict per job whose SQL changed; ``lineage`` what the plan
    shows of lineage; ``options`` prune, the jobs planned and whether failed versions
    are retried. New versions are numbered after every version recorded, and a spec
    whose newest version failed or was rolled back is BLOCKED unless
    ``options.retry_failed``; one whose SQL Flink's planner rejects is REJECTED (an
    error of the plan, ``Plan.errors``). Each change carries the steps apply will run.
    ``rehearsals``: per job, its rehearsal (``plan --rehearse``, ``with_rehearsal``).
    """
    verdicts = verdicts or Verdicts()
    lineage = lineage or LineageView()
    options = options or PlanOptions()
    inputs = _inputs(observation, verdicts, lineage, options)
    by_name = current_live(observation.live)
    decided = [
        *_spec_changes(specs, by_name, observation, inputs, verdicts),
        *_orphan_changes(by_name, {s.name for s in specs}, observation.applied, inputs),
    ]
    rehearsed = rehearsals or {}
    changes = [
        with_rehearsal(held_back(c, observation.behind.get(c.job), options.allow_behind),
                       rehearsed.get(c.job))
        for c in decided
    ]  # fmt: skip
    warnings = (
        *(observation.migration.notes if observation.migration else ()),
        *_interrupted(observation.open_transitions),
        *_behind_warnings(decided, observation.behind, options),
        *_retried(specs, changes, inputs),
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
        migration=observation.migration,
    )


def _inputs(
    observation: Observation, verdicts: Verdicts, lineage: LineageView, options: PlanOptions
) -> ChangeInputs:
    """What deciding each job's change reads besides its spec and live runs."""
    return ChangeInputs(
        observation.default_savepoint_dir,
        observation.adaptive_scheduler,
        verdicts.compat,
        lineage,
        observation.attempts,
        options,
        observation.failed_runs,
        observation.searched,
    )


def _extra(changes: Sequence[Change], lineage: LineageView, options: PlanOptions) -> dict[str, Any]:
    """What the plan's JSON carries beyond its changes: the lineage chart of the changed
    jobs, and whether failed versions are retried."""
    mermaid = lineage.mermaid({c.job for c in changes if c.action is not Action.NOOP})
    extra: dict[str, Any] = {"lineage_mermaid": mermaid} if mermaid else {}
    if options.retry_failed:
        extra["retry_failed"] = True
    if options.allow_behind:
        extra["allow_behind"] = True
    return extra


def _acts(change: Change) -> bool:
    return change.action not in (Action.NOOP, Action.BLOCKED, Action.REJECTED)


def held_back(change: Change, behind: Behind | None, allow_behind: bool) -> Change:
    """``change`` blocked when it would act on a job whose newest transition came from
    a commit the checkout lacks: carrying it out would undo that transition (a
    colleague's apply from a commit not pulled yet). ``allow_behind`` lifts it. Pure;
    `flinkops restore` (apply/restore.py) holds its change back by the same rule."""
    if behind is None or not behind.known or allow_behind or not _acts(change):
        return change
    reason = (
        f"behind the cluster: {behind.describe()}, which this checkout's history lacks, "
        "and applying would undo it; pull and plan again, or apply with --allow-behind"
    )
    return _held(change, Action.BLOCKED, reason, version=behind.version, behind=behind)


def _behind_warnings(
    changes: Sequence[Change], behind: Mapping[str, Behind], options: PlanOptions
) -> list[str]:
    """A job acted on although the checkout is behind it (``--allow-behind``), or may be
    (a shallow clone lacks the commit: it cannot be told)."""
    out = []
    for c in changes:
        b = behind.get(c.job)
        if b is None or not _acts(c):
            continue
        if not b.known:
            out.append(
                f"{c.job}: cannot tell whether this checkout is behind the cluster: "
                f"{b.describe()}, and this shallow clone lacks it; fetch the whole "
                "history (git fetch --unshallow, or fetch-depth: 0)"
            )
        elif options.allow_behind:
            out.append(
                f"{c.job}: {b.describe()}, which this checkout's history lacks; "
                "--allow-behind applies over it"
            )
    return out


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


def _retried(
    specs: Sequence[JobSpec], changes: Sequence[Change], inputs: ChangeInputs
) -> list[str]:
    """Specs whose version the cluster failed (a TaskManager lost, slots missing), which
    this plan tries again instead of blocking them."""
    by_job = {c.job: c for c in changes}
    out = []
    for spec in sorted(specs, key=lambda s: s.name):
        change = by_job.get(spec.name)
        if change is None:
            continue
        attempt = retried_attempt(
            spec, change.action, inputs.attempts.get(spec.name), inputs.failed_runs.get(spec.name)
        )
        if attempt is not None:
            cause = f" ({attempt.root_cause})" if attempt.root_cause else ""
            out.append(
                f"{spec.name}: the cluster failed version {attempt.version}{cause}, not its "
                f"spec; {change.action.value} tries it again"
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
    observation: Observation,
    inputs: ChangeInputs,
    verdicts: Verdicts,
) -> list[Change]:
    """One change per planned spec, by name: decided, blocked or rejected if so (a failed
    version; SQL Flink rejects; a restore into an older Flink than wrote the state,
    ``held_downgrade``), with its steps."""
    applied, old = observation.applied, old_runs(observation.old_live)
    rejected = verdicts.rejected
    changes = []
    for spec in sorted(specs, key=lambda s: s.name):
        if not inputs.options.planned(spec.name):
            continue
        change = decide(spec, by_name.get(spec.name), applied.get(spec.name), inputs)
        change = migrated(
            change,
            observation.migration,
            old.get(spec.name),
            inputs.compat.get(spec.name),
            verdicts.upgrade.get(spec.name),
        )
        change = with_pinned_plan(change, spec, applied.get(spec.name))
        cannot = blocked_migration(change, observation.migration)
        attempt = blocking_attempt(
            spec,
            change.action,
            inputs.attempts.get(spec.name),
            failed_run=inputs.failed_runs.get(spec.name),
            retry_failed=inputs.options.retry_failed,
        )
        if attempt is not None:
            change = _blocked(change, attempt)
        elif cannot is not None:
            change = _held(change, Action.BLOCKED, cannot, version=change.applied_version)
        elif spec.name in rejected:
            change = _rejected(change, rejected[spec.name])
        else:
            last = applied.get(spec.name)
            ours = last is not None and last.savepoint == change.restore_from
            written = last.savepoint_flink_version if last and ours else None
            change = held_downgrade(change, written, observation.flink_version)
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


def _held(change: Change, action: Action, reason: str, **fields: Any) -> Change:
    """``change`` left as it is (blocked or rejected): no state touched, nothing restored
    or rescaled, with ``reason``."""
    return replace(
        change,
        action=action,
        state=StateImpact.NONE,
        reason=reason,
        state_reasons=("left as it is",),
        restore_from=None,
        missing_savepoint_dir=False,
        loses_state=False,
        parallelism=None,
        previous_parallelism=None,
        steps=(),
        **fields,
    )


def _blocked(change: Change, attempt: Attempt) -> Change:
    """``change`` held back by the failed ``attempt`` of the same spec
    (``_actions.blocking_attempt``)."""
    reason = (
        f"version {attempt.version} of this spec {attempt.became}; change the "
        "spec, or plan and apply with --retry-failed to try it again"
    )
    return _held(change, Action.BLOCKED, reason, version=attempt.version, blocked=attempt)


def held_downgrade(
    change: Change, written_by: str | None, flink_version: str, doing: str = ""
) -> Change:
    """``change`` blocked when the snapshot it restores (``restore_from``) was written by
    Flink ``written_by``, newer than the cluster's ``flink_version``
    (``_state.downgrade_reason``): Flink refuses it, and no job would be left running.
    ``doing`` names the change in its reason (default: its action). Pure; `flinkops
    restore` (apply/restore.py) holds its change back by the same rule."""
    if not change.action.starts or change.restore_from is None:
        return change
    why = downgrade_reason(change.restore_from, written_by, flink_version)
    if why is None:
        return change
    reason = f"cannot {doing or change.action.value}: {why}"
    return _held(change, Action.BLOCKED, reason, version=change.applied_version)


def _rejected(change: Change, rejected: SqlRejected) -> Change:
    """``change`` refused: Flink's planner rejects its SQL, so apply would only fail
    (and, for an update, stop a healthy job first). The plan's error; no steps."""
    reason = f"{change.action} refused: Flink rejects the SQL at {rejected.where}"
    return _held(change, Action.REJECTED, reason, version=None, rejected=rejected)


def _with_steps(change: Change, spec: JobSpec | None, inputs: ChangeInputs) -> Change:
    """``change`` with the steps apply will run for it (none for a noop, a block or a
    rejection)."""
    if change.action in (Action.NOOP, Action.BLOCKED, Action.REJECTED) or change.version is None:
        return change
    steps = spec_steps(change, spec, inputs.default_savepoint_dir)
    settings = inputs.options.rehearse
    if settings is not None and skip_reason(change) is None:
        steps.insert(0, Rehearse.of(settings))  # before the live job is stopped
    return replace(change, steps=tuple(steps))


# ---------------------------------------------------------------- rehearsals


def skip_reason(change: Change) -> str | None:
    """Why ``change`` cannot be rehearsed (None: it can be): only an update or a restart
    of a RUNNING job whose upgrade mode restores state has a live state to rehearse."""
    if change.action not in (Action.UPDATE, Action.RESTART):
        return "not an update of a running job"
    if change.live is None or not change.live.active:
        return "the job does not run: there is no live state to snapshot"
    if change.upgrade_mode not in REHEARSABLE_MODES:
        return f"upgradeMode {change.upgrade_mode}: the update starts without state"
    if change.live.state != "RUNNING":
        return f"the live job is {change.live.state}, not RUNNING"
    return None


def with_rehearsal(change: Change, rehearsal: Rehearsal | None) -> Change:
    """``change`` carrying ``rehearsal``. Refused (Flink refused the state): the change is
    incompatible, Flink's root cause its first reason, so apply refuses it and the plan
    exits 1. Any other outcome leaves the verdict as it was: a restored rehearsal proves
    the bytes restore, not what they mean (an at-risk change stays at-risk)."""
    if rehearsal is None or change.action in (Action.BLOCKED, Action.REJECTED):
        return change
    if rehearsal.outcome is not RehearsalOutcome.REFUSED:
        return replace(change, rehearsal=rehearsal)
    why = f"rehearsal: Flink refused the state: {rehearsal.root_cause or rehearsal.reason}"
    return replace(
        change,
        rehearsal=rehearsal,
        state=StateImpact.INCOMPATIBLE,
        state_reasons=(why, *change.state_reasons),
    )
