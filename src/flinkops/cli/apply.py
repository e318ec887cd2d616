"""`flinkops apply`, `rollback`, `history`, `events`."""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import click

from flinkops.apply import Applier, ApplyResult, saved_plan, spec_from_version, stale_reasons
from flinkops.cli._common import (
    emit_json,
    format_option,
    handle_errors,
    main,
    project_option,
    target_option,
)
from flinkops.errors import ApplyError, PlanError, StalePlan
from flinkops.observe import make_plan
from flinkops.plan import Plan, sql_diff
from flinkops.render import plan_text
from flinkops.workspace import Workspace, open_workspace


class _Progress:
    """Progress of long waits on stderr: job, step, elapsed; at most every 5 s per job."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.last: dict[str, float] = {}
        self.lock = threading.Lock()

    def __call__(self, job: str, what: str, elapsed: float) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        with self.lock:
            if now - self.last.get(job, 0) < 5:
                return
            self.last[job] = now
        click.echo(f"  {job}: {what} ... {elapsed:.0f}s", err=True)


def _applier(ws: Workspace, parallelism: int, quiet: bool) -> Applier:
    return Applier(
        ws.client,
        ws.store,
        target=ws.target,
        specs=ws.specs,
        progress=_Progress(quiet),
        parallelism=parallelism,
    )


def _confirm(auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise ApplyError("not on a terminal: pass --auto-approve to apply without asking")
    if not click.confirm("Apply these changes?", default=False):
        raise ApplyError("cancelled; nothing was changed")


_STATUSES = ("done", "failed", "rolled-back", "blocked")


def _report(ws: Workspace, result: ApplyResult, fmt: str) -> None:
    data = ws.redact(result.to_json())
    if fmt == "json":
        emit_json(data)
    else:
        for line in result.recovered:
            click.echo(f"recovered: {line}")
        for r in data["results"]:
            colour = {"done": "green", "rolled-back": "yellow", "blocked": "yellow"}.get(
                r["status"], "red"
            )
            what = r["status"] if r["action"] == r["status"] else f"{r['action']} {r['status']}"
            head = f"{r['job']}: {what}"
            if r.get("version"):
                head += f" (version {r['version']}"
                head += f", job {r['job_id']})" if r.get("job_id") else ")"
            click.secho(head, fg=colour, bold=r["status"] != "done")
            if r.get("restored_from"):
                click.echo(f"    restored from {r['restored_from']}")
            if r.get("message"):
                click.echo(f"    {r['message']}")
            if r.get("root_cause") and r["root_cause"] not in r.get("message", ""):
                click.echo(f"    root cause: {r['root_cause']}")
        if not data["results"]:
            click.echo("No changes. The cluster matches the specs.")
        else:
            counts = {s: sum(r["status"] == s for r in data["results"]) for s in _STATUSES}
            failed = counts["failed"] + counts["rolled-back"]
            line = f"Apply: {counts['done']} done, {failed} failed"
            if counts["rolled-back"]:
                line += f" ({counts['rolled-back']} rolled back)"
            if counts["blocked"]:
                line += f", {counts['blocked']} blocked"
            click.secho(line + ".", bold=True, fg="green" if result.ok else "red")


@main.command()
@click.argument(
    "planfile", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@project_option
@target_option
@click.option(
    "--job", "jobs", multiple=True, metavar="NAME", help="Apply only this job (repeatable)."
)
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation (CI).")
@click.option(
    "--parallelism", default=4, show_default=True, help="Independent jobs transitioned at once."
)
@click.option("--prune", is_flag=True, help="Delete managed jobs whose spec was removed.")
@click.option(
    "--allow-state-loss",
    is_flag=True,
    help="Apply even where a job's state would be lost for lack of a savepoint directory.",
)
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Try once more a spec whose last version failed or was rolled back "
    "(otherwise such a job is blocked and left as it is).",
)
@format_option("text", "json")
@handle_errors
def apply(
    planfile: Path | None,
    project_dir: Path | None,
    target: str | None,
    jobs: tuple[str, ...],
    auto_approve: bool,
    parallelism: int,
    prune: bool,
    allow_state_loss: bool,
    retry_failed: bool,
    fmt: str,
) -> None:
    """Carry the plan out on the cluster, savepoint-safe.

    Without PLANFILE it plans, shows the plan and asks (or --auto-approve); with
    PLANFILE (from `flinkops plan --out`) it runs exactly the steps saved in that
    plan, and refuses it when the cluster, the store or the specs moved since (any
    change to what it would run). An update stops the job with a savepoint,
    submits the new version from it and waits until it is healthy; if the new job
    fails, the previous version is resubmitted from the same savepoint and apply
    exits 1 with Flink's root exception. A spec that was rolled back is then
    blocked: later applies leave the job as it is and exit 1 until the spec
    changes or --retry-failed is given. Every step is journaled: an apply that was
    killed is finished (or rolled back) by the next one. One apply at a time per
    target.

    Exit codes: 0 done (or nothing to do), 1 a job failed, was rolled back or is
    blocked, or an error.
    """
    with open_workspace(project_dir, target) as ws:
        lock = ws.store.acquire_lock(ws.target)
        try:
            applier = _applier(ws, parallelism, quiet=fmt == "json")
            recovered = applier.recover()
            for line in recovered:
                click.echo(f"recovered: {line}", err=True)
            saved = json.loads(planfile.read_text()) if planfile else None
            only = list(jobs) or (sorted({c["job"] for c in saved["changes"]}) if saved else None)
            plan = make_plan(
                ws.client,
                ws.store,
                target=ws.target,
                url=ws.url,
                specs=ws.specs,
                prune=prune or _pruning(saved),
                only=only,
                retry_failed=retry_failed or bool(saved and saved.get("retry_failed")),
            )
            if saved is not None:
                reasons = stale_reasons(saved, ws.redact(plan.to_json()))
                if reasons:
                    raise StalePlan(
                        "the plan is stale: "
                        + "; ".join(reasons)
                        + ". Run `flinkops plan --out FILE` again."
                    )
                plan = saved_plan(saved, plan)
            if fmt == "text":
                click.echo(
                    plan_text(ws.redact(plan.to_json()), colour=sys.stdout.isatty()), nl=False
                )
            result = ApplyResult(ws.target, recovered=recovered)
            if plan.has_changes:
                if saved is None and any(c.steps for c in plan.changes):
                    _confirm(auto_approve)
                result = applier.apply(plan, allow_state_loss=allow_state_loss)
                result.recovered = recovered
            _report(ws, result, fmt)
        finally:
            lock.release()
    sys.exit(0 if result.ok else 1)


def _pruning(saved: dict | None) -> bool:
    return bool(saved) and any(c["action"] == "delete" for c in saved["changes"])


@main.command()
@click.argument("job")
@click.option("--to", "to_version", type=int, required=True, help="Version number to restore.")
@project_option
@target_option
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@format_option("text", "json")
@handle_errors
def rollback(
    job: str,
    to_version: int,
    project_dir: Path | None,
    target: str | None,
    auto_approve: bool,
    fmt: str,
) -> None:
    """Put version N of JOB back, through the same savepoint-safe update.

    The job keeps its state: it is stopped with a savepoint and version N's spec
    is started from it. In a git workflow the better way is to revert the commit
    that changed the spec and let CI apply it; this command is for when that
    cannot wait.
    """
    with open_workspace(project_dir, target) as ws:
        record = ws.store.version(ws.target, job, to_version)
        if record is None:
            raise PlanError(
                f"{job} has no version {to_version} on target {ws.target} "
                f"(see `flinkops history {job}`)"
            )
        current = ws.spec(job)
        if current is None:
            raise PlanError(f"{job} has no spec any more; restore the spec file first")
        old = spec_from_version(current, record)
        lock = ws.store.acquire_lock(ws.target)
        try:
            applier = Applier(
                ws.client,
                ws.store,
                target=ws.target,
                specs=[old if s.name == job else s for s in ws.specs],
                progress=_Progress(fmt == "json"),
            )
            recovered = applier.recover()
            plan = make_plan(
                ws.client,
                ws.store,
                target=ws.target,
                url=ws.url,
                specs=[old],
                only=[job],
                retry_failed=True,  # asked for by number, even one that was rolled back
            )
            plan = _reasoned(plan, f"rollback to version {to_version}")
            if fmt == "text":
                click.echo(plan_text(ws.redact(plan.to_json())), nl=False)
                click.echo(
                    "(The git way: revert the commit that changed the spec, and let CI apply it.)"
                )
            result = ApplyResult(ws.target, recovered=recovered)
            if plan.has_changes:
                _confirm(auto_approve)
                result = applier.apply(plan)
            _report(ws, result, fmt)
        finally:
            lock.release()
    sys.exit(0 if result.ok else 1)


def _reasoned(plan: Plan, reason: str) -> Plan:
    changes = tuple(replace(c, reason=f"{reason}: {c.reason}") for c in plan.changes)
    return replace(plan, changes=changes)


@main.command()
@click.argument("job")
@project_option
@target_option
@click.option(
    "--diff",
    "diff",
    nargs=2,
    type=int,
    metavar="A B",
    help="Show the spec diff between versions A and B.",
)
@format_option("text", "json")
@handle_errors
def history(
    job: str, project_dir: Path | None, target: str | None, diff: tuple[int, int] | None, fmt: str
) -> None:
    """The versions of JOB applied to the target: hash, time, git commit, outcome."""
    with open_workspace(project_dir, target) as ws:
        versions = ws.store.versions(ws.target, job)
        if diff:
            a, b = (ws.store.version(ws.target, job, n) for n in diff)
            if a is None or b is None:
                raise PlanError(f"{job} has no version {diff[0] if a is None else diff[1]}")
            text = sql_diff(a.sql, b.sql, job).replace(f"{job} (applied)", f"{job} v{a.version}")
            text = text.replace(f"{job} (spec)", f"{job} v{b.version}")
            from flinkops.plan import config_diff

            cfg = config_diff(a.spec, b.spec)
            if fmt == "json":
                emit_json(
                    ws.redact(
                        {
                            "job": job,
                            "from": a.version,
                            "to": b.version,
                            "sql_diff": text,
                            "config_diff": list(cfg),
                        }
                    )
                )
            else:
                click.echo(ws.redact(text) or "SQL: no difference")
                for line in cfg:
                    click.echo(ws.redact(f"config: {line}"))
            return
        data = ws.redact([v.to_json() for v in versions])
    if fmt == "json":
        emit_json(data)
        return
    if not data:
        click.echo(f"No versions of {job} on this target.")
        return
    click.echo(
        f"{'VERSION':<8} {'OUTCOME':<12} {'APPLIED AT':<25} {'SPEC HASH':<17} {'COMMIT':<18} JOB ID"
    )
    for v in data:
        commit = (v["git_commit"] or "-")[:12]
        if (v["git_commit"] or "").endswith("-dirty"):  # applied with uncommitted edits
            commit += "+dirty"
        click.echo(
            f"{v['version']:<8} {v['outcome']:<12} {v['applied_at']:<25} "
            f"{v['spec_hash']:<17} {commit:<18} {v['job_id'] or '-'}"
        )
        if v.get("git_author"):
            click.echo(f"{'':8} by {v['git_author']}")
        if v.get("restored_from"):
            click.echo(f"{'':8} restored from {v['restored_from']}")
        if v.get("savepoint"):
            click.echo(f"{'':8} savepoint when stopped: {v['savepoint']}")


@main.command()
@click.argument("job", required=False)
@project_option
@target_option
@click.option("--limit", default=50, show_default=True, help="How many, newest first.")
@format_option("text", "json")
@handle_errors
def events(
    job: str | None, project_dir: Path | None, target: str | None, limit: int, fmt: str
) -> None:
    """Run events (submissions, savepoints, failures, rollbacks), newest first."""
    with open_workspace(project_dir, target) as ws:
        data = ws.redact([e.to_json() for e in ws.store.events(ws.target, job, limit)])
    if fmt == "json":
        emit_json(data)
        return
    for e in data:
        colour = {"error": "red", "warning": "yellow"}.get(e["level"])
        click.secho(
            f"{e['at']}  {e.get('job') or '-':<20} {e['step']:<10} {e['message']}", fg=colour
        )
    if not data:
        click.echo("No events.")
