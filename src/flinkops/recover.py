"""Finish or roll back what an interrupted apply left in the journal.

Run with the target's lock held: any transition still open then belongs to an
apply that died. Savepoints it took are recorded first (never forgotten); a job
it submitted is adopted (never submitted twice); then the remaining steps run,
or the transition is closed when it had changed nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flinkops.errors import ApplyError, FlinkError
from flinkops.health import TERMINAL, latest_checkpoint
from flinkops.plan import ACTIVE_STATES, Action, Change, LiveJob, StateImpact
from flinkops.store._records import Transition
from flinkops.transitions import Cancel, Step, StopWithSavepoint, Submit, steps_for

if TYPE_CHECKING:
    from flinkops.apply import Applier, _Run


__all__ = ["change_from", "recover"]


def recover(applier: Applier) -> list[str]:
    """Finish or roll back the transitions an interrupted apply left open.

    Returns one line per transition handled.
    """
    done = []
    for t in applier.store.open_transitions(applier.target):
        done.append(_recover_one(applier, t))
    return done


def _recover_one(applier: Applier, t: Transition) -> str:
    change = change_from(t.plan)
    job = t.job
    version = int(t.plan.get("version") or 0)
    from flinkops.apply import _Run

    run = _Run(
        change,
        applier.specs.get(job),
        version,
        t.id,
        {"old_job_id": change.live.job_id if change.live else None},
    )
    for name in ("stop", "cancel", "submit"):
        run.ctx.update({k: v for k, v in t.data(name).items() if k != "step"})
    stop = t.data("stop")
    if stop.get("trigger_id") and not run.ctx.get("savepoint"):
        try:
            st = applier.client.savepoint_status(stop["stopping"], stop["trigger_id"])
            if st.location:
                run.ctx["savepoint"] = st.location
        except FlinkError:
            pass
    if run.ctx.get("savepoint"):
        kind = "suspend" if change.action is Action.SUSPEND else "stop"
        applier.store.record_savepoint(
            applier.target,
            job,
            run.ctx["savepoint"],
            kind=kind,
            job_id=run.ctx.get("old_job_id"),
            version=change.applied_version,
        )
    if not run.ctx.get("job_id") and t.last("submit") is not None:
        found = applier._find_submitted(job, version)
        if found:
            run.ctx["job_id"] = found
    applier.store.add_event(
        applier.target,
        job,
        "recover",
        f"resuming an interrupted {change.action.value} (transition {t.id})",
        details={k: v for k, v in run.ctx.items() if v is not None},
    )
    remaining = _remaining(applier, t, run)
    if remaining is None:
        applier.store.end_transition(t.id, "failed")
        return f"{job}: interrupted {change.action.value} had changed nothing; re-planned"
    result = applier._run_steps(run, remaining)
    return f"{job}: interrupted {change.action.value} -> {result.status}" + (
        f" ({result.message})" if result.message else ""
    )


def _remaining(applier: Applier, t: Transition, run: _Run) -> list[Step] | None:
    """The steps still to take, or None when the transition never changed anything."""
    change = run.change
    spec = run.spec
    health = spec.health if spec else None
    steps = steps_for(
        change,
        version=run.version,
        savepoint_dir=(spec.savepoint_dir if spec else None) or applier.default_savepoint_dir,
        window=health.window_seconds if health else 0,
        timeout=health.timeout_seconds if health else 0,
        until_checkpoint=bool(health and health.until_checkpoint),
    )
    old = run.ctx.get("old_job_id")
    old_state = None
    if old:
        try:
            old_state = applier.client.job(old).state
        except FlinkError:
            old_state = None
    first = steps[0] if steps else None
    if (
        isinstance(first, StopWithSavepoint | Cancel)
        and old_state in ACTIVE_STATES
        and not run.ctx.get("savepoint")
    ):
        return None  # the old job still runs as before
    out: list[Step] = []
    for step in steps:
        if t.last(step.name, "end") is not None:
            continue
        if isinstance(step, StopWithSavepoint) and run.ctx.get("savepoint"):
            continue
        if isinstance(step, Cancel) and old_state in TERMINAL:
            if step.keep_checkpoint and not run.ctx.get("checkpoint"):
                path = latest_checkpoint(applier.client, old) if old else None
                if path:
                    run.ctx["checkpoint"] = path
            run.ctx["cancelled"] = old
            continue
        if isinstance(step, Submit) and run.ctx.get("job_id"):
            continue
        out.append(step)
    if spec is None and any(isinstance(s, Submit) for s in out):
        raise ApplyError(
            f"{t.job}: an interrupted apply needs its spec to finish, and the "
            "spec is gone; restore the spec and apply again"
        )
    return out


def change_from(data: dict[str, Any]) -> Change:
    live = data.get("live")
    return Change(
        job=data["job"],
        action=Action(data["action"]),
        state=StateImpact(data["state"]),
        reason=data.get("reason", ""),
        upgrade_mode=data.get("upgrade_mode", "savepoint"),
        restore_from=data.get("restore_from"),
        spec_hash=data.get("spec_hash"),
        version=data.get("version"),
        applied_version=data.get("applied_version"),
        live=LiveJob(
            job_id=live["job_id"],
            name=live.get("name", ""),
            state=live["state"],
            version=live.get("version"),
            spec_hash=live.get("spec_hash"),
            managed_name=data["job"],
        )
        if live
        else None,
    )
