"""The plan: per job, what apply will do and what happens to the job's state.

``build_plan`` is pure (STYLE.md item 2): it is handed the specs, what the
cluster showed (``LiveJob``), what the version store knows (``Applied``) and the
state-compatibility verdicts, and returns a frozen ``Plan``. It does no I/O.
Each change has an ``Action`` that drives apply and a ``reason`` for display only
(STYLE.md item 5). The plan records what it observed, so apply can refuse a stale
plan (item 6).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from flinkops._diffs import config_diff, sql_diff
from flinkops._plan_live import current_live, live_warnings
from flinkops._plan_types import (
    ACTIVE_STATES,
    PLAN_FORMAT_VERSION,
    Action,
    Applied,
    Attempt,
    Change,
    Compat,
    LiveJob,
    Plan,
    StateImpact,
)
from flinkops.redact import redact, sensitive_sql_values
from flinkops.spec import JobSpec
from flinkops.transitions import spec_steps

__all__ = [
    "ACTIVE_STATES",
    "PLAN_FORMAT_VERSION",
    "Action",
    "Applied",
    "Attempt",
    "Change",
    "Compat",
    "LiveJob",
    "Plan",
    "StateImpact",
    "build_plan",
    "config_diff",
    "next_version",
    "sql_changed",
    "sql_diff",
]

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
    )
    by_name = current_live(live)
    changes: list[Change] = []
    for spec in sorted(specs, key=lambda s: s.name):
        if only and spec.name not in only:
            continue
        change = _decide(spec, by_name.get(spec.name), applied.get(spec.name), inputs)
        changes.append(_with_steps(_blocked(spec, change, inputs), spec, inputs))
    spec_names = {s.name for s in specs}
    for name, job in sorted(by_name.items()):
        if name in spec_names or (only and name not in only) or not job.active:
            continue
        changes.append(_with_steps(_orphan(job, applied.get(name), prune), None, inputs))
    unmanaged = tuple(
        sorted((j for j in live if j.managed_name is None), key=lambda j: (j.name, j.job_id))
    )
    return Plan(
        target=target,
        url=url,
        changes=tuple(changes),
        unmanaged=unmanaged,
        warnings=live_warnings(changes, live),
        flink_version=flink_version,
        created_at=created_at,
    )


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
    base = {
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


def _secrets(spec: JobSpec, applied: Applied) -> set[str]:
    """Every value a diff must not show: the spec's secrets and sensitive SQL options."""
    return set(spec.secrets) | sensitive_sql_values(applied.sql) | sensitive_sql_values(spec.sql)


def _comparable(spec: JobSpec, applied: Applied) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
    """Applied and current SQL and spec in the form the store keeps, secrets masked.

    The store keeps ``${env:NAME}`` for secrets from the environment and ``***`` for
    the others (``JobSpec.portable``); the current spec is brought to that form so
    only real changes differ, and no secret can reach a diff.
    """
    secrets = _secrets(spec, applied)
    return (
        redact(applied.sql, secrets),
        redact(spec.portable(spec.sql), secrets),
        redact(dict(applied.spec), secrets),
        redact(spec.portable(spec.to_json(redacted=False)), secrets),
    )


def sql_changed(spec: JobSpec, applied: Applied) -> bool:
    """Whether the SQL differs from the applied SQL, both in their stored, masked form.

    A changed secret alone does not count: it shows in the spec hash, not here.
    """
    old, new, _, _ = _comparable(spec, applied)
    return old != new


def _diffs(spec: JobSpec, applied: Applied | None) -> dict[str, Any]:
    """SQL and configuration diffs against the applied version, secrets masked on both sides."""
    if applied is None:
        return {}
    old_sql, new_sql, old_spec, new_spec = _comparable(spec, applied)
    return {
        "sql_diff": sql_diff(old_sql, new_sql, spec.name),
        "config_diff": config_diff(old_spec, new_spec),
    }


def _extras(spec: JobSpec, inputs: _Inputs) -> dict[str, Any]:
    return {
        "lineage": inputs.lineage.get(spec.name),
        "downstream": tuple(inputs.downstream.get(spec.name, ())),
    }


def _restore_verdict(
    spec: JobSpec, inputs: _Inputs, *, changed: bool, unknown_why: str
) -> tuple[StateImpact, str]:
    """Planner verdict when the SQL changed, else preserved; ``unknown_why`` when unchecked."""
    compat = inputs.compat.get(spec.name)
    if compat is not None:
        why = "; ".join(compat.reasons)
        if compat.impact is StateImpact.PRESERVED and not why:
            why = "stateful operators unchanged"
        return compat.impact, why
    if not changed:
        return StateImpact.PRESERVED, "SQL unchanged"
    return StateImpact.AT_RISK, f"unknown: {unknown_why}"


def _update(
    spec: JobSpec,
    live: LiveJob,
    applied: Applied | None,
    inputs: _Inputs,
    base: dict[str, Any],
    has_sp_dir: bool,
) -> Change:
    """A live job that is not the spec: update it (or restart it when only it drifted)."""
    diffs = _diffs(spec, applied)
    what = _changed(diffs)
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
    impact, why = _update_impact(
        spec,
        inputs,
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
        restore_from={
            "savepoint": "savepoint taken when stopping",
            "last-state": "latest retained checkpoint",
        }.get(spec.upgrade_mode),
        version=_next_version(applied, live, inputs, spec.name),
        missing_savepoint_dir=spec.upgrade_mode == "savepoint" and not has_sp_dir,
    )


def _update_impact(
    spec: JobSpec, inputs: _Inputs, has_sp_dir: bool, *, drift: bool, sql_changed: bool
) -> tuple[StateImpact, str]:
    """What replacing the live job does to its state, by upgrade mode and the verdict."""
    mode = spec.upgrade_mode
    if mode == "stateless":
        return StateImpact.LOST, "upgradeMode stateless: cancelled and started empty"
    if mode == "savepoint" and not has_sp_dir:
        return StateImpact.LOST, "no savepoint directory (set savepointDir on the job or target)"
    if drift:
        return (
            StateImpact.AT_RISK,
            "unknown: the live job runs a spec flinkops has no record of, so whether "
            "its state fits the spec cannot be checked",
        )
    impact, why = _restore_verdict(
        spec,
        inputs,
        changed=sql_changed,
        unknown_why="the SQL changed and its state compatibility was not checked",
    )
    if impact is StateImpact.PRESERVED:
        how = "a savepoint" if mode == "savepoint" else "the latest checkpoint"
        why = f"restored from {how}; {why}"
    return impact, why


def _changed(diffs: Mapping[str, Any]) -> list[str]:
    """What a diff shows changed, for a reason: ["SQL", "configuration"] or fewer."""
    return [w for w, k in (("SQL", "sql_diff"), ("configuration", "config_diff")) if diffs.get(k)]


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
    diffs = _diffs(spec, applied)
    if applied.savepoint:
        impact, why = _restore_verdict(
            spec,
            inputs,
            changed=bool(diffs["sql_diff"]),
            unknown_why="the SQL changed while suspended",
        )
        why = f"restored from {applied.savepoint}; {why}"
    else:
        impact, why = StateImpact.LOST, "no savepoint was recorded when it was suspended"
    return Change(
        **start,
        **diffs,
        action=Action.RESUME,
        state=impact,
        reason="desired state is running" + (" (with changes)" if _changed(diffs) else ""),
        state_reason=why,
        restore_from=applied.savepoint,
    )


def _restart_stopped(
    spec: JobSpec, live: LiveJob | None, applied: Applied, inputs: _Inputs, start: dict[str, Any]
) -> Change:
    """Drift: an applied job stopped outside flinkops (failed, finished, cancelled, gone)."""
    diffs = _diffs(spec, applied)
    restore = applied.savepoint
    if spec.upgrade_mode == "stateless":
        impact, why, restore = StateImpact.LOST, "upgradeMode stateless: starts empty", None
    elif not applied.savepoint:
        impact, why = StateImpact.LOST, "no savepoint or retained checkpoint known: starts empty"
    else:
        impact, why = _restore_verdict(
            spec,
            inputs,
            changed=bool(diffs["sql_diff"]),
            unknown_why="the SQL changed since the applied version",
        )
        why = f"restored from {applied.savepoint}, the latest state flinkops knows; {why}"
    reason = (
        f"drift: desired running, but the job is {live.state if live else 'gone from the cluster'}"
    )
    if _changed(diffs):
        reason += "; " + " and ".join(_changed(diffs)) + " changed too"
    return Change(
        **start,
        **diffs,
        action=Action.RESTART,
        state=impact,
        reason=reason,
        state_reason=why,
        restore_from=restore,
    )
