"""Each change of a plan, built by its action: its reason (for people, §7), state impact,
what it restores from (``_state.py``), diffs and the version apply records. Pure.

``decide`` builds the change of a spec from the action ``_actions.spec_action``
gives, ``orphan`` that of a managed job whose spec is gone; ``builder.build_plan``
blocks, adds the steps and assembles the plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flinkops.flink.live import LiveJob
from flinkops.plan._actions import spec_action
from flinkops.plan._config_rules import reaches_state
from flinkops.plan._diffs import change_diffs, config_change, restore_changed, what_changed
from flinkops.plan._effective import effective_spec
from flinkops.plan._inputs import PlanOptions
from flinkops.plan._lineage import LineageView
from flinkops.plan._state import restore_rule, restore_verdict, update_impact
from flinkops.plan._types import Action, Applied, Attempt, Change, Compat, StateImpact
from flinkops.plan.rescale import NOT_ADAPTIVE, rescalable, rescale_fields
from flinkops.spec import JobSpec
from flinkops.store import RUNNING_OUTCOMES, Outcome

__all__ = ["ChangeInputs", "decide", "next_version", "orphan"]


@dataclass(frozen=True)
class ChangeInputs:
    """What every change reads besides its own spec, run and applied version
    (``build_plan`` makes it from the observation, the verdicts and the options)."""

    default_savepoint_dir: str | None
    adaptive: bool
    compat: Mapping[str, Compat]
    lineage: LineageView
    attempts: Mapping[str, Attempt]
    options: PlanOptions
    failed_runs: Mapping[str, Attempt] = field(default_factory=dict)
    #: per job whose run stopped or is gone: where its snapshots were looked for
    searched: Mapping[str, str] = field(default_factory=dict)


def orphan(job: LiveJob, applied: Applied | None, prune: bool) -> Change:
    assert job.managed_name is not None
    if prune:
        return Change(
            job=job.managed_name,
            action=Action.DELETE,
            state=StateImpact.LOST,
            reason="its spec was removed; --prune cancels it",
            state_reasons=("the job is cancelled without a savepoint",),
            live=job,
            spec_hash=job.spec_hash,
            version=applied.version if applied else job.version,
            applied_version=applied.version if applied else None,
        )
    return Change(
        job=job.managed_name,
        action=Action.NOOP,
        state=StateImpact.NONE,
        reason="its spec was removed; left running (plan with --prune to delete it)",
        live=job,
        spec_hash=job.spec_hash,
        applied_version=applied.version if applied else None,
    )


def decide(
    spec: JobSpec, live: LiveJob | None, applied: Applied | None, inputs: ChangeInputs
) -> Change:
    """The change of ``spec``, built by its action (``_actions.spec_action``)."""
    action = spec_action(spec, live, applied, adaptive=inputs.adaptive)
    base: dict[str, Any] = {
        "job": spec.name,
        "upgrade_mode": spec.upgrade_mode,
        "spec_hash": spec.spec_hash,
        "live": live,
        "applied_version": applied.version if applied else None,
        "effective": effective_spec(spec, inputs.default_savepoint_dir),
    }
    if action is Action.NOOP:
        return _noop(base, _noop_reason(spec, live, applied))
    if action in (Action.SUSPEND, Action.CANCEL):
        assert live is not None
        return _stop(spec, live, applied, inputs, base, action)
    if live is not None and live.active:
        if action is Action.RESCALE:
            return _rescale(spec, live, applied, inputs, base)
        if action is Action.RECORD:
            assert applied is not None
            return _record(spec, live, applied, inputs, base)
        return _update(spec, live, applied, inputs, base, action)
    return _start(spec, live, applied, inputs, base, action)


def _noop_reason(spec: JobSpec, live: LiveJob | None, applied: Applied | None) -> str:
    """Why nothing changes: in sync, or desired stopped and nothing runs."""
    if spec.state == "running":
        assert live is not None
        if applied is not None and applied.spec_hash != spec.spec_hash:
            return "running the spec (store had another version)"
        return f"running, in sync (version {live.version})"
    word = "suspended" if spec.state == "suspended" else "cancelled"
    if applied is None and live is None:
        return f"not started (desired state: {word})"
    if applied and applied.outcome == Outcome.SUSPENDED and applied.savepoint:
        if spec.state == "suspended":
            return f"suspended, savepoint kept: {applied.savepoint}"
        return (
            f"not running (desired state: {word}); the savepoint of its suspend is kept "
            f"and state: running resumes from it ({applied.savepoint})"
        )
    return f"not running (desired state: {word})"


def _stop(
    spec: JobSpec,
    live: LiveJob,
    applied: Applied | None,
    inputs: ChangeInputs,
    base: dict[str, Any],
    action: Action,
) -> Change:
    """Desired suspended or cancelled and a run is active: stop it."""
    version = applied.version if applied else live.version
    if action is Action.SUSPEND:
        has_sp_dir = bool(spec.savepoint_dir or inputs.default_savepoint_dir)
        impact, why = StateImpact.PRESERVED, "stopped with a savepoint; resume restores it"
        if not has_sp_dir:
            impact, why = StateImpact.LOST, "no savepoint directory (set savepointDir)"
        return Change(
            **base,
            action=Action.SUSPEND,
            state=impact,
            reason="desired state is suspended",
            state_reasons=(why,),
            missing_savepoint_dir=not has_sp_dir,
            version=version,
        )
    return Change(
        **base,
        action=Action.CANCEL,
        state=StateImpact.LOST,
        reason="desired state is cancelled",
        state_reasons=("cancelled without a savepoint: its state is discarded",),
        version=version,
    )


def _noop(base: dict[str, Any], reason: str) -> Change:
    return Change(**base, action=Action.NOOP, state=StateImpact.NONE, reason=reason)


def _next_version(
    applied: Applied | None, live: LiveJob | None, inputs: ChangeInputs, job: str
) -> int:
    """The number apply records: after every version the store or the cluster knows,
    failed and rolled-back ones included."""
    attempt = inputs.attempts.get(job)
    return next_version(
        applied.version if applied else None,
        live.version if live else None,
        attempt.version if attempt else None,
    )


def next_version(*known: int | None) -> int:
    """The version apply records next: one after every number the store or the cluster
    knows for the job, failed and rolled-back versions included. Pure."""
    return max((n for n in known if n), default=0) + 1


def _extras(spec: JobSpec, inputs: ChangeInputs) -> dict[str, Any]:
    return {
        "lineage": inputs.lineage.diffs.get(spec.name),
        "downstream": tuple(inputs.lineage.downstream.get(spec.name, ())),
    }


def _update(
    spec: JobSpec,
    live: LiveJob,
    applied: Applied | None,
    inputs: ChangeInputs,
    base: dict[str, Any],
    action: Action,
) -> Change:
    """A live job that is not the spec: update it (or restart it when only it drifted)."""
    diffs = change_diffs(spec, applied)
    what = what_changed(diffs)
    drift = applied is not None and live.spec_hash != applied.spec_hash
    if applied is not None and drift:
        reason = (
            f"drift: the live job (version {live.version}) is not the last applied "
            f"version {applied.version}"
        )
        if action is Action.RESTART:
            reason += "; resubmit the applied version"
        elif what:
            reason += "; " + " and ".join(what) + " changed"
    elif what:
        reason = " and ".join(what) + " changed"
    elif applied is None:
        reason = "spec changed (no applied version in the store to diff against)"
    else:
        reason = "spec changed (only in values not shown, such as secrets)"
    if rescalable(spec, live, applied):  # and the cluster cannot: spec_action said UPDATE
        reason += NOT_ADAPTIVE
    has_sp_dir = bool(spec.savepoint_dir or inputs.default_savepoint_dir)
    impact, why = update_impact(
        spec,
        inputs.compat.get(spec.name),
        has_sp_dir,
        drift=drift,
        changed=applied is None or restore_changed(spec, applied),
    )
    if applied is not None and not drift:
        why = (*why, *_neutral_note(spec, applied))
    if impact is StateImpact.LOST and spec.upgrade_mode == "stateless":
        reason += "; starts without state (upgradeMode: stateless)"
    restore = restore_rule(spec.upgrade_mode, running=True, outcome=None, known=None)
    return Change(
        **base,
        **diffs,
        **_extras(spec, inputs),
        action=action,
        state=impact,
        reason=reason,
        state_reasons=why,
        restore_from=restore.plan_words,
        version=_next_version(applied, live, inputs, spec.name),
        missing_savepoint_dir=spec.upgrade_mode == "savepoint" and not has_sp_dir,
    )


def _neutral_note(spec: JobSpec, applied: Applied) -> tuple[str, ...]:
    """A note naming configuration keys that changed but reach neither plan nor state."""
    keys = config_change(spec, applied).keys()
    neutral = [k for k in keys if k not in reaches_state(keys)]
    if not neutral:
        return ()
    return (f"{', '.join(neutral)} changed: reaches neither the plan nor the state",)


def _record(
    spec: JobSpec,
    live: LiveJob,
    applied: Applied,
    inputs: ChangeInputs,
    base: dict[str, Any],
) -> Change:
    """Only how the job is applied changed (``_actions.only_how_applied_changed``): the
    new version is recorded on the running job, which keeps running untouched."""
    diffs = change_diffs(spec, applied)
    before = applied.spec
    moved = [
        f"{key} {_word(before.get(key, default))} -> {_word(now)}"
        for key, default, now in (
            ("upgradeMode", "savepoint", spec.upgrade_mode),
            ("allowNonRestoredState", False, spec.allow_non_restored_state),
        )
        if before.get(key, default) != now
    ]
    return Change(
        **base,
        **diffs,
        **_extras(spec, inputs),
        action=Action.RECORD,
        state=StateImpact.NONE,
        reason=f"{'; '.join(moved)}: recorded on the running job, no restart (it decides "
        "how the next change is applied)",
        state_reasons=("the running job and its state are left as they are",),
        version=_next_version(applied, live, inputs, spec.name),
    )


def _word(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _rescale(
    spec: JobSpec,
    live: LiveJob,
    applied: Applied | None,
    inputs: ChangeInputs,
    base: dict[str, Any],
) -> Change:
    """A parallelism-only change of the running version, on an adaptive-scheduler
    cluster: rescaled in place (``plan/rescale.py``)."""
    assert applied is not None
    return Change(
        **base,
        **change_diffs(spec, applied),
        **_extras(spec, inputs),
        **rescale_fields(spec, applied),
        version=_next_version(applied, live, inputs, spec.name),
    )


def _start(
    spec: JobSpec,
    live: LiveJob | None,
    applied: Applied | None,
    inputs: ChangeInputs,
    base: dict[str, Any],
    action: Action,
) -> Change:
    """Desired running and nothing active: resume, restart (drift) or create."""
    start = {
        **base,
        **_extras(spec, inputs),
        "version": _next_version(applied, live, inputs, spec.name),
    }
    if action is Action.RESUME:
        assert applied is not None
        return _resume(spec, applied, inputs, start)
    if action is Action.RESTART and applied is not None:
        return _restart_stopped(spec, live, applied, inputs, start)
    if action is Action.RESTART:
        assert live is not None
        return Change(
            **start,
            action=Action.RESTART,
            state=StateImpact.LOST,
            reason=f"drift: desired running, but the job is {live.state} "
            "(no applied version in the store)",
            state_reasons=(
                "no savepoint known: starts empty, which apply refuses without --allow-state-loss",
            ),
            loses_state=spec.upgrade_mode != "stateless",
        )
    return Change(
        **start,
        action=Action.CREATE,
        state=StateImpact.NONE,
        reason="new job" if applied is None else f"start again after it was {applied.outcome}",
        state_reasons=("a new job starts with empty state",),
    )


def _resume(spec: JobSpec, applied: Applied, inputs: ChangeInputs, start: dict[str, Any]) -> Change:
    """Start a suspended job again from the savepoint its suspend took."""
    diffs = change_diffs(spec, applied)
    restore = restore_rule(
        spec.upgrade_mode, running=False, outcome=applied.outcome, known=applied.savepoint
    )
    if restore.path:
        impact, why = restore_verdict(
            inputs.compat.get(spec.name),
            changed=restore_changed(spec, applied),
            unknown_why="the SQL or configuration changed while suspended",
        )
        why = (f"restored from {restore.path}", *why)
    else:
        impact, why = StateImpact.LOST, ("no savepoint was recorded when it was suspended",)
    return Change(
        **start,
        **diffs,
        action=Action.RESUME,
        state=impact,
        reason="desired state is running" + (" (with changes)" if what_changed(diffs) else ""),
        state_reasons=why,
        restore_from=restore.plan_words,
    )


def _restart_stopped(
    spec: JobSpec,
    live: LiveJob | None,
    applied: Applied,
    inputs: ChangeInputs,
    start: dict[str, Any],
) -> Change:
    """Drift: an applied job stopped outside flinkops (failed, finished, cancelled, gone)."""
    diffs = change_diffs(spec, applied)
    restore = restore_rule(
        spec.upgrade_mode, running=False, outcome=applied.outcome, known=applied.savepoint
    )
    why: tuple[str, ...]
    loses_state = False
    if spec.upgrade_mode == "stateless":
        impact, why = StateImpact.LOST, ("upgradeMode stateless: starts empty",)
    elif not restore.path:
        looked = inputs.searched.get(spec.name)
        impact, why = (
            StateImpact.LOST,
            (
                "no savepoint or retained checkpoint found"
                + (f" (looked at: {looked})" if looked else "")
                + ": starts empty, which apply refuses without --allow-state-loss",
            ),
        )
        loses_state = applied.outcome in RUNNING_OUTCOMES
    else:
        impact, why = restore_verdict(
            inputs.compat.get(spec.name),
            changed=restore_changed(spec, applied),
            unknown_why="the SQL or configuration changed since the applied version",
        )
        why = (f"restored from {restore.path}, the latest state flinkops knows", *why)
    reason = (
        f"drift: desired running, but the job is {live.state if live else 'gone from the cluster'}"
    )
    if what_changed(diffs):
        reason += "; " + " and ".join(what_changed(diffs)) + " changed too"
    return Change(
        **start,
        **diffs,
        action=Action.RESTART,
        state=impact,
        reason=reason,
        state_reasons=why,
        restore_from=restore.plan_words,
        loses_state=loses_state,
    )
