"""`flinkops apply`, `rollback`, `history`, `events`."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from flinkops.cli._applying import applier_for, ask_to_apply, print_plan, recover, report
from flinkops.cli._common import (
    allow_behind_option,
    emit_json,
    format_option,
    from_url_option,
    handle_errors,
    job_argument,
    main,
    project_option,
    target_option,
)
from flinkops.cli._rehearsing import rehearse_options, settings_from

if TYPE_CHECKING:
    from flinkops.apply import ApplyResult
    from flinkops.workspace import Workspace


#: ``flinkops apply --help``
APPLY_HELP = """Carry the plan out on the cluster, savepoint-safe.

Without PLANFILE it plans, shows the plan and asks (or --auto-approve); with
PLANFILE (from `flinkops plan --out`) it runs exactly the steps saved in that
plan, and refuses it when the cluster, the store or the specs moved since (any
change to what it would run). An update stops the job with a savepoint,
submits the new version from it and waits until it is healthy; if the new job
fails, the previous version is resubmitted from the same savepoint and apply
exits 1 with Flink's root exception. A plan with an incompatible change (Flink
would refuse to restore the state) is refused before anything is touched, exit
1; committing the change with upgradeMode: stateless accepts starting over. A
spec that was rolled back, or whose job FAILED (or keeps restarting) after it
was applied, is then
blocked: later applies leave the job as it is and exit 1 until the spec
changes or --retry-failed is given. A new job the cluster fails (a TaskManager
lost, slots missing) gets Flink's restart strategy until the health timeout; if
it still fails it is rolled back and recorded infra-failed, and the next apply
tries it again. A job whose newest transition on the cluster came from a commit
this checkout's history lacks (a colleague applied from a commit you have not
pulled) is blocked too: apply leaves it as it is and exits 1, unless
--allow-behind; so is a job whose savepoint was written by a newer Flink than
the target runs (Flink refuses it). A job moved to a new cluster (the target's
url changed, or its Flink version) is migrated: stopped with a savepoint on the
old cluster, submitted on the new one from it, and recorded there once healthy;
if the new job fails, the old one is resumed from the same savepoint. A plan
with errors (a spec whose SQL the cluster's planner rejects) is refused whole:
apply stops, submits and records nothing, and exits 1. Every step is journaled:
an apply that was killed is
finished (or rolled back) by the next one. One apply at a time per target. Jobs
of other projects (`project:` in flinkops.yaml) are never touched, even with the
same target and job names. With --rehearse (or the project's `rehearse:`), each
update of a running job is first rehearsed from a snapshot of it on the
rehearsal cluster (`flinkops plan --help`), and the job is stopped only if the
rehearsal restored; a saved plan whose rehearsal Flink refused is refused.

Exit codes: 0 done (or nothing to do), 1 a job failed, was rolled back or is
blocked, the plan has errors, or another error.
"""


@main.command(help=APPLY_HELP)
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
    help="Apply even where a job's state would be lost: no savepoint directory, or a job "
    "to start again whose earlier run had state and no savepoint or retained checkpoint "
    "of it was found (needed under --auto-approve too).",
)
@click.option(
    "--openlineage",
    "openlineage_url",
    metavar="URL",
    envvar="FLINKOPS_OPENLINEAGE_URL",
    help="Send an OpenLineage run event per applied version to URL (also from "
    "FLINKOPS_OPENLINEAGE_URL); job namespace flinkops/<target>.",
)
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Try once more a spec whose last version failed or was rolled back, or whose "
    "job FAILED after it was applied (otherwise such a job is blocked and left as it is).",
)
@allow_behind_option
@rehearse_options(
    "Rehearse each update of a running job that restores its state just before the "
    "job is stopped, and stop it only if the rehearsal restored."
)
@from_url_option
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
    openlineage_url: str | None,
    retry_failed: bool,
    allow_behind: bool,
    rehearse: str | None,
    rehearse_timeout: float | None,
    keep: bool,
    from_url: str | None,
    fmt: str,
) -> None:
    from flinkops.apply import carry_out, needs_confirmation, plan_for_apply
    from flinkops.plan.planfile import read_plan_file
    from flinkops.workspace import open_workspace

    with open_workspace(project_dir, target) as ws, ws.store.acquire_lock(ws.target):
        ws.from_url = from_url
        settings = settings_from(ws, rehearse, rehearse_timeout, keep, applying=True)
        applier = applier_for(ws, parallelism, quiet=fmt == "json", rehearsal=settings)
        recovered = recover(applier)
        saved = read_plan_file(planfile)
        plan = plan_for_apply(
            ws, saved, jobs, prune=prune, retry_failed=retry_failed, allow_behind=allow_behind,
            rehearse=settings,
        )  # fmt: skip
        print_plan(ws, plan, fmt)
        ask = partial(ask_to_apply, auto_approve) if needs_confirmation(plan, saved) else None
        result = carry_out(
            applier, plan, recovered=recovered, confirm=ask, allow_state_loss=allow_state_loss
        )
        report(ws, result, fmt)
        _emit_openlineage(ws, result, openlineage_url)
        if not result.ok:  # inside the lock: a release failing after it is not the error
            sys.exit(1)


def _emit_openlineage(ws: Workspace, result: ApplyResult, url: str | None) -> None:
    """Lineage events of the applied versions to ``url`` (--openlineage), if given; a
    refusing endpoint is a warning only."""
    if not url:
        return
    from flinkops.apply.openlineage import applied_versions, emit_applied
    from flinkops.errors import OpenLineageError
    from flinkops.flink.rest import redact_url

    applied = applied_versions(result.to_json()["results"], {s.name: s.sql for s in ws.specs})
    try:
        sent = emit_applied(applied, url, namespace=f"flinkops/{ws.target}")
    except OpenLineageError as exc:
        click.secho(f"warning: {ws.redact(str(exc))}", fg="yellow", err=True)
        return
    click.echo(f"openlineage: {len(sent)} run event(s) sent to {redact_url(url)}", err=True)


@main.command()
@job_argument()
@click.option("--to", "to_version", type=int, required=True, help="Version number to restore.")
@project_option
@target_option
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@allow_behind_option
@format_option("text", "json")
@handle_errors
def rollback(
    job: str,
    to_version: int,
    project_dir: Path | None,
    target: str | None,
    auto_approve: bool,
    allow_behind: bool,
    fmt: str,
) -> None:
    """Put version N of JOB back, through the same savepoint-safe update.

    The job keeps its state: it is stopped with a savepoint and version N's spec
    is started from it. In a git workflow the better way is to revert the commit
    that changed the spec and let CI apply it; this command is for when that
    cannot wait. From a checkout behind the cluster (the job's newest transition
    came from a commit it lacks) it is blocked like apply, unless --allow-behind.
    """
    from flinkops.apply import carry_out, rollback_plan
    from flinkops.apply.versions import spec_of_version
    from flinkops.workspace import open_workspace

    with open_workspace(project_dir, target) as ws:
        old = spec_of_version(ws.store, ws.target, job, to_version, ws.spec)
        with ws.store.acquire_lock(ws.target):
            specs = [old if s.name == job else s for s in ws.specs]
            applier = applier_for(ws, 4, quiet=fmt == "json", specs=specs)
            recovered = recover(applier)
            plan = rollback_plan(ws, old, to_version, allow_behind=allow_behind)
            print_plan(ws, plan, fmt)
            if fmt == "text":
                click.echo(
                    "(The git way: revert the commit that changed the spec, and let CI apply it.)"
                )
            ask = partial(ask_to_apply, auto_approve)
            result = carry_out(
                applier, plan, recovered=recovered, confirm=ask, requested="rollback"
            )
            report(ws, result, fmt)
    sys.exit(0 if result.ok else 1)


@main.command()
@job_argument()
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
    """The history of JOB on the target: one row per transition, appended, never changed.

    Each create, update, restart, resume, rescale, suspend, cancel, delete, rollback
    and restore is a row: the version it concerns and what became of it, when, the
    git commit and author of the spec it was made from (`+dirty`: uncommitted edits),
    the Flink job running after it, what that job restored from and the savepoint the
    transition took. An automatic rollback is two rows: the version that failed, and
    the version that runs again. A job `flinkops import` adopted starts with an
    `adopt` row. Versions recorded before flinkops kept history show as one
    `recorded` row each. --diff A B compares two versions' specs, and their
    compiled plans when they were pinned (compiledPlan: pin).
    """
    from flinkops.ops import version_diff, version_pair
    from flinkops.workspace import open_workspace

    with open_workspace(project_dir, target) as ws:
        if diff:
            from flinkops.store import version_plan

            plans = tuple(version_plan(ws.store, ws.target, job, v) for v in diff)
            pair = version_pair(ws.store, ws.target, job, *diff)
            data = ws.redact(version_diff(job, *pair, (plans[0], plans[1])))
            if fmt == "json":
                emit_json(data)
            else:
                click.echo(data["sql_diff"] or "SQL: no difference")
                for line in data["config_diff"]:
                    click.echo(f"config: {line}")
                if data["plan_diff"] is not None:
                    click.echo(data["plan_diff"] or "compiled plan: no difference")
            return
        rows = ws.redact([h.to_json() for h in ws.store.history(ws.target, job)])
    if fmt == "json":
        emit_json(rows)
        return
    if not rows:
        click.echo(f"No history of {job} on this target.")
        return
    _print_history(rows)


def _print_history(rows: list[dict[str, Any]]) -> None:
    """``history``'s text: a line per row, then who made it and what it restored."""
    click.echo(
        f"{'#':<4} {'VERSION':<8} {'ACTION':<9} {'OUTCOME':<12} {'AT':<25} {'COMMIT':<18} JOB ID"
    )
    for h in rows:
        commit = (h["git_commit"] or "-")[:12]
        if (h["git_commit"] or "").endswith("-dirty"):  # applied with uncommitted edits
            commit += "+dirty"
        click.echo(
            f"{h['seq']:<4} {'v' + str(h['version']):<8} {h['action']:<9} {h['outcome']:<12} "
            f"{h['at']:<25} {commit:<18} {h['job_id'] or '-'}"
        )
        if h.get("git_author"):
            click.echo(f"{'':4} by {h['git_author']}")
        if h.get("restored_from"):
            click.echo(f"{'':4} restored from {h['restored_from']}")
        if h.get("savepoint"):
            click.echo(f"{'':4} savepoint taken: {h['savepoint']}")


@main.command()
@job_argument(required=False)
@project_option
@target_option
@click.option("--limit", default=50, show_default=True, help="How many, newest first.")
@format_option("text", "json")
@handle_errors
def events(
    job: str | None, project_dir: Path | None, target: str | None, limit: int, fmt: str
) -> None:
    """Run events (submissions, savepoints, failures, rollbacks), newest first."""
    from flinkops.workspace import open_workspace

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
