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

Around the applier, what the `apply` and `rollback` commands decide: the plan apply
runs (``plan_for_apply``: which jobs, ``plan_scope``; a saved plan file, read by
``flinkops.plan.planfile``, run only when it is not stale, ``accept_saved_plan``), whether to ask
first (``needs_confirmation``), carrying the plan out (``carry_out``) and the plan
that puts a stored version back (``rollback_plan``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from flinkops.apply.health import Progress
from flinkops.apply.recover import recover
from flinkops.apply.run_state import Run, RunState
from flinkops.apply.step_runner import StepRunner, Submitter, crash_from_env
from flinkops.errors import ApplyError, StalePlan
from flinkops.flink.live import ACTIVE_STATES
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import submit_sql
from flinkops.plan import Action, Change, Plan, SqlRejected, StateImpact
from flinkops.plan.steps import Record, short, spec_steps, step_from_json, steps_to_json
from flinkops.redact import MASK
from flinkops.spec import JobSpec
from flinkops.store import Outcome, Store, TransitionStatus

if TYPE_CHECKING:
    from flinkops.workspace import Workspace

__all__ = [
    "Applier",
    "ApplyResult",
    "JobResult",
    "PlanScope",
    "accept_saved_plan",
    "carry_out",
    "needs_confirmation",
    "plan_for_apply",
    "plan_scope",
    "refuse_errors",
    "refuse_incompatible",
    "refuse_state_loss",
    "rollback_plan",
    "saved_plan",
    "stale_reasons",
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
        with ThreadPoolExecutor(max_workers=self.parallelism) as pool:
            for wave in _waves(todo):
                carried = pool.map(lambda c: self._carry_out(c, requested), wave)
                result.results.extend(carried)
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


def refuse_incompatible(plan: Plan) -> None:
    """Refuse a plan that would restore state Flink is sure to refuse (state
    ``incompatible``), before anything is touched, saying how to proceed."""
    bad = [c for c in plan.changes if c.action.starts and c.state is StateImpact.INCOMPATIBLE]
    if not bad:
        return
    why = "; ".join(f"{c.job}: {'; '.join(c.state_reasons)}" for c in bad)
    raise ApplyError(
        f"refusing to apply: Flink would refuse to restore the state of "
        f"{', '.join(c.job for c in bad)} ({why}). Nothing was changed; the running jobs "
        "keep running. To go on, change the SQL or configuration so the state fits, or "
        "accept starting without state: commit the change together with "
        "`upgradeMode: stateless` (it starts empty and is recorded so) and set "
        "`upgradeMode` back afterwards (recorded without a restart)"
    )


def refuse_state_loss(changes: Sequence[Change]) -> None:
    """ApplyError naming each change that would lose a job's state and why: a stop
    without a savepoint directory, or a start from empty state where an earlier run had
    state and no snapshot of it was found (the plan's state reason says where it
    looked). ``--allow-state-loss`` (or ``upgradeMode: stateless``) lets them through,
    under ``--auto-approve`` too."""
    lines = [
        f"{c.job}: "
        + (
            "no savepoint directory (set savepointDir on the job or target)"
            if c.missing_savepoint_dir
            else f"{c.action} starts it empty: {'; '.join(c.state_reasons)}"
        )
        for c in changes
        if (c.missing_savepoint_dir or c.loses_state)
        and c.action not in (Action.NOOP, Action.BLOCKED)
    ]
    if lines:
        raise ApplyError(
            "refusing to lose the state of " + "; of ".join(lines) + ". Nothing was "
            "changed; pass --allow-state-loss to start without it (or set upgradeMode: "
            "stateless)"
        )


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


def refuse_errors(errors: Sequence[SqlRejected]) -> None:
    """ApplyError naming each error when there are any: a plan with errors (SQL Flink's
    planner rejects) is refused whole, so no job is stopped for SQL that cannot start,
    and the jobs it holds are applied together once it is fixed."""
    if not errors:
        return
    listed = ", ".join(f"{e.job} ({e.where}: {e.message})" for e in errors)
    raise ApplyError(
        f"refusing to apply a plan with errors: Flink rejects the SQL of {listed}. "
        "Nothing was changed; fix the spec and plan again "
        "(`flinkops validate --target NAME` compiles every spec first)"
    )


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


@dataclass(frozen=True)
class PlanScope:
    """What apply plans: ``only`` those jobs (None: every one), with pruning, with
    failed specs retried or not, and with jobs the checkout is behind allowed or not
    (``Workspace.make_plan``'s arguments)."""

    only: list[str] | None
    prune: bool
    retry_failed: bool
    allow_behind: bool = False


def plan_scope(
    jobs: Sequence[str],
    saved: dict[str, Any] | None,
    *,
    prune: bool,
    retry_failed: bool,
    allow_behind: bool = False,
) -> PlanScope:
    """The --job names, else the jobs of the saved plan; pruning, retrying and allowing
    a checkout behind the cluster when asked, or when the saved plan did (it deletes a
    job, it was made with --retry-failed or --allow-behind), so that the fresh plan it
    is checked against is made the same way. Pure."""
    if not saved:
        return PlanScope(list(jobs) or None, prune, retry_failed, allow_behind)
    return PlanScope(
        list(jobs) or sorted({c["job"] for c in saved["changes"]}),
        prune or any(c["action"] == Action.DELETE for c in saved["changes"]),
        retry_failed or bool(saved.get("retry_failed")),
        allow_behind or bool(saved.get("allow_behind")),
    )


def plan_for_apply(
    ws: Workspace,
    saved: dict[str, Any] | None,
    jobs: Sequence[str],
    *,
    prune: bool,
    retry_failed: bool,
    allow_behind: bool = False,
) -> Plan:
    """What apply runs: the plan of the jobs in scope (``plan_scope``) made now, or the
    saved plan file's changes when they are still what it would run (``accept_saved_plan``)."""
    ws.require_jobs(jobs)
    if saved is not None:
        refuse_errors([SqlRejected.from_json(e) for e in saved.get("errors") or []])
    scope = plan_scope(
        jobs, saved, prune=prune, retry_failed=retry_failed, allow_behind=allow_behind
    )
    plan = ws.make_plan(
        only=scope.only,
        prune=scope.prune,
        retry_failed=scope.retry_failed,
        allow_behind=scope.allow_behind,
    )
    if saved is None:
        return plan
    return accept_saved_plan(saved, plan, ws.redact(plan.to_json()))


def accept_saved_plan(saved: dict[str, Any], fresh: Plan, fresh_json: dict[str, Any]) -> Plan:
    """The plan to run for a saved plan file: its changes (``saved_plan``) when they are
    what apply would run now. ``fresh`` is the plan made now and ``fresh_json`` its JSON
    form redacted, as plan files are written. StalePlan, saying what moved and what to
    run next, when anything did (``stale_reasons``)."""
    reasons = stale_reasons(saved, fresh_json)
    if reasons:
        raise StalePlan(
            "the plan is stale: " + "; ".join(reasons) + ". Run `flinkops plan --out FILE` again."
        )
    return saved_plan(saved, fresh)


def stale_reasons(saved: dict[str, Any], fresh: Plan | dict[str, Any]) -> list[str]:
    """What moved between a saved plan file and what the cluster and store say now
    (``fresh``: a new plan, or its redacted JSON form), down to each change's action,
    version and steps: apply runs a saved plan only when it would do exactly that."""
    now = fresh if isinstance(fresh, dict) else fresh.to_json()
    reasons = []
    if saved.get("target") != now["target"]:
        reasons.append(f"the plan is for target {saved.get('target')!r}, not {now['target']!r}")
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
            ("version", "version to record"),
        ):
            if a.get(key) != b.get(key):
                reasons.append(f"{job}: {label} was {a.get(key)}, now {b.get(key)}")
    fresh_changes = {c["job"]: c for c in now["changes"]}
    for c in saved.get("changes", []):
        f = fresh_changes.get(c["job"])
        if f is None or _moved(reasons, c["job"]):
            continue
        if (c["action"], c.get("steps")) != (f["action"], f.get("steps")):
            reasons.append(f"{c['job']}: the plan's steps are not what apply would run now")
    return reasons


def _moved(reasons: list[str], job: str) -> bool:
    return any(r.startswith(f"{job}: ") for r in reasons)


def saved_plan(saved: dict[str, Any], fresh: Plan) -> Plan:
    """The changes of a saved plan file, to run exactly as saved (after
    ``stale_reasons`` found nothing): its steps, with the fresh plan's change around
    them (diffs, lineage). A step the file holds with a masked secret (a savepoint
    directory with credentials, say) is taken from the fresh plan, where the
    staleness check found it equal."""
    changes = []
    for c in saved["changes"]:
        if c["action"] == Action.NOOP:
            continue
        current = fresh.change(c["job"])
        steps = [
            fresh_step if MASK in json.dumps(s) else step_from_json(s)
            for s, fresh_step in zip(c["steps"], current.steps, strict=True)
        ]
        changes.append(replace(current, steps=tuple(steps)))
    return replace(fresh, changes=tuple(changes))
