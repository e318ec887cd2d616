"""Carry a plan out: savepoint-safe transitions, journaled, with automatic rollback.

Every external step is journaled in the store before it starts and when it ends
(trigger ids, savepoint locations, submitted job ids), so an apply killed at any
point leaves enough for the next one to finish or roll back the transition
(``recover``) without losing a savepoint or submitting a version twice. One apply
at a time per target: the store's lock.
"""

from __future__ import annotations

import os
import signal
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from flinkops.errors import ApplyError, FlinkError, FlinkopsError, FlinkUnreachable
from flinkops.flink.identity import JobIdentity
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import submit_sql
from flinkops.gitinfo import git_info
from flinkops.health import (
    TERMINAL,
    Progress,
    Unhealthy,
    latest_checkpoint,
    wait_healthy,
    wait_state,
)
from flinkops.plan import ACTIVE_STATES, Action, Change, Plan
from flinkops.redact import MASK
from flinkops.spec import JobSpec, SpecModel, resolve_env_refs
from flinkops.store import Store, VersionRecord
from flinkops.transitions import (
    FROM_CHECKPOINT,
    FROM_STOP,
    Cancel,
    Record,
    Step,
    StopWithSavepoint,
    Submit,
    WaitHealthy,
    describe,
    steps_for,
)

__all__ = [
    "CRASH_ENV",
    "Applier",
    "ApplyResult",
    "JobResult",
    "Unhealthy",
    "spec_from_version",
    "stale_reasons",
]

CRASH_ENV = "FLINKOPS_APPLY_CRASH_AT"  # fault injection: "<step>:<before|after|end>"


@dataclass
class JobResult:
    job: str
    action: str
    status: str  # done | failed | rolled-back | skipped
    version: int | None = None
    job_id: str | None = None
    restored_from: str | None = None
    savepoint: str | None = None
    message: str = ""
    root_cause: str = ""

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ApplyResult:
    target: str
    results: list[JobResult] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.status in ("done", "skipped") for r in self.results)

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "ok": self.ok,
            "recovered": self.recovered,
            "results": [r.to_json() for r in self.results],
        }


def _crash_point(point: str) -> None:
    wanted = os.environ.get(CRASH_ENV, "")
    if wanted and point in wanted.split(","):
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class _Run:
    """One change being carried out: its journal id and what earlier steps produced."""

    change: Change
    spec: JobSpec | None
    version: int
    tid: int
    ctx: dict[str, Any] = field(default_factory=dict)


class Applier:
    def __init__(
        self,
        client: FlinkClient,
        store: Store,
        *,
        target: str,
        specs: list[JobSpec],
        progress: Progress | None = None,
        parallelism: int = 4,
        savepoint_timeout: float = 300.0,
        default_savepoint_dir: str | None = None,
        poll: float = 1.0,
    ) -> None:
        self.client = client
        self.store = store
        self.target = target
        self.specs = {s.name: s for s in specs}
        self.progress = progress or (lambda job, what, elapsed: None)
        self.parallelism = max(1, parallelism)
        self.savepoint_timeout = savepoint_timeout
        self.default_savepoint_dir = default_savepoint_dir
        self.poll = poll

    # ------------------------------------------------------------------ entry points

    def apply(self, plan: Plan, *, allow_state_loss: bool = False) -> ApplyResult:
        """Carry out every change of ``plan`` (the caller holds the target's lock)."""
        refused = [
            c for c in plan.changes if c.missing_savepoint_dir and c.action is not Action.NOOP
        ]
        if refused and not allow_state_loss:
            names = ", ".join(c.job for c in refused)
            raise ApplyError(
                f"refusing to lose the state of {names}: no savepoint directory "
                "(set savepointDir on the job or target, or pass "
                "--allow-state-loss)"
            )
        result = ApplyResult(plan.target)
        todo = [c for c in plan.changes if c.action is not Action.NOOP]
        with ThreadPoolExecutor(max_workers=self.parallelism) as pool:
            for wave in _waves(todo):
                result.results.extend(pool.map(self._carry_out, wave))
        order = {c.job: i for i, c in enumerate(todo)}
        result.results.sort(key=lambda r: order[r.job])
        return result

    def _carry_out(self, change: Change) -> JobResult:
        spec = self.specs.get(change.job)
        version = change.version or 0
        if change.action in (Action.CREATE, Action.UPDATE, Action.RESUME, Action.RESTART):
            version = max(self.store.next_version(self.target, change.job), version)
        health = spec.health if spec else None
        steps = steps_for(
            change,
            version=version,
            savepoint_dir=(spec.savepoint_dir if spec else None) or self.default_savepoint_dir,
            window=health.window_seconds if health else 0,
            timeout=health.timeout_seconds if health else 0,
            until_checkpoint=bool(health and health.until_checkpoint),
        )
        tid = self.store.begin_transition(
            self.target, change.job, change.action.value, {**change.to_json(), "version": version}
        )
        run = _Run(
            change, spec, version, tid, {"old_job_id": change.live.job_id if change.live else None}
        )
        self.store.add_event(
            self.target,
            change.job,
            change.action.value,
            f"{change.action.value} started: {change.reason}",
            details={"version": version, "transition": tid},
        )
        return self._run_steps(run, steps)

    # ------------------------------------------------------------------ step runner

    def _run_steps(self, run: _Run, steps: list[Step]) -> JobResult:
        job = run.change.job
        for step in steps:
            self.store.journal_step(run.tid, step.name, "start", {"step": describe(step)})
            _crash_point(f"{step.name}:before")
            try:
                data = self._execute(run, step)
            except FlinkUnreachable as exc:
                return self._interrupted(run, step, exc)
            except (FlinkopsError, FlinkError) as exc:
                self.store.journal_step(run.tid, step.name, "failed", {"error": str(exc)})
                return self._failed(run, step, exc)
            _crash_point(f"{step.name}:after")
            run.ctx.update(data)
            self.store.journal_step(run.tid, step.name, "end", data)
            _crash_point(f"{step.name}:end")
        self.store.end_transition(run.tid, "done")
        self.store.add_event(
            self.target,
            job,
            run.change.action.value,
            f"{run.change.action.value} done",
            details=_public(run.ctx),
        )
        return JobResult(
            job,
            run.change.action.value,
            "done",
            version=run.version,
            job_id=run.ctx.get("job_id") or run.ctx.get("old_job_id"),
            restored_from=run.ctx.get("restored_from"),
            savepoint=run.ctx.get("savepoint") or run.ctx.get("checkpoint"),
        )

    def _interrupted(self, run: _Run, step: Step, exc: FlinkUnreachable) -> JobResult:
        """The cluster stopped answering: touch nothing more, keep the transition open so
        the next apply's recovery resumes it from the journal."""
        job = run.change.job
        self.store.journal_step(
            run.tid, step.name, "failed", {"error": str(exc), "unreachable": True}
        )
        self.store.add_event(
            self.target,
            job,
            step.name,
            f"cluster stopped answering during '{describe(step)}': {exc}",
            level="error",
        )
        return JobResult(
            job,
            run.change.action.value,
            "failed",
            version=run.version,
            job_id=run.ctx.get("job_id") or run.ctx.get("old_job_id"),
            message=f"{exc}. The cluster stopped answering during '{describe(step)}'; nothing "
            "was rolled back. The journal keeps this transition: run `flinkops apply` again "
            "when the cluster answers, and it resumes here.",
        )

    def _execute(self, run: _Run, step: Step) -> dict[str, Any]:
        if isinstance(step, StopWithSavepoint):
            return self._stop(run, step)
        if isinstance(step, Cancel):
            return self._cancel(run, step)
        if isinstance(step, Submit):
            restore = {
                FROM_STOP: run.ctx.get("savepoint"),
                FROM_CHECKPOINT: run.ctx.get("checkpoint"),
            }.get(step.restore or "", step.restore)
            if step.restore in (FROM_STOP, FROM_CHECKPOINT) and not restore:
                raise ApplyError(f"nothing to restore from ({step.restore})")
            assert run.spec is not None
            return self._submit(run, run.spec, step.version, restore)
        if isinstance(step, WaitHealthy):
            self.wait_healthy(run.change.job, run.ctx["job_id"], step)
            return {"healthy": True}
        assert isinstance(step, Record)
        return self._record(run, step.outcome)

    def _stop(self, run: _Run, step: StopWithSavepoint) -> dict[str, Any]:
        job = run.change.job
        trigger = self.client.stop_with_savepoint(step.job_id, step.target_dir)
        self.store.journal_step(
            run.tid, step.name, "start", {"trigger_id": trigger, "stopping": step.job_id}
        )
        location = self.client.wait_savepoint(
            step.job_id,
            trigger,
            timeout=self.savepoint_timeout,
            on_progress=lambda t: self.progress(job, "savepoint in progress", t),
        )
        kind = "suspend" if run.change.action is Action.SUSPEND else "stop"
        self.store.record_savepoint(
            self.target,
            job,
            location,
            kind=kind,
            job_id=step.job_id,
            version=run.change.applied_version,
        )
        self.store.add_event(
            self.target,
            job,
            "savepoint",
            f"stopped {step.job_id} with savepoint {location}",
            details={"location": location},
        )
        return {"savepoint": location}

    def _cancel(self, run: _Run, step: Cancel) -> dict[str, Any]:
        job = run.change.job
        before = None
        if step.keep_checkpoint:
            before = latest_checkpoint(self.client, step.job_id)
            if before is None:
                raise ApplyError(
                    f"{job}: no completed checkpoint to restart from "
                    "(last-state needs checkpointing on); nothing was changed"
                )
        self.client.cancel(step.job_id)
        wait_state(
            self.client,
            job,
            step.job_id,
            TERMINAL,
            "cancelling",
            60,
            self.progress,
            min(self.poll, 0.5),
        )
        data: dict[str, Any] = {"cancelled": step.job_id}
        if step.keep_checkpoint:
            path = latest_checkpoint(self.client, step.job_id) or before
            assert path is not None
            self.store.record_savepoint(
                self.target,
                job,
                path,
                kind="checkpoint",
                job_id=step.job_id,
                version=run.change.applied_version,
            )
            data["checkpoint"] = path
        return data

    def _submit(
        self, run: _Run, spec: JobSpec, version: int, restore: str | None
    ) -> dict[str, Any]:
        job = run.change.job
        existing = self._find_submitted(job, version)
        if existing is None:
            self._reserve_version(spec, version, restore)
            existing = submit_sql(
                self.client,
                job_name=job,
                statements=spec.statements,
                identity=JobIdentity(job, version, spec.spec_hash, self.target),
                parallelism=spec.parallelism,
                flink_configuration=spec.flink_configuration,
                savepoint_path=restore,
                allow_non_restored_state=spec.allow_non_restored_state,
            )
        self.store.update_version(self.target, job, version, job_id=existing, restored_from=restore)
        self.store.add_event(
            self.target,
            job,
            "submit",
            f"submitted version {version} as {existing}" + (f" from {restore}" if restore else ""),
            details={"job_id": existing, "restored_from": restore},
        )
        return {"job_id": existing, "restored_from": restore}

    def _reserve_version(self, spec: JobSpec, version: int, restore: str | None) -> None:
        if self.store.version(self.target, spec.name, version) is not None:
            return
        git = git_info([spec.path, spec.sql_path])
        self.store.record_version(
            VersionRecord(
                target=self.target,
                job=spec.name,
                version=version,
                spec_hash=spec.spec_hash,
                sql_hash=spec.sql_hash,
                config_hash=spec.config_hash,
                spec=spec.portable(spec.to_json(redacted=False)),
                sql=spec.portable(spec.sql),
                git_commit=git.shown_commit if git else None,
                git_author=git.author if git else None,
                restored_from=restore,
                outcome="in-progress",
            )
        )

    def _find_submitted(self, job: str, version: int) -> str | None:
        """A live job already carrying this job's ``version``: never submit it twice."""
        from flinkops.observe import read_live

        for live in read_live(self.client, self.target, name=job):
            if live.managed_name == job and live.version == version and live.state in ACTIVE_STATES:
                return live.job_id
        return None

    def _record(self, run: _Run, outcome: str) -> dict[str, Any]:
        job = run.change.job
        prev = run.change.applied_version
        taken = run.ctx.get("savepoint") or run.ctx.get("checkpoint")
        if outcome == "applied":
            self.store.update_version(
                self.target, job, run.version, outcome="applied", message=run.change.reason
            )
            if (
                prev is not None
                and prev != run.version
                and taken
                and self.store.version(self.target, job, prev)
            ):
                self.store.update_version(self.target, job, prev, savepoint=taken)
            return {"recorded": run.version}
        number = prev if prev is not None and self.store.version(self.target, job, prev) else None
        if number is None and run.spec is not None:
            number = self.store.next_version(self.target, job)
            self._reserve_version(run.spec, number, None)
        if number is not None:
            self.store.update_version(
                self.target,
                job,
                number,
                outcome=outcome,
                savepoint=taken,
                message=run.change.reason,
            )
        return {"recorded": number}

    def wait_healthy(self, job: str, job_id: str, step: WaitHealthy) -> None:
        wait_healthy(self.client, job, job_id, step, progress=self.progress, poll=self.poll)

    def recover(self) -> list[str]:
        """Finish or roll back what an interrupted apply left (see recover.py)."""
        from flinkops.recover import recover

        return recover(self)

    # ------------------------------------------------------------------ failure

    def _failed(self, run: _Run, step: Step, exc: Exception) -> JobResult:
        job = run.change.job
        cause = getattr(exc, "root_cause", "") or ""
        self.store.add_event(
            self.target,
            job,
            step.name,
            f"{describe(step)} failed: {exc}",
            level="error",
            details={"root_cause": cause},
        )
        restore = (
            run.ctx.get("savepoint")
            or run.ctx.get("checkpoint")
            or (
                run.change.restore_from
                if run.change.live is None or not run.change.live.active
                else None
            )
        )
        new_job = run.ctx.get("job_id")
        if isinstance(step, StopWithSavepoint | Cancel) and not run.ctx.get("cancelled"):
            # Nothing changed yet: the old job keeps running.
            self.store.end_transition(run.tid, "failed")
            return JobResult(
                job,
                run.change.action.value,
                "failed",
                job_id=run.ctx.get("old_job_id"),
                message=f"{exc}; the running job was left as it was",
                root_cause=cause,
            )
        if new_job:
            self._cancel_quietly(new_job)
        if self.store.version(self.target, job, run.version) is not None:
            self.store.update_version(
                self.target, job, run.version, outcome="failed", message=str(exc)[:2000]
            )
        prev = run.change.applied_version
        if isinstance(step, Submit | WaitHealthy) and prev is not None:
            return self._rollback(run, prev, restore, exc, cause)
        self.store.end_transition(run.tid, "failed")
        keep = f"; state kept at {restore}" if restore else ""
        return JobResult(
            job,
            run.change.action.value,
            "failed",
            version=run.version,
            job_id=new_job,
            message=f"{exc}{keep}",
            root_cause=cause,
        )

    def _cancel_quietly(self, job_id: str) -> None:
        try:
            if self.client.job(job_id).state not in TERMINAL:
                self.client.cancel(job_id)
        except FlinkError:
            pass

    def _rollback(
        self, run: _Run, prev: int, restore: str | None, exc: Exception, cause: str
    ) -> JobResult:
        job = run.change.job
        record = self.store.version(self.target, job, prev)
        why = f"{exc}"
        if record is None:
            self.store.end_transition(run.tid, "failed")
            return JobResult(
                job,
                run.change.action.value,
                "failed",
                version=run.version,
                message=f"{why}; no previous version to roll back to; state kept at {restore}",
                root_cause=cause,
            )
        self.store.journal_step(
            run.tid, "rollback", "start", {"to_version": prev, "restore": restore}
        )
        try:
            if run.spec is None:
                raise ApplyError("the job's spec is gone, so its previous version can't be rebuilt")
            spec = spec_from_version(run.spec, record)
            job_id = submit_sql(
                self.client,
                job_name=job,
                statements=spec.statements,
                identity=JobIdentity(job, prev, record.spec_hash, self.target),
                parallelism=spec.parallelism,
                flink_configuration=spec.flink_configuration,
                savepoint_path=restore,
                allow_non_restored_state=spec.allow_non_restored_state,
            )
            self.store.journal_step(run.tid, "rollback", "start", {"job_id": job_id})
            health = run.spec.health if run.spec else None
            self.wait_healthy(
                job,
                job_id,
                WaitHealthy(
                    health.window_seconds if health else 10,
                    health.timeout_seconds if health else 180,
                ),
            )
        except (FlinkopsError, FlinkError, KeyError) as rb_exc:
            self.store.journal_step(run.tid, "rollback", "failed", {"error": str(rb_exc)})
            self.store.end_transition(run.tid, "failed")
            self.store.add_event(
                self.target,
                job,
                "rollback",
                f"rollback to version {prev} failed: {rb_exc}",
                level="error",
            )
            return JobResult(
                job,
                run.change.action.value,
                "failed",
                version=run.version,
                message=f"{why}; rollback to version {prev} also failed: {rb_exc};"
                f" state kept at {restore}",
                root_cause=cause,
            )
        self.store.update_version(self.target, job, prev, job_id=job_id, savepoint=restore)
        if self.store.version(self.target, job, run.version) is not None:
            self.store.update_version(self.target, job, run.version, outcome="rolled-back")
        self.store.journal_step(run.tid, "rollback", "end", {"job_id": job_id})
        self.store.end_transition(run.tid, "rolled-back")
        self.store.add_event(
            self.target,
            job,
            "rollback",
            f"rolled back to version {prev} ({job_id}) from {restore}",
            level="warning",
            details={
                "job_id": job_id,
                "restored_from": restore,
                "failed_version": run.version,
                "root_cause": cause,
            },
        )
        return JobResult(
            job,
            run.change.action.value,
            "rolled-back",
            version=run.version,
            job_id=job_id,
            restored_from=restore,
            message=f"{why}; rolled back to version {prev}, restored from {restore}",
            root_cause=cause,
        )


# ---------------------------------------------------------------------- helpers


def _waves(changes: list[Change]) -> list[list[Change]]:
    """Changes grouped so that a job whose source another changing job writes (lineage)
    goes after it: a consumer then starts when its producer already runs. Jobs in one
    wave are independent and run concurrently; a cycle falls back to one last wave."""
    names = {c.job for c in changes}
    upstream = {c.job: set() for c in changes}
    for c in changes:
        for down in c.downstream:
            if down in names and down != c.job:
                upstream[down].add(c.job)
    waves, placed = [], set()
    while len(placed) < len(changes):
        wave = [c for c in changes if c.job not in placed and upstream[c.job] <= placed]
        if not wave:
            wave = [c for c in changes if c.job not in placed]
        waves.append(wave)
        placed |= {c.job for c in wave}
    return waves


def _public(ctx: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in ctx.items() if v is not None}


def spec_from_version(current: JobSpec, record: VersionRecord) -> JobSpec:
    """``current`` (the job's spec now) with a stored version's SQL and runtime
    configuration put back, ``${env:...}`` resolved again: what a rollback submits."""
    sql = resolve_env_refs(record.sql)
    stored = record.spec
    config = resolve_env_refs(dict(stored.get("flinkConfiguration") or {}))
    if MASK in sql or MASK in str(config):
        raise ApplyError(
            f"version {record.version} was stored with a literal secret masked; "
            "write secrets as ${env:NAME} so flinkops can roll back"
        )
    data = current.model.model_dump(exclude_none=True)
    data.update(
        sql=sql,
        sql_file=None,
        parallelism=stored.get("parallelism"),
        upgrade_mode=stored.get("upgradeMode", "savepoint"),
        allow_non_restored_state=stored.get("allowNonRestoredState", False),
        flink_configuration=config,
        state="running",
    )
    data = {k: v for k, v in data.items() if v is not None}
    return replace(current, model=SpecModel(**data), sql=sql)


def stale_reasons(saved: dict[str, Any], fresh: Plan) -> list[str]:
    """What moved between a saved plan file and what the cluster and store say now."""
    now = fresh.to_json()
    reasons = []
    if saved.get("target") != fresh.target:
        reasons.append(f"the plan is for target {saved.get('target')!r}, not {fresh.target!r}")
    old_obs, new_obs = saved.get("observed", {}), now["observed"]
    for job in sorted(set(old_obs) | set(new_obs)):
        a, b = old_obs.get(job), new_obs.get(job)
        if a is None or b is None:
            reasons.append(f"{job}: {'appeared' if a is None else 'is gone'} since the plan")
            continue
        for key, label in (
            ("spec_hash", "spec"),
            ("job_id", "live job"),
            ("state", "live state"),
            ("applied_version", "applied version"),
        ):
            if a.get(key) != b.get(key):
                reasons.append(f"{job}: {label} was {a.get(key)}, now {b.get(key)}")
    return reasons
