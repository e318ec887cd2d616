"""The stop step and what a transition left, as the step runner (step_runner.py) takes
them: ``StopSteps`` is a part of ``StepRunner``.

A stop is journaled before it is sent (the job, the target directory, the time) and
its trigger id once Flink answers. Taken again after a fault (recovery), it first looks
for its result: the trigger while Flink remembers it, else, once the job ended or is
gone, the job's newest snapshot (``flink/snapshots.py``), and asks Flink to stop the
job again only when it still runs. ``_situation`` says what Flink shows of the jobs a
failed or interrupted transition touched, for its message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flinkops.apply.health import TERMINAL, Progress
from flinkops.apply.run_state import Run
from flinkops.errors import ApplyError, FlinkError, FlinkUnreachable, SavepointFailed
from flinkops.flink.live import Scope, read_live
from flinkops.flink.rest import FlinkClient, new_trigger_id
from flinkops.flink.snapshots import (
    SAVEPOINT_DIR_KEYS,
    Snapshot,
    SnapshotSearch,
    find_snapshot,
    snapshot_dirs,
)
from flinkops.plan import Action
from flinkops.plan.steps import StopWithSavepoint
from flinkops.store import JournalPhase, Store, utc_now

__all__ = ["STOP_ATTEMPTS", "StopSteps"]

#: how many times a stop asks Flink for its savepoint while the job keeps running
STOP_ATTEMPTS = 3


class StopSteps:
    """The stop step's handler and its helpers; ``StepRunner`` provides the fields."""

    client: FlinkClient
    store: Store
    target: str
    progress: Progress
    savepoint_timeout: float
    poll: float
    _event: Callable[..., None]
    _scope: Callable[[str], Scope]  # the project's jobs on the target (step_runner.py)
    _versions: dict[str, str]  # each cluster's Flink version, by URL (step_runner.py)

    def _stop(self, run: Run, step: StopWithSavepoint) -> dict[str, Any]:
        """Stop with a savepoint. The stop is journaled before it is sent (the job, the
        target directory, the time) and its trigger id once Flink answers; a stop taken
        again after a fault first looks for its result (``_stop_outcome``) and asks
        Flink to stop the job again only when it still runs without one.

        When Flink fails the savepoint while the job keeps running (a task not running
        yet after a restart, a checkpoint declined), the stop is asked for again once
        every task runs, up to STOP_ATTEMPTS times, each failure a warning event.
        """
        if run.state.stopping == step.job_id:
            found = self._stop_outcome(run, step)
            if found is not None:
                return self._stopped(run, step, found)
        trigger = None
        for attempt in range(1, STOP_ATTEMPTS + 1):
            if trigger is None:
                trigger = self._send_stop(run, step)
            try:
                location = self._await_savepoint(run, step.job_id, trigger)
                break
            except SavepointFailed as exc:
                if self._job_state(step.job_id) == "FINISHED":  # an earlier stop's doing
                    return self._stopped(run, step, self._snapshot_of_ended(run, step))
                if attempt == STOP_ATTEMPTS or not self._runs_again(step.job_id):
                    raise
                message = f"savepoint of {step.job_id} failed, asking again: {exc}"
                self._event(run, "savepoint", message, level="warning")
                trigger = None
        return self._stopped(run, step, Snapshot(location, "savepoint", f"stop {trigger}"))

    def _send_stop(self, run: Run, step: StopWithSavepoint) -> str:
        """Journal the stop with the trigger id it will carry, then send it: after a fault
        at any point the journal says which job was being stopped, into which directory,
        when, and under which id Flink knows the stop (an answer lost on the way, the
        stop is asked about, not sent again: Flink would fail a second stop while the
        first savepoint is in progress, and restart the job)."""
        trigger = new_trigger_id()
        asked = {
            "stopping": step.job_id,
            "target_dir": step.target_dir,
            "stop_asked": utc_now(),
            "trigger_id": trigger,
        }
        self.store.journal_step(run.tid, step.name, JournalPhase.START, asked)
        run.state.absorb(asked)
        return self.client.stop_with_savepoint(step.job_id, step.target_dir, trigger_id=trigger)

    def _await_savepoint(self, run: Run, job_id: str, trigger: str) -> str:
        return self.client.wait_savepoint(
            job_id,
            trigger,
            timeout=self.savepoint_timeout,
            on_progress=lambda t: self.progress(run.job, "savepoint in progress", t),
        )

    def _stop_outcome(self, run: Run, step: StopWithSavepoint) -> Snapshot | None:
        """What a stop asked for before a fault came to: its savepoint (through its
        trigger, while Flink remembers it), else, once the job ended or is gone, the
        newest snapshot of it (``find_snapshot``: Flink's latest savepoint of the job,
        its savepoints in the target directory, its retained checkpoints). None when the
        job still runs: the stop is to be asked for again. ApplyError, saying where it
        looked, when the job ended and left nothing."""
        trigger = run.state.trigger_id
        if trigger:
            try:
                location = self._await_savepoint(run, step.job_id, trigger)
                return Snapshot(location, "savepoint", f"stop {trigger}")
            except FlinkUnreachable:
                raise
            except FlinkError:  # failed, or forgotten (after 5 minutes, or a restart)
                pass
        state = self._settled_state(step.job_id)
        if state is not None and state not in TERMINAL:
            return None
        return self._snapshot_of_ended(run, step, state)

    def _snapshot_of_ended(
        self, run: Run, step: StopWithSavepoint, state: str | None = "FINISHED"
    ) -> Snapshot:
        """The newest snapshot of the stopped job, which ended (``state``) or is gone
        (None); ApplyError saying where it looked when there is none."""
        search = self._search(run, step)
        if search.found is None:
            raise ApplyError(
                f"{run.job}: job {step.job_id} is {state or 'gone from the cluster'} and "
                f"no savepoint of its stop nor retained checkpoint was found (looked at: "
                f"{search.where}); nothing was started"
            )
        return search.found

    def _settled_state(self, job_id: str) -> str | None:
        """The job's state once no savepoint or checkpoint of it is in progress (a stop
        sent before a fault may be completing), within the savepoint timeout."""
        deadline = time.monotonic() + self.savepoint_timeout
        while True:
            state = self._job_state(job_id)
            if state is None or state in TERMINAL or time.monotonic() > deadline:
                return state
            if not self.client.checkpoints(job_id).counts.get("in_progress"):
                return state
            time.sleep(self.poll)

    def _ended_state(self, job_id: str) -> str | None:
        """The state of a job whose stop-with-savepoint completed, once Flink has ended
        it (it does right after the savepoint), within the savepoint timeout."""
        deadline = time.monotonic() + self.savepoint_timeout
        state = self._job_state(job_id)
        while state is not None and state not in TERMINAL and time.monotonic() < deadline:
            time.sleep(self.poll)
            state = self._job_state(job_id)
        return state

    def _job_state(self, job_id: str) -> str | None:
        """The job's state as Flink shows it; None when the cluster does not know it."""
        try:
            return self.client.job(job_id).state
        except FlinkUnreachable:
            raise
        except FlinkError as exc:
            if exc.status == 404:
                return None
            raise

    def _search(self, run: Run, step: StopWithSavepoint) -> SnapshotSearch:
        try:
            conf: dict[str, str] | None = self.client.jobmanager_config()
        except FlinkError:
            conf = None
        own = {SAVEPOINT_DIR_KEYS[0]: step.target_dir} if step.target_dir else {}
        savepoint_dirs, checkpoint_dirs = snapshot_dirs(
            own, run.spec.flink_configuration if run.spec else None, conf
        )
        return find_snapshot(
            self.client, [step.job_id], savepoint_dirs=savepoint_dirs,
            checkpoint_dirs=checkpoint_dirs,
        )  # fmt: skip

    def _stopped(self, run: Run, step: StopWithSavepoint, snap: Snapshot) -> dict[str, Any]:
        """Record the savepoint the stop took (or the checkpoint found in its place)."""
        kind = "suspend" if run.action is Action.SUSPEND else "stop"
        kind = kind if snap.kind == "savepoint" else "checkpoint"
        run.state.absorb({"savepoint": snap.path})  # taken, whether or not the store answers
        self.store.record_savepoint(
            self.target, run.job, snap.path, kind=kind, job_id=step.job_id,
            version=run.applied_version, flink_version=self._flink_version(),
        )  # fmt: skip
        self._event(
            run, "savepoint", f"stopped {step.job_id} with {snap.kind} {snap.path} ({snap.source})",
            location=snap.path,
        )  # fmt: skip
        return {"savepoint": snap.path}

    def _flink_version(self) -> str | None:
        """The cluster's Flink version, recorded with each snapshot it writes and each
        version it runs (a plan never restores one into an older Flink); read once per
        cluster and runner, not once per step. None when it cannot be read."""
        url = self.client.base_url
        if url not in self._versions:
            try:
                version = self.client.version()
            except FlinkError:
                return None
            if not version:
                return None
            self._versions[url] = version
        return self._versions[url]

    def _runs_again(self, job_id: str) -> bool:
        """Whether ``job_id`` (whose savepoint failed) runs with every task RUNNING again
        within the savepoint timeout; False once it ended."""
        deadline = time.monotonic() + self.savepoint_timeout
        while time.monotonic() < deadline:
            details = self.client.job(job_id)
            if details.state in TERMINAL:
                return False
            if details.tasks_running:
                return True
            time.sleep(self.poll)
        return False

    def _situation(self, run: Run) -> str:
        """What Flink shows now of the jobs ``run`` touched: the old job's state and its
        newest snapshot once it ended, the stop's savepoint, the new version's job. Best
        effort: a cluster that does not answer is said to."""
        st, parts = run.state, []
        old = st.stopping or st.cancelled or st.old_job_id
        try:
            if old:
                state = run.old_state = self._job_state(old)
                if old == st.stopping and st.taken and state not in TERMINAL:
                    state = run.old_state = self._ended_state(old)  # its stop is done
                parts.append(f"Flink shows the old job {old} {state or 'gone from the cluster'}")
                if state in TERMINAL and not st.taken:
                    newest = self.client.checkpoints(old).latest.retained
                    where = newest.external_path if newest else None
                    parts.append(f"its newest snapshot: {where or 'none known to Flink'}")
            if st.taken:
                parts.append(f"the state it was stopped with: {st.taken}")
            if run.spec is not None and run.action.starts:
                parts.append(self._new_job_words(run))
        except FlinkError as exc:
            parts.append(f"what Flink shows now is unknown ({exc})")
        return "; ".join(p for p in parts if p)

    def _new_job_words(self, run: Run) -> str:
        """Whether the new version runs: the job the journal names, else a live one
        carrying the version (a submit whose answer was lost)."""
        carrying = [
            j
            for j in read_live(self.client, self._scope(run.job), name=run.job)
            if j.managed_name == run.job and j.version == run.version
        ]
        if not carrying:
            return f"no job of version {run.version} was started"
        job = max(carrying, key=lambda j: (j.active, j.start_time or 0))
        return f"version {run.version} is job {job.job_id}, {job.state}"
