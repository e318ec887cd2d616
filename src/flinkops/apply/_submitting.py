"""The submit step of the step runner (``step_runner.py``): submit a version (the run's,
or an earlier one a rollback goes back to, rebuilt from the store) from the snapshot
the steps before it named, unless a live job already carries it (a step taken again
after a kill adopts its job instead of submitting the version twice). With
``compiledPlan: pin`` it submits from the kept plan, or keeps the plan it compiled."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flinkops.apply._pinned import keep_plan, pinned_program
from flinkops.apply.run_state import SUBMITTED_BEFORE, Run
from flinkops.apply.versions import reserve_version, spec_from_version
from flinkops.errors import ApplyError
from flinkops.flink.identity import JobIdentity
from flinkops.flink.live import ACTIVE_STATES, Scope, read_live
from flinkops.flink.rest import FlinkClient
from flinkops.plan.steps import FROM_CHECKPOINT, FROM_STOP, Submit
from flinkops.spec import JobSpec
from flinkops.store import JournalPhase, Store

__all__ = ["SubmitSteps"]


class SubmitSteps:
    """The submit step; mixed into ``StepRunner``, whose attributes it uses."""

    client: FlinkClient
    store: Store
    target: str
    project: str | None
    plan_dir: Path | None
    submit: Callable[..., str]
    _event: Callable[..., None]
    _scope: Callable[[str], Scope]  # the project's jobs on the target (step_runner.py)
    _flink_version: Callable[[], str | None]

    def _submit(self, run: Run, step: Submit) -> dict[str, Any]:
        """Submit a version, unless a live job already carries it (then adopt that)."""
        restore = {FROM_STOP: run.state.savepoint, FROM_CHECKPOINT: run.state.checkpoint}
        path = restore.get(step.restore or "", step.restore)
        if step.restore in restore and not path:
            raise ApplyError(f"{run.job}: nothing to restore from ({step.restore})")
        if run.spec is None:
            raise ApplyError(
                f"{run.job}: submitting needs the job's spec, and it is gone; restore the "
                "spec file and apply again"
            )
        spec, spec_hash = self._spec_of(run, run.spec, step.version)
        job_id, pinned = self._already_submitted(run, step), dict[str, Any]()
        compiled_now: Path | None = None  # compiledPlan: pin's plan this submit compiles
        if job_id is None:
            reserve_version(self.store, self.target, spec, step.version, path)
            statements = spec.statements
            if spec.pins_plan:
                statements, plan, kept = pinned_program(
                    self.store, self.target, run.job, spec, self.plan_dir
                )
                pinned = {"compiled_plan": str(plan), "plan_kept": kept}
                compiled_now = None if kept else plan
            job_id = self.submit(
                self.client,
                job_name=run.job,
                statements=statements,
                identity=JobIdentity(
                    run.job, step.version, spec_hash, self.target, self.project or ""
                ),
                parallelism=spec.parallelism,
                flink_configuration=spec.flink_configuration,
                savepoint_path=path,
                allow_non_restored_state=spec.allow_non_restored_state,
            )
            if compiled_now is not None:  # compiled by this submit: keep it with the version
                keep_plan(
                    self.store, self.target, run.job, step.version, spec, compiled_now,
                    self._flink_version(),
                )  # fmt: skip
        self.store.update_version(
            self.target, run.job, step.version, job_id=job_id, restored_from=path
        )
        self._event(
            run, "submit",
            f"submitted version {step.version} as {job_id}" + (f" from {path}" if path else ""),
            job_id=job_id, restored_from=path,
        )  # fmt: skip
        return {"job_id": job_id, "restored_from": path, **pinned}

    def _already_submitted(self, run: Run, step: Submit) -> str | None:
        """The job this step already submitted, or a live one carrying its version.

        The first time, the ids of the jobs then carrying the version are journaled
        (an earlier version's stopped jobs carry it too); a job carrying it that is not
        among them came from this step, even one that failed since. So a step taken
        again after a kill adopts its job instead of submitting the version twice."""
        carrying = [
            j
            for j in read_live(self.client, self._scope(run.job), name=run.job)
            if j.managed_name == run.job and j.version == step.version
        ]
        if step.name not in run.state.submitted_before:
            known = {step.name + SUBMITTED_BEFORE: sorted(j.job_id for j in carrying)}
            self.store.journal_step(run.tid, step.name, JournalPhase.START, known)
            run.state.absorb(known)
        before = run.state.submitted_before[step.name]
        ours = [j for j in carrying if j.job_id not in before or j.state in ACTIVE_STATES]
        ours.sort(key=lambda j: (j.state in ACTIVE_STATES, j.start_time or 0))
        return ours[-1].job_id if ours else None

    def _spec_of(self, run: Run, spec: JobSpec, version: int) -> tuple[JobSpec, str]:
        """The spec of ``version`` and the hash it runs with: the run's own, or an earlier
        version's rebuilt from the store (a rollback going back to it)."""
        if version == run.version:
            return spec, spec.spec_hash
        record = self.store.version(self.target, run.job, version)
        if record is None:
            raise ApplyError(f"{run.job}: version {version} is not in the store")
        try:
            return spec_from_version(spec, record), record.spec_hash  # as it ran before
        except KeyError as exc:
            raise ApplyError(
                f"{run.job}: version {version} needs the environment variable "
                f"{exc.args[0]} to be rebuilt; set it and apply again"
            ) from exc
