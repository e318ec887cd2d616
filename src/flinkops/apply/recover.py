"""Finish what a killed apply left in the journal, with the same step runner.

Run with the target's lock held: any transition still open then belongs to an
apply that died (or lost the cluster). ``resume_point`` reads its journal
(pure): which list it was running (the forward steps, or the rollback or abort a
failure appended), what the steps produced (the run's ``RunState``, taken in from the
journal's data as the runner took it in while it ran), and which steps are left.
The runner then carries on from there; its steps are safe to take again (a stop
looks for the result of the stop it journaled before sending it — its trigger, else
the old job's state and snapshots (``flink/snapshots.py``), and sends it again only to
a job that still runs —, a cancel skips a job that ended, a submit adopts a live job
already carrying its version, a record overwrites), so nothing is submitted twice and
no savepoint is forgotten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flinkops.apply.run_state import Run, RunState
from flinkops.apply.step_runner import StepRunner
from flinkops.errors import FlinkError
from flinkops.flink.live import ACTIVE_STATES
from flinkops.plan import Action, Change
from flinkops.plan.steps import (
    Cancel,
    Rehearse,
    Step,
    StopWithSavepoint,
    spec_steps,
    step_from_json,
)
from flinkops.spec import JobSpec
from flinkops.store import JournalPhase, Transition, TransitionStatus

__all__ = ["Resume", "recover", "resume_point"]


@dataclass(frozen=True)
class Resume:
    """Where an open transition stands: the list it runs, the steps left, its state, and
    what its journal holds (``journaled``: every entry's data merged in order, what the
    recover event shows)."""

    steps: list[Step]
    remaining: list[Step]
    state: RunState
    journaled: dict[str, Any]
    status: TransitionStatus
    started: bool  # whether any step ended, or a stop was asked for (journaled first)


def resume_point(t: Transition, forward: list[Step]) -> Resume:
    """Read the journal of ``t``, whose forward steps are ``forward``. Pure."""
    live = t.plan.get("live") or {}
    journaled: dict[str, Any] = {"old_job_id": live.get("job_id")}
    steps, status = forward, TransitionStatus.DONE
    for entry in t.steps:
        if entry.phase != JournalPhase.FAILED:
            journaled.update({k: v for k, v in entry.data.items() if k != "step"})
        elif "then" in entry.data:  # a failure appended the rollback or the abort
            steps = [step_from_json(s) for s in entry.data["then"]]
            status = TransitionStatus(entry.data.get("status", TransitionStatus.FAILED))
            journaled.update(error=entry.data.get("error"), root_cause=entry.data.get("root_cause"))
    state = RunState()
    state.absorb(journaled)
    ended = {e.step for e in t.steps if e.phase == JournalPhase.END}
    failed_over = any(e.phase == JournalPhase.FAILED and "then" in e.data for e in t.steps)
    return Resume(
        steps=steps,
        remaining=[s for s in steps if s.name not in ended],
        state=state,
        journaled=journaled,
        status=status,
        started=bool(ended) or failed_over or state.stopping is not None,
    )


def _forward(t: Transition, spec: JobSpec | None, default_dir: str | None) -> list[Step]:
    """The forward steps the plan journaled (older journals: rebuilt from the change)."""
    if t.plan.get("steps"):
        return [step_from_json(s) for s in t.plan["steps"]]
    return spec_steps(Change.from_json(t.plan), spec, default_dir)


def recover(
    runner: StepRunner, specs: Mapping[str, JobSpec], default_dir: str | None = None
) -> list[Run]:
    """Resume every transition an interrupted apply left open on the runner's target."""
    return [
        _recover_one(runner, t, specs.get(t.job), default_dir)
        for t in runner.store.open_transitions(runner.target)
    ]


def _recover_one(
    runner: StepRunner, t: Transition, spec: JobSpec | None, default_dir: str | None
) -> Run:
    forward = _forward(t, spec, default_dir)
    point = resume_point(t, forward)
    run = Run(
        job=t.job,
        action=Action(t.action),
        tid=t.id,
        version=int(t.plan.get("version") or 0),
        applied_version=t.plan.get("applied_version"),
        reason=t.plan.get("reason", ""),
        spec=spec,
        steps=point.steps,
        state=point.state,
        status=point.status,
        done={s.name for s in point.steps if s not in point.remaining},
        requested=t.plan.get("requested"),
    )
    runner.store.add_event(
        runner.target,
        t.job,
        "recover",
        f"resuming an interrupted {t.action} (transition {t.id})",
        details={k: v for k, v in point.journaled.items() if v is not None},
    )
    if not point.started and _unchanged(runner, point, run.state.old_job_id):
        runner.store.end_transition(t.id, TransitionStatus.FAILED)
        run.status, run.steps = TransitionStatus.UNCHANGED, []
        return run
    return runner.run(run)


def _unchanged(runner: StepRunner, point: Resume, old_job_id: str | None) -> bool:
    """Whether the transition never changed anything: it was to begin by stopping or
    cancelling the running job, and that job still runs as before. It is then closed
    and re-planned rather than resumed from a plan that may be out of date."""
    first = next((s for s in point.steps if not isinstance(s, Rehearse)), None)
    if not isinstance(first, StopWithSavepoint | Cancel) or not old_job_id:
        return False
    home = first.cluster if isinstance(first, StopWithSavepoint) else None
    try:  # a migration's stop names the old cluster, where the old job runs
        state = runner.on_cluster(home).client.job(old_job_id).state
    except FlinkError:
        return False
    return state in ACTIVE_STATES and state != "CANCELLING"
