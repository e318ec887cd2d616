"""The one step runner: executes any list of steps, journaled, with crash points.

Forward transitions, rollbacks, aborts and what recovery resumes all run here.
For each step the journal gets ``start`` before it is taken and ``end`` (with what
it produced: trigger ids, savepoint locations, job ids) after; a failed step gets
``failed`` together with the list that follows it (``plan.steps.after_failure``:
the rollback, or the abort), in one write, so an apply killed at any point leaves
in the journal exactly which list it was running and how far it got. What the steps
hand each other (the savepoint a stop took, the job a submit started) is the run's
``RunState`` (run_state.py), which takes in each step's journaled data. The stop step,
and what a failed or interrupted run says of the cluster, are ``_stopping.py``'s; the
submit step is ``_submitting.py``'s.

A step that names another cluster (``cluster``: the old one in a migration, its stop
and a rollback's submit and wait) runs on a copy of the runner whose client is that
cluster's (``on_cluster``), opened once per URL with the target's headers (``connect``).

Fault injection: ``FLINKOPS_APPLY_CRASH_AT=<step>:<before|after|end|failed>``
(comma-separated) kills the process with SIGKILL at those points; step names
are those of plan/steps.py (``stop``, ``submit``, ``rollback-submit``, ...).
"""

from __future__ import annotations

import copy
import os
import signal
import threading
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from flinkops.apply._stopping import StopSteps
from flinkops.apply._submitting import SubmitSteps
from flinkops.apply.flowing import flow_text
from flinkops.apply.health import TERMINAL, Progress, rescale_job, wait_healthy, wait_state
from flinkops.apply.history import history_rows
from flinkops.apply.rehearse import Rehearser
from flinkops.apply.run_state import Run
from flinkops.apply.versions import reserve_version
from flinkops.errors import (
    ApplyError,
    FlinkError,
    FlinkopsError,
    FlinkUnreachable,
    StoreError,
)
from flinkops.flink.live import Scope, latest_checkpoint
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import submit_sql
from flinkops.plan import RehearsalOutcome, rehearsal_words
from flinkops.plan.scope import project_scope
from flinkops.plan.steps import (
    Cancel,
    Record,
    Rehearse,
    Rescale,
    Step,
    StopWithSavepoint,
    Submit,
    WaitHealthy,
    after_failure,
    describe,
    is_rollback,
    steps_to_json,
)
from flinkops.store import JournalPhase, Outcome, Store, TransitionStatus

__all__ = ["CRASH_ENV", "StepRunner", "crash_from_env"]

CRASH_ENV = "FLINKOPS_APPLY_CRASH_AT"
Submitter = Callable[..., str]
#: Opens a client of another cluster than the target's (a migration's old cluster).
Connect = Callable[[str], FlinkClient]


def crash_from_env(point: str) -> None:
    """Kill this process with SIGKILL when ``point`` is listed in FLINKOPS_APPLY_CRASH_AT."""
    wanted = os.environ.get(CRASH_ENV, "")
    if wanted and point in wanted.split(","):
        os.kill(os.getpid(), signal.SIGKILL)


class StepRunner(StopSteps, SubmitSteps):
    """Executes step lists against a Flink cluster and the version store.

    ``project`` is the project's id: every job submitted carries it, and only the
    project's jobs count as submitted (None: ids not compared).
    """

    def __init__(
        self,
        client: FlinkClient,
        store: Store,
        *,
        target: str,
        project: str | None = None,
        progress: Progress | None = None,
        savepoint_timeout: float = 300.0,
        poll: float = 1.0,
        submit: Submitter = submit_sql,
        crash: Callable[[str], None] = crash_from_env,
        rehearsal_client: FlinkClient | None = None,
        connect: Connect | None = None,
        plan_dir: Path | None = None,
    ) -> None:
        self.client = client
        self.rehearsal_client = rehearsal_client or client  # where `rehearse` steps run
        self.store = store
        self.target = target
        self.project = project  # carried in every job submitted; its jobs are ours
        self.progress = progress or (lambda job, what, elapsed: None)
        self.savepoint_timeout = savepoint_timeout
        self.poll = poll
        self.submit = submit
        self.crash = crash
        self.connect = connect or (lambda url: FlinkClient(url, timeout=client.timeout))
        self._others: dict[str, FlinkClient] = {}  # other clusters' clients, by URL
        self._others_lock = threading.Lock()
        self._versions: dict[str, str] = {}  # each cluster's Flink version, by URL, once read
        self.plan_dir = plan_dir  # compiledPlan: pin's plan files (apply/_pinned.py)

    # ------------------------------------------------------------------ the loop

    def run(self, run: Run) -> Run:
        """Run ``run.steps`` in order, then any list a failure appends; close the
        transition unless the cluster or the store stopped answering (the journal keeps
        it open, and the next apply resumes it). A run that fails or is interrupted
        carries what Flink shows then (``Run.situation``) for its message."""
        try:
            self._run(run)
        except StoreError as exc:  # the journal cannot be written: stop where we are
            run.state.error = f"the version store stopped answering: {exc}"
            run.interrupted = True
        if run.interrupted or run.status != TransitionStatus.DONE:
            run.situation = self._situation(run)
        return run

    def _run(self, run: Run) -> None:
        done = 0
        while done < len(run.steps):
            step = run.steps[done]
            done += 1
            if step.name in run.done:  # ended before an interruption: not again
                continue
            self.store.journal_step(
                run.tid, step.name, JournalPhase.START, {"step": describe(step)}
            )
            self.crash(f"{step.name}:before")
            # a record step's writes commit with its journal entry, or none of them do
            with self.store.atomic() if isinstance(step, Record) else nullcontext():
                try:
                    data = self._execute(run, step)
                except FlinkUnreachable as exc:
                    data = {"error": str(exc), "unreachable": True}
                    self.store.journal_step(run.tid, step.name, JournalPhase.FAILED, data)
                    run.state.error = str(exc)
                    run.interrupted = True
                    self._event(run, step.name, f"cluster stopped answering: {exc}", "error")
                    return
                except (FlinkopsError, FlinkError) as exc:
                    self._fail(run, step, exc)
                    done = 0
                    continue
                self.crash(f"{step.name}:after")
                run.state.absorb(data)
                run.done.add(step.name)
                self.store.journal_step(run.tid, step.name, JournalPhase.END, data)
            self.crash(f"{step.name}:end")
        if run.status == TransitionStatus.FAILED:
            self._settle(run)
        self.store.end_transition(run.tid, run.status)

    def _settle(self, run: Run) -> None:
        """A transition that ends failed leaves no version in progress (a rollback that
        failed too, say): it is recorded failed, so the spec is blocked, not retried."""
        record = self.store.version(self.target, run.job, run.version)
        if record is not None and record.outcome == Outcome.IN_PROGRESS:
            with self.store.atomic():
                self.store.update_version(
                    self.target, run.job, run.version, outcome=Outcome.FAILED,
                    message=run.message[:2000],
                )  # fmt: skip
                self._append_history(run, Outcome.FAILED, run.version, run.message[:2000])

    def _fail(self, run: Run, step: Step, exc: Exception) -> None:
        """Journal the failure with the list that follows it, and switch to that list."""
        cause = getattr(exc, "root_cause", "") or ""
        prev = run.applied_version
        rollback_to = (
            prev
            if prev is not None
            and prev != run.version
            and run.spec is not None
            and self.store.version(self.target, run.job, prev) is not None
            else None
        )
        then = after_failure(
            step,
            run.steps,
            version=run.version,
            rollback_to=rollback_to,
            new_job_id=run.state.job_id if isinstance(step, WaitHealthy) else None,
            restore=run.state.restore_point,
            infrastructure=getattr(exc, "infrastructure", False),
        )
        status = TransitionStatus.ROLLED_BACK if is_rollback(then) else TransitionStatus.FAILED
        self.store.journal_step(
            run.tid,
            step.name,
            JournalPhase.FAILED,
            {"error": str(exc), "root_cause": cause, "then": steps_to_json(then), "status": status},
        )
        self._event(run, step.name, f"{describe(step)} failed: {exc}", "error", root_cause=cause)
        self.crash(f"{step.name}:failed")
        run.state.error, run.state.root_cause = str(exc), cause
        run.steps, run.status = then, status

    def _event(
        self, run: Run, step: str, message: str, level: str = "info", **details: Any
    ) -> None:
        self.store.add_event(self.target, run.job, step, message, level=level, details=details)

    def _execute(self, run: Run, step: Step) -> dict[str, Any]:
        handler = _HANDLERS[type(step)]
        return handler(self.on_cluster(getattr(step, "cluster", None)), run, step)

    def on_cluster(self, cluster: str | None) -> StepRunner:
        """This runner, or (for a step on another cluster) a copy whose client is that
        cluster's: changes run concurrently on one runner, so its client never changes."""
        if not cluster:
            return self
        with self._others_lock:
            if cluster not in self._others:
                self._others[cluster] = self.connect(cluster)
            other = copy.copy(self)
            other.client = self._others[cluster]
        return other

    def close(self) -> None:
        """Close the clients of other clusters this runner opened."""
        with self._others_lock:
            for client in self._others.values():
                client.close()
            self._others.clear()

    # ------------------------------------------------------------------ steps

    def _scope(self, job: str) -> Scope:
        """The project's jobs on the target, ``job`` among its names (an unreadable
        job of that name may be its run). With the store down (an outage mid-apply, when
        the message still says what Flink shows), the jobs that carry the project's id."""
        try:
            return project_scope(self.store, self.target, self.project, names=(job,))
        except StoreError:
            return Scope(self.target, self.project, names=frozenset({job}))

    def _cancel(self, run: Run, step: Cancel) -> dict[str, Any]:
        """Cancel, unless the job already ended; with ``keep_checkpoint`` remember its
        latest retained checkpoint (and refuse when there is none)."""
        before = latest_checkpoint(self.client, step.job_id) if step.keep_checkpoint else None
        state = self.client.job(step.job_id).state
        if step.keep_checkpoint and before is None and state not in TERMINAL:
            raise ApplyError(
                f"{run.job}: no completed checkpoint to restart from "
                "(last-state needs checkpointing on); nothing was changed"
            )
        if state not in TERMINAL:
            if state != "CANCELLING":
                self.client.cancel(step.job_id)
            wait_state(
                self.client, run.job, step.job_id, TERMINAL, "cancelling", 60, self.progress,
                min(self.poll, 0.5),
            )  # fmt: skip
        data: dict[str, Any] = {"cancelled": step.job_id}
        if step.keep_checkpoint:
            path = latest_checkpoint(self.client, step.job_id) or before
            if path is None:
                raise ApplyError(f"{run.job}: job {step.job_id} left no checkpoint to restore")
            self.store.record_savepoint(
                self.target, run.job, path, kind="checkpoint", job_id=step.job_id,
                version=run.applied_version, flink_version=self._flink_version(),
            )  # fmt: skip
            data["checkpoint"] = path
        return data

    def _wait(self, run: Run, step: WaitHealthy) -> dict[str, Any]:
        job_id = run.state.job_id
        assert job_id is not None, f"{run.job}: {step.name} follows a submit or a rescale"
        verdict = wait_healthy(
            self.client, run.job, job_id, step, progress=self.progress, poll=self.poll
        )
        return {"healthy": job_id, **verdict}

    def _rehearse(self, run: Run, step: Rehearse) -> dict[str, Any]:
        """Rehearse the new version from a snapshot of the running job; ApplyError (the
        job untouched, the transition ends failed) unless it restored."""
        stop = next(s for s in run.steps if isinstance(s, StopWithSavepoint | Cancel))
        if run.spec is None or stop.job_id is None:
            raise ApplyError(f"{run.job}: rehearsing needs the job's spec and its running job")
        savepoint_dir = stop.target_dir if isinstance(stop, StopWithSavepoint) else None
        rehearser = Rehearser(
            self.client, self.rehearsal_client, step.settings,
            step.target or self.target, savepoint_dir, self.progress,
        )  # fmt: skip
        result = rehearser.rehearse(run.job, stop.job_id, run.spec)
        data = {"rehearsal": result.to_json()}
        if result.outcome is not RehearsalOutcome.RESTORED:
            why = result.root_cause or result.reason
            raise ApplyError(
                f"{run.job}: the rehearsal was {result.outcome} ({why}); the running job "
                f"{stop.job_id} was not touched"
            )
        self._event(run, step.name, rehearsal_words(data["rehearsal"]), "info", **data)
        return data

    def _rescale(self, run: Run, step: Rescale) -> dict[str, Any]:
        """Rescale in place; the forward step records the new version on the same job id."""
        data = rescale_job(
            self.client, run.job, step.job_id, step.parallelism, progress=self.progress
        )
        if run.spec is not None and not step.name.startswith("rollback-"):
            reserve_version(self.store, self.target, run.spec, run.version, None)
            self.store.update_version(
                self.target, run.job, run.version, job_id=step.job_id,
                restored_from=data["restored_from"],
            )  # fmt: skip
        self._event(
            run, "rescale",
            f"rescaled {step.job_id} in place to parallelism {step.parallelism}"
            + (f", restored from {data['restored_from']}" if data["restored_from"] else ""),
            **data,
        )  # fmt: skip
        return data

    def _record(self, run: Run, step: Record) -> dict[str, Any]:
        """Write the outcome; the version record is created when the store lacks it."""
        number = step.version if step.version is not None else run.version
        if self.store.version(self.target, run.job, number) is None and run.spec is not None:
            reserve_version(self.store, self.target, run.spec, number, None)
        state, taken, message = run.state, run.state.taken, run.message[:2000]
        if step.outcome == Outcome.APPLIED:
            health = f"; healthy: {flow_text(state.flow)}" if state.flow else ""
            # recorded in place (no submit before it): the running job is this version
            on: dict[str, str | None] = {"job_id": step.job_id} if step.job_id else {}
            if step.job_id is not None:
                state.job_id = step.job_id  # history's row names the job it runs on
            message = run.reason + health
            # the cluster it runs on: a later plan sees a target moved elsewhere by it
            on.update(cluster_url=self.client.base_url, flink_version=self._flink_version())
            self.store.update_version(
                self.target, run.job, number, outcome=Outcome.APPLIED, message=message, **on
            )
            prev = run.applied_version
            if (
                prev is not None
                and prev != number
                and taken
                and self.store.version(self.target, run.job, prev)
            ):
                self.store.update_version(self.target, run.job, prev, savepoint=taken)
        elif step.outcome == Outcome.ROLLED_BACK or (
            step.outcome == Outcome.INFRA_FAILED and is_rollback([step])
        ):
            self.store.update_version(
                self.target, run.job, number, outcome=step.outcome, message=message[:2000]
            )
            if run.applied_version is not None and taken:
                self.store.update_version(
                    self.target, run.job, run.applied_version, savepoint=taken
                )
            self._event(
                run, "rollback",
                f"rolled back to version {run.applied_version} ({state.job_id}) "
                f"from {state.restored_from}",
                "warning", job_id=state.job_id, restored_from=state.restored_from,
                failed_version=number, root_cause=state.root_cause or "",
            )  # fmt: skip
        elif step.outcome in (Outcome.FAILED, Outcome.INFRA_FAILED):
            self.store.update_version(
                self.target, run.job, number, outcome=step.outcome, message=message[:2000]
            )
        else:  # suspended, cancelled, deleted: what became of the applied version
            message = run.reason
            self.store.update_version(
                self.target, run.job, number, outcome=step.outcome, savepoint=taken,
                message=message,
            )  # fmt: skip
        self._append_history(run, step.outcome, number, message)
        return {"recorded": number, "outcome": step.outcome}

    def _append_history(self, run: Run, outcome: Outcome, number: int, message: str) -> None:
        """Append the transition's history rows (apply/history.py): never changed after."""
        previous = run.applied_version
        rows = history_rows(
            run, self.target, outcome, number, message=message,
            attempt=self.store.version(self.target, run.job, number),
            previous=self.store.version(self.target, run.job, previous) if previous else None,
        )  # fmt: skip
        for row in rows:
            self.store.append_history(row)


#: One handler per kind of step (plan/steps.py's ``STEP_KINDS``): it does the step and
#: returns what it produced (the journal's ``end`` data, which ``RunState.absorb`` takes
#: in). A new kind of step is its method above and its line here; a new transition kind
#: made of existing kinds of step needs neither.
_HANDLERS: dict[type[Step], Callable[[StepRunner, Run, Any], dict[str, Any]]] = {
    StopWithSavepoint: StepRunner._stop,
    Cancel: StepRunner._cancel,
    Submit: StepRunner._submit,
    WaitHealthy: StepRunner._wait,
    Record: StepRunner._record,
    Rescale: StepRunner._rescale,
    Rehearse: StepRunner._rehearse,
}
