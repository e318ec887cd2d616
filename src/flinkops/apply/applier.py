"""Carry a plan out: each change's steps, run by the one step runner (step_runner.py).

The plan holds, per change, the steps apply runs and the version it records; the
applier opens a journaled transition per change, hands its steps to the runner
and turns what happened into a ``JobResult``. A failing new job makes the runner
append the rollback (or the abort); an apply killed at any point is resumed by the
next one through ``recover`` (recover.py), with the same runner. A blocked change
(its spec was rolled back) is left alone and reported. A plan with errors (a spec
whose SQL Flink's planner rejects) is refused whole, before anything is asked or
touched (``refuse_errors``), as terraform refuses a plan with errors. One apply at a
time per target: the store's lock, held by the caller.

Before anything is asked or touched, ``refusals.py`` refuses a plan with errors, an
incompatible change or (without ``--allow-state-loss``) a change that loses state.
Around the applier, what the `apply` and `rollback` commands decide: whether to ask
first (``needs_confirmation``), carrying the plan out (``carry_out``) and the plan
that puts a stored version back (``rollback_plan``); the plan apply runs, saved or
made now, is ``saved_plans.py``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flinkops.apply.health import Progress
from flinkops.apply.recover import recover
from flinkops.apply.refusals import refuse_errors, refuse_incompatible, refuse_state_loss
from flinkops.apply.run_state import Run, RunState
from flinkops.apply.step_runner import Connect, StepRunner, Submitter, crash_from_env
from flinkops.errors import StalePlan
from flinkops.flink.live import ACTIVE_STATES
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import submit_sql
from flinkops.plan import Action, Change, Plan
from flinkops.plan.steps import Record, short, spec_steps, steps_to_json
from flinkops.spec import JobSpec
from flinkops.store import Outcome, Store, TransitionStatus

if TYPE_CHECKING:
    from flinkops.workspace import Workspace

__all__ = [
    "Applier",
    "ApplyResult",
    "JobResult",
    "carry_out",
    "needs_confirmation",
    "rollback_plan",
]


@dataclass
class JobResult:
    job: str
    action: Action
    status: TransitionStatus  # DONE, FAILED, ROLLED_BACK or BLOCKED
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
        return all(r.status == TransitionStatus.DONE for r in self.results)

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "ok": self.ok,
            "recovered": self.recovered,
            "results": [r.to_json() for r in self.results],
        }


class Applier:
    def __init__(
        self,
        client: FlinkClient,
        store: Store,
        *,
        target: str,
        specs: list[JobSpec],
        project: str | None = None,
        progress: Progress | None = None,
        parallelism: int = 4,
        savepoint_timeout: float = 300.0,
        default_savepoint_dir: str | None = None,
        poll: float = 1.0,
        submit: Submitter = submit_sql,
        crash: Callable[[str], None] = crash_from_env,
        rehearsal_client: FlinkClient | None = None,
        connect: Connect | None = None,
        plan_dir: Path | None = None,
    ) -> None:
        self.store = store
        self.target = target
        self.specs = {s.name: s for s in specs}
        self.parallelism = max(1, parallelism)
        self.default_savepoint_dir = default_savepoint_dir
        self.runner = StepRunner(
            client,
            store,
            target=target,
            project=project,
            progress=progress,
            savepoint_timeout=savepoint_timeout,
            poll=poll,
            submit=submit,
            crash=crash,
            rehearsal_client=rehearsal_client,
            connect=connect,
            plan_dir=plan_dir,
        )

    def apply(
        self, plan: Plan, *, allow_state_loss: bool = False, requested: str | None = None
    ) -> ApplyResult:
        """Carry out every change of ``plan`` (the caller holds the target's lock).
        ``requested``: what a command asked for (``rollback``, ``restore``), the action
        history records when the plan's action does not say it. Nothing is carried out when
        the plan has errors (``refuse_errors``), an incompatible change
        (``refuse_incompatible``) or, unless ``allow_state_loss``, a change that loses
        state (``refuse_state_loss``)."""
        refuse_errors(plan.errors)
        if not allow_state_loss:
            refuse_state_loss(plan.changes)
        refuse_incompatible(plan)
        todo = [c for c in plan.changes if c.action is not Action.NOOP]
        self._check_versions(todo)
        result = ApplyResult(plan.target)
        try:
            with ThreadPoolExecutor(max_workers=self.parallelism) as pool:
                for wave in _waves(todo):
                    carried = pool.map(lambda c: self._carry_out(c, requested), wave)
                    result.results.extend(carried)
        finally:
            self.runner.close()  # the clients of other clusters (a migration's old one)
        order = {c.job: i for i, c in enumerate(todo)}
        result.results.sort(key=lambda r: order[r.job])
        return result

    def _check_versions(self, changes: list[Change]) -> None:
        """Refuse a plan whose new version numbers the store already holds: it was
        made before another apply recorded them."""
        for c in changes:
            if c.action.starts and c.version and self.store.version(self.target, c.job, c.version):
                raise StalePlan(
                    f"{c.job}: version {c.version} is already in the store, so the plan is "
                    "stale. Run `flinkops plan` again."
                )

    def _carry_out(self, change: Change, requested: str | None = None) -> JobResult:
        if change.action is Action.BLOCKED:
            return _blocked(change)
        spec = self.specs.get(change.job)
        steps = list(change.steps) or spec_steps(change, spec, self.default_savepoint_dir)
        version = change.version or 0
        journaled = {**change.to_json(), "steps": steps_to_json(steps)}
        if requested:
            journaled["requested"] = requested  # recovery's run records the same history
        tid = self.store.begin_transition(self.target, change.job, change.action.value, journaled)
        self.store.add_event(
            self.target,
            change.job,
            change.action.value,
            f"{change.action.value} started: {change.reason}",
            details={
                "version": version,
                "transition": tid,
                "steps": [short(s.to_json()) for s in steps],
            },
        )
        run = Run(
            job=change.job,
            action=change.action,
            tid=tid,
            version=version,
            applied_version=change.applied_version,
            reason=change.reason,
            spec=spec,
            steps=steps,
            state=RunState(old_job_id=change.live.job_id if change.live else None),
            requested=requested,
        )
        return job_result(self.runner.run(run))

    def recover(self) -> list[str]:
        """Resume what an interrupted apply left open; one line per transition."""
        runs = recover(self.runner, self.specs, self.default_savepoint_dir)
        return [_recovered_line(r) for r in runs]


def _blocked(change: Change) -> JobResult:
    """A blocked change's result: left as it is, saying why (a failed attempt of the
    spec, a checkout behind the cluster, or a restore into an older Flink than wrote
    the state) and what lifts the block."""
    job_id = change.live.job_id if change.live else None
    if change.behind is not None:
        behind = change.behind
        return JobResult(
            change.job, change.action, TransitionStatus.BLOCKED, version=behind.version,
            job_id=job_id,
            message=f"left as it is: {behind.describe()}, which this checkout's history "
            "lacks, and applying would undo it; pull and plan again, or apply with "
            "--allow-behind",
        )  # fmt: skip
    attempt = change.blocked
    if attempt is None:  # not a failed version: the plan's reason says why (a downgrade)
        return JobResult(
            change.job, change.action, TransitionStatus.BLOCKED,
            version=change.applied_version, job_id=job_id,
            message=f"left as it is: {change.reason}",
        )  # fmt: skip
    return JobResult(
        change.job,
        change.action,
        TransitionStatus.BLOCKED,
        version=attempt.version,
        job_id=job_id,
        message=f"left as it is: version {attempt.version} of this spec "
        f"{attempt.became} at {attempt.at}; change the spec, or apply with "
        "--retry-failed to try it again",
        root_cause=attempt.root_cause,
    )


def job_result(run: Run) -> JobResult:
    """What a finished (or interrupted) run says, for people and for JSON."""
    state = run.state
    status = TransitionStatus.FAILED if run.interrupted else run.status
    message = ""
    error = state.error or ""
    if run.interrupted:
        message = _interrupted_words(run)
    elif run.status == TransitionStatus.ROLLED_BACK:
        message = (
            f"{error}; rolled back to version {run.applied_version}, restored from "
            f"{state.restored_from}"
        )
    elif run.status == TransitionStatus.FAILED:
        kept = state.restore_point
        replaced = state.cancelled or state.savepoint
        started_none = run.action in (Action.CREATE, Action.RESUME) and not state.job_id
        left = "; no job was started" if started_none else "; the running job was left as it was"
        message = error + (f"; {run.situation}" if run.situation else "" if replaced else left)
        message += f"; state kept at {kept}" if kept else ""
        if run.situation and run.old_state not in ACTIVE_STATES:
            message += (
                ". The next `flinkops apply` plans the job again and starts it from the "
                "newest savepoint or retained checkpoint it finds (never empty without "
                "--allow-state-loss)"
            )
    if any(isinstance(s, Record) and s.outcome == Outcome.INFRA_FAILED for s in run.steps):
        message += (
            f"; the cluster failed version {run.version} (not its spec), so the next apply "
            "tries it again"
        )
    return JobResult(
        run.job,
        run.action,
        status,
        version=run.version,
        job_id=state.job_id or state.old_job_id,
        restored_from=state.restored_from,
        savepoint=state.taken,
        message=message,
        root_cause=state.root_cause or "",
    )


def _interrupted_words(run: Run) -> str:
    """An interrupted run: its error, what Flink shows now, what the journal keeps and
    what the next apply does with it."""
    left = [s.name for s in run.steps if s.name not in run.done]
    what = "store" if (run.state.error or "").startswith("the version store") else "cluster"
    message = run.state.error or ""
    if run.situation:
        message += f". Now: {run.situation}"
    return message + (
        f". Nothing was rolled back; the journal keeps this transition open (steps left: "
        f"{', '.join(left) or 'none'}). Run `flinkops apply` again when the {what} "
        "answers: it asks Flink for the old job's state and snapshots first, then carries "
        "on from there (nothing is submitted twice)."
    )


def _recovered_line(run: Run) -> str:
    if run.status == TransitionStatus.UNCHANGED:
        return f"{run.job}: interrupted {run.action} had changed nothing; re-planned"
    result = job_result(run)
    return f"{run.job}: interrupted {run.action} -> {result.status}" + (
        f" ({result.message})" if result.message else ""
    )


def carry_out(
    applier: Applier,
    plan: Plan,
    *,
    recovered: list[str],
    confirm: Callable[[], None] | None = None,
    allow_state_loss: bool = False,
    requested: str | None = None,
) -> ApplyResult:
    """Run ``plan``'s changes, if it has any, after ``confirm()`` (which raises to
    cancel) when one is given; the result lists the ``recovered`` lines (what
    ``Applier.recover`` resumed first). ``requested`` names the command's transition
    in history (``rollback``, ``restore``). The caller holds the target's lock."""
    if not plan.has_changes:
        return ApplyResult(plan.target, recovered=recovered)
    refuse_errors(plan.errors)  # before asking: there is nothing to confirm
    refuse_incompatible(plan)
    if confirm is not None:
        confirm()
    result = applier.apply(plan, allow_state_loss=allow_state_loss, requested=requested)
    result.recovered = recovered
    return result


def needs_confirmation(plan: Plan, saved: dict[str, Any] | None) -> bool:
    """Whether apply asks before running ``plan``: not for a saved plan file (it was
    approved when it was saved), nor for a plan that runs no step (blocked jobs only)."""
    return saved is None and any(c.steps for c in plan.changes)


def rollback_plan(
    ws: Workspace, spec: JobSpec, to_version: int, *, allow_behind: bool = False
) -> Plan:
    """The plan that puts ``spec`` back (version ``to_version``'s, from
    ``versions.spec_of_version``): that job only, planned even when the version failed
    or was rolled back (it was asked for by number), each reason saying it is a rollback.
    From a checkout behind the cluster it is blocked, as any change, unless
    ``allow_behind``."""
    fresh = ws.make_plan(
        specs=[spec], only=[spec.name], retry_failed=True, allow_behind=allow_behind
    )
    reason = f"rollback to version {to_version}"
    changes = tuple(replace(c, reason=f"{reason}: {c.reason}") for c in fresh.changes)
    return replace(fresh, changes=changes)


def _waves(changes: list[Change]) -> list[list[Change]]:
    """Changes grouped so that a job whose source another changing job writes (lineage)
    goes after it: a consumer then starts when its producer already runs. Jobs in one
    wave are independent and run concurrently; a cycle falls back to one last wave."""
    names = {c.job for c in changes}
    upstream: dict[str, set[str]] = {c.job: set() for c in changes}
    for c in changes:
        for down in c.downstream:
            if down in names and down != c.job:
                upstream[down].add(c.job)
    waves: list[list[Change]] = []
    placed: set[str] = set()
    while len(placed) < len(changes):
        wave = [c for c in changes if c.job not in placed and upstream[c.job] <= placed]
        if not wave:
            wave = [c for c in changes if c.job not in placed]
        waves.append(wave)
        placed |= {c.job for c in wave}
    return waves
