"""Building the plan: per job, what apply will do and what happens to the job's state.

``build_plan`` is pure (docs/style.md §5): it is handed the specs, what the
cluster showed (``LiveJob``), what the version store knows (``Applied``) and the
state-compatibility verdicts, and returns a frozen ``Plan``. It does no I/O.
Each change has an ``Action`` that drives apply and a ``reason`` for display only
(§7). The plan records what it observed, so apply can refuse a stale plan (§9).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from flinkops.flink.live import LiveJob
from flinkops.plan._diffs import change_diffs, what_changed
from flinkops.plan._live_views import current_live, live_warnings
from flinkops.plan._state import restore_rule, restore_verdict, update_impact
from flinkops.plan._types import (
    Action,
    Applied,
    Attempt,
    Change,
    Compat,
    Plan,
    StateImpact,
)
from flinkops.plan.steps import spec_steps
from flinkops.spec import JobSpec

__all__ = ["build_plan", "next_version"]

# ---------------------------------------------------------------- build_plan


@dataclass(frozen=True)
class _Inputs:
    target: str
    default_savepoint_dir: str | None
    compat: Mapping[str, Compat]
    lineage: Mapping[str, Mapping[str, Any]]
    downstream: Mapping[str, Sequence[str]]
    attempts: Mapping[str, Attempt]
    retry_failed: bool
    prune: bool
    only: Sequence[str] | None

    def planned(self, job: str) -> bool:
        """Whether the plan covers ``job`` (``only`` limits it to the jobs named)."""
        return not self.only or job in self.only


def build_plan(
    specs: Sequence[JobSpec],
    live: Sequence[LiveJob],
    applied: Mapping[str, Applied],
    *,
    target: str,
    url: str = "",
    prune: bool = False,
    default_savepoint_dir: str | None = None,
    compat: Mapping[str, Compat] | None = None,
    lineage: Mapping[str, Mapping[str, Any]] | None = None,
    downstream: Mapping[str, Sequence[str]] | None = None,
    flink_version: str = "",
    created_at: str = "",
    only: Sequence[str] | None = None,
    attempts: Mapping[str, Attempt] | None = None,
    retry_failed: bool = False,
) -> Plan:
    """Decide one change per job. Pure: no I/O, no clock, no randomness.

    ``live`` is every job the cluster lists; ``applied`` maps job name to what the
    store knows; ``compat`` maps job name to the planner's verdict for an update;
    ``only`` limits the plan to those job names. ``attempts`` maps job name to the
    newest version the store recorded (any outcome): new versions are numbered after
    it, and a spec whose newest version failed or was rolled back is BLOCKED unless
    ``retry_failed``. Each change carries the steps apply will run.
    """
    inputs = _Inputs(
        target,
        default_savepoint_dir,
        compat or {},
        lineage or {},
        downstream or {},
        attempts or {},
        retry_failed,
        prune,
        only,
    )
    by_name = current_live(live)
    changes = [
        *_spec_changes(specs, by_name, applied, inputs),
        *_orphan_changes(by_name, {s.name for s in specs}, applied, inputs),
    ]
    return Plan(
        target=target,
        url=url,
        changes=tuple(changes),
        unmanaged=_unmanaged(live),
        warnings=live_warnings(changes, live),
        flink_version=flink_version,
        created_at=created_at,
    )


def _unmanaged(live: Sequence[LiveJob]) -> tuple[LiveJob, ...]:
    """The jobs without flinkops's identity, by name: listed, never touched."""
    return tuple(
        sorted((j for j in live if j.managed_name is None), key=lambda j: (j.name, j.job_id))
    )


def _spec_changes(
    specs: Sequence[JobSpec],
    by_name: Mapping[str, LiveJob],
    applied: Mapping[str, Applied],
    inputs: _Inputs,
) -> list[Change]:
    """One change per planned spec, by name: decided, blocked if so, with its steps."""
    changes = []
    for spec in sorted(specs, key=lambda s: s.name):
        if not inputs.planned(spec.name):
            continue
        change = _decide(spec, by_name.get(spec.name), applied.get(spec.name), inputs)
        changes.append(_with_steps(_blocked(spec, change, inputs), spec, inputs))
    return changes


def _orphan_changes(
    by_name: Mapping[str, LiveJob],
    spec_names: set[str],
    applied: Mapping[str, Applied],
    inputs: _Inputs,
) -> list[Change]:
    """One change per active managed job whose spec is gone, by name."""
    return [
        _with_steps(_orphan(job, applied.get(name), inputs.prune), None, inputs)
        for name, job in sorted(by_name.items())
        if name not in spec_names and inputs.planned(name) and job.active
    ]


def _blocked(spec: JobSpec, change: Change, inputs: _Inputs) -> Change:
    """``change`` turned into BLOCKED when it would start a spec whose newest recorded
    version (the same spec hash) failed or was rolled back: retrying it on every apply
    would restart a healthy job for nothing. A changed spec or ``retry_failed`` lifts it."""
    attempt = inputs.attempts.get(spec.name)
    if (
        not change.action.starts
        or attempt is None
        or not attempt.failed
        or attempt.spec_hash != spec.spec_hash
        or inputs.retry_failed
    ):
        return change
    return replace(
        change,
        action=Action.BLOCKED,
        state=StateImpact.NONE,
        reason=f"version {attempt.version} of this spec was {attempt.outcome}; change the "
        "spec, or plan and apply with --retry-failed to try it again",
        state_reason="left as it is",
        version=attempt.version,
        blocked=attempt,
        restore_from=None,
        missing_savepoint_dir=False,
    )


def _with_steps(change: Change, spec: JobSpec | None, inputs: _Inputs) -> Change:
    """``change`` with the steps apply will run for it (none for a noop or a block)."""
    if change.action in (Action.NOOP, Action.BLOCKED) or change.version is None:
        return change
    return replace(change, steps=tuple(spec_steps(change, spec, inputs.default_savepoint_dir)))


def _orphan(job: LiveJob, applied: Applied | None, prune: bool) -> Change:
    assert job.managed_name is not None
    if prune:
        return Change(
            job=job.managed_name,
            action=Action.DELETE,
            state=StateImpact.LOST,
            reason="its spec was removed; --prune cancels it",
            state_reason="the job is cancelled without a savepoint",
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


def _decide(
    spec: JobSpec, live: LiveJob | None, applied: Applied | None, inputs: _Inputs
) -> Change:
    active = live if live is not None and live.active else None
    base: dict[str, Any] = {
        "job": spec.name,
        "upgrade_mode": spec.upgrade_mode,
        "spec_hash": spec.spec_hash,
        "live": live,
        "applied_version": applied.version if applied else None,
    }
    has_sp_dir = bool(spec.savepoint_dir or inputs.default_savepoint_dir)
    if spec.state == "running":
        if active is not None:
            if active.spec_hash == spec.spec_hash:
                if applied is not None and applied.spec_hash != spec.spec_hash:
                    return _noop(base, "running the spec (store had another version)")
                return _noop(base, f"running, in sync (version {active.version})")
            return _update(spec, active, applied, inputs, base, has_sp_dir)
        return _start(spec, live, applied, inputs, base)
    if active is None:
        word = "suspended" if spec.state == "suspended" else "cancelled"
        if applied is None and live is None:
            return _noop(base, f"not started (desired state: {word})")
        if applied and applied.outcome == "suspended" and applied.savepoint:
            if spec.state == "suspended":
                return _noop(base, f"suspended, savepoint kept: {applied.savepoint}")
            return _noop(
                base,
                f"not running (desired state: {word}); the savepoint of its suspend is kept "
                f"and state: running resumes from it ({applied.savepoint})",
            )
        return _noop(base, f"not running (desired state: {word})")
    if spec.state == "suspended":
        impact, why = (StateImpact.PRESERVED, "stopped with a savepoint; resume restores it")
        if not has_sp_dir:
            impact, why = StateImpact.LOST, "no savepoint directory (set savepointDir)"
        return Change(
            **base,
            action=Action.SUSPEND,
            state=impact,
            reason="desired state is suspended",
            state_reason=why,
            missing_savepoint_dir=not has_sp_dir,
            version=applied.version if applied else active.version,
        )
    return Change(
        **base,
        action=Action.CANCEL,
        state=StateImpact.LOST,
        reason="desired state is cancelled",
        state_reason="cancelled without a savepoint: its state is discarded",
        version=applied.version if applied else active.version,
    )


def _noop(base: dict[str, Any], reason: str) -> Change:
    return Change(**base, action=Action.NOOP, state=StateImpact.NONE, reason=reason)


def _next_version(applied: Applied | None, live: LiveJob | None, inputs: _Inputs, job: str) -> int:
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


def _extras(spec: JobSpec, inputs: _Inputs) -> dict[str, Any]:
    return {
        "lineage": inputs.lineage.get(spec.name),
        "downstream": tuple(inputs.downstream.get(spec.name, ())),
    }


def _update(
    spec: JobSpec,
    live: LiveJob,
    applied: Applied | None,
    inputs: _Inputs,
    base: dict[str, Any],
    has_sp_dir: bool,
) -> Change:
    """A live job that is not the spec: update it (or restart it when only it drifted)."""
    diffs = change_diffs(spec, applied)
    what = what_changed(diffs)
    drift = applied is not None and live.spec_hash != applied.spec_hash
    action = Action.UPDATE
    if applied is not None and drift:
        reason = (
            f"drift: the live job (version {live.version}) is not the last applied "
            f"version {applied.version}"
        )
        if applied.spec_hash == spec.spec_hash:
            action = Action.RESTART
            reason += "; resubmit the applied version"
        elif what:
            reason += "; " + " and ".join(what) + " changed"
    elif what:
        reason = " and ".join(what) + " changed"
    elif applied is None:
        reason = "spec changed (no applied version in the store to diff against)"
    else:
        reason = "spec changed (only in values not shown, such as secrets)"
    impact, why = update_impact(
        spec,
        inputs.compat.get(spec.name),
        has_sp_dir,
        drift=drift,
        sql_changed=applied is None or bool(diffs.get("sql_diff")),
    )
    return Change(
        **base,
        **diffs,
        **_extras(spec, inputs),
        action=action,
        state=impact,
        reason=reason,
        state_reason=why,
        restore_from=restore_rule(
            spec.upgrade_mode, running=True, outcome=None, known=None
        ).plan_words,
        version=_next_version(applied, live, inputs, spec.name),
        missing_savepoint_dir=spec.upgrade_mode == "savepoint" and not has_sp_dir,
    )


def _start(
    spec: JobSpec,
    live: LiveJob | None,
    applied: Applied | None,
    inputs: _Inputs,
    base: dict[str, Any],
) -> Change:
    """Desired running and nothing active: resume, restart (drift) or create."""
    start = {
        **base,
        **_extras(spec, inputs),
        "version": _next_version(applied, live, inputs, spec.name),
    }
    if applied is not None and applied.outcome == "suspended":
        return _resume(spec, applied, inputs, start)
    if applied is not None and applied.outcome not in ("cancelled", "deleted"):
        return _restart_stopped(spec, live, applied, inputs, start)
    if applied is None and live is not None and live.state in ("FAILED", "FINISHED", "CANCELED"):
        return Change(
            **start,
            action=Action.RESTART,
            state=StateImpact.LOST,
            reason=f"drift: desired running, but the job is {live.state} "
            "(no applied version in the store)",
            state_reason="no savepoint known: starts empty",
        )
    return Change(
        **start,
        action=Action.CREATE,
        state=StateImpact.NONE,
        reason="new job" if applied is None else f"start again after it was {applied.outcome}",
        state_reason="a new job starts with empty state",
    )


def _resume(spec: JobSpec, applied: Applied, inputs: _Inputs, start: dict[str, Any]) -> Change:
    """Start a suspended job again from the savepoint its suspend took."""
    diffs = change_diffs(spec, applied)
    restore = restore_rule(
        spec.upgrade_mode, running=False, outcome=applied.outcome, known=applied.savepoint
    )
    if restore.path:
        impact, why = restore_verdict(
            inputs.compat.get(spec.name),
            changed=bool(diffs["sql_diff"]),
            unknown_why="the SQL changed while suspended",
        )
        why = f"restored from {restore.path}; {why}"
    else:
        impact, why = StateImpact.LOST, "no savepoint was recorded when it was suspended"
    return Change(
        **start,
        **diffs,
        action=Action.RESUME,
        state=impact,
        reason="desired state is running" + (" (with changes)" if what_changed(diffs) else ""),
        state_reason=why,
        restore_from=restore.plan_words,
    )


def _restart_stopped(
    spec: JobSpec, live: LiveJob | None, applied: Applied, inputs: _Inputs, start: dict[str, Any]
) -> Change:
    """Drift: an applied job stopped outside flinkops (failed, finished, cancelled, gone)."""
    diffs = change_diffs(spec, applied)
    restore = restore_rule(
        spec.upgrade_mode, running=False, outcome=applied.outcome, known=applied.savepoint
    )
    if spec.upgrade_mode == "stateless":
        impact, why = StateImpact.LOST, "upgradeMode stateless: starts empty"
    elif not restore.path:
        impact, why = StateImpact.LOST, "no savepoint or retained checkpoint known: starts empty"
    else:
        impact, why = restore_verdict(
            inputs.compat.get(spec.name),
            changed=bool(diffs["sql_diff"]),
            unknown_why="the SQL changed since the applied version",
        )
        why = f"restored from {restore.path}, the latest state flinkops knows; {why}"
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
        state_reason=why,
        restore_from=restore.plan_words,
    )
