"""`flinkops plan`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from flinkops.cli._common import (
    allow_behind_option,
    emit_json,
    format_option,
    from_url_option,
    handle_errors,
    main,
    project_option,
    target_option,
    use_colour,
)
from flinkops.cli._rehearsing import rehearse_options, rehearser, settings_from

#: ``flinkops plan --help``
PLAN_HELP = """Show what apply would do to each job, and what happens to its state.

Reads the target's live jobs (those carrying flinkops's identity are managed,
the rest are listed and never touched) and the version store, compiles
changed SQL (and configuration that reaches the planner or the state) with the
cluster's own planner to judge what happens to each job's state: preserved
(restored, same meaning), at-risk (restored, but its meaning changes, or flinkops
cannot tell), incompatible (Flink will refuse the restore: apply refuses it),
lost (starts without it), none; and prints one change per job. A change of
upgradeMode or allowNonRestoredState alone is recorded without a restart.

Each change lists the steps apply will run and the version it will record. A
job whose spec was rolled back (or failed), or whose job FAILED after it was
applied (or keeps restarting: 3 failures of its own), is listed as blocked,
with the version, when, and Flink's root cause: apply leaves it alone until the
spec changes, or --retry-failed plans it again.
A failure the cluster caused (a TaskManager lost, slots missing) blocks nothing:
the job is planned again, with a warning.
A job whose newest transition on the
cluster (its version applied, suspended, cancelled) came from a commit this
checkout's history lacks is blocked too, naming that version, commit, author and
time: applying from here would undo a colleague's change. Pull, or plan with
--allow-behind to act on it anyway. So is a job whose start would restore a
savepoint written by a newer Flink than the target runs (recorded with each
savepoint): Flink refuses such a snapshot.

With --rehearse (or the project's `rehearse:`), each update of a running job
that restores state is rehearsed: a savepoint of the live job (it keeps running)
is restored into the new SQL on the rehearsal cluster, every sink replaced by a
blackhole and every source committing nothing, watched until its tasks run and
a checkpoint completes (--rehearse-timeout), then cancelled. Each change shows
the outcome (restored, refused, failed, timeout, skipped) under its verdict; a
refused rehearsal makes the change incompatible, an error of the plan.
A target whose cluster changed (its url points at a new cluster, or the cluster
runs another Flink) while the store has jobs running on the old one is a
migration: the header says so, and each such job is planned `migrate` (stop
with a savepoint on the old cluster, submit on the new from it, wait healthy,
record; a failed new job resumes the old). The old cluster is the one recorded
with each version, or --from-url; when it is gone, the newest snapshot found is
used. Both clusters must reach the savepoint storage: the plan checks it first.

SQL that the cluster's planner rejects (an unknown column, a reserved word
used as a name) is an error of the plan: its job is listed as rejected, the
error located at file:line:col in the YAML or sqlFile with Flink's message,
and apply refuses the whole plan until it is fixed.

Exit codes (like terraform plan -detailed-exitcode): 0 no changes,
2 changes present (blocked jobs included), 1 errors (SQL Flink rejects, a
rehearsal Flink refused) or a failure.
"""


@main.command(help=PLAN_HELP)
@project_option
@target_option
@click.option(
    "--job", "jobs", multiple=True, metavar="NAME", help="Plan only this job (repeatable)."
)
@click.option("--prune", is_flag=True, help="Delete managed jobs whose spec was removed.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the plan to FILE for `flinkops apply FILE`.",
)
@click.option(
    "--no-compat",
    is_flag=True,
    help="Skip compiling SQL with the cluster's planner (state compatibility becomes 'unknown').",
)
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Plan a spec whose last version failed or was rolled back, or whose job "
    "FAILED after it was applied, again instead of listing its job as blocked.",
)
@allow_behind_option
@from_url_option
@click.option(
    "--compile-concurrency",
    type=click.IntRange(1, 64),
    default=None,
    metavar="N",
    help="Compile at most N specs at once on the cluster (default: the target's or "
    "project's compile.concurrency, else 4).",
)
@click.option(
    "--no-compile-cache",
    is_flag=True,
    help="Compile every spec again instead of reusing job graphs cached in the store.",
)
@rehearse_options(
    "Rehearse each update of a running job that restores its state: restore a snapshot "
    "of the live job into the new SQL on the rehearsal cluster, sinks replaced and "
    "sources committing nothing, and report the outcome in the plan."
)
@format_option("text", "markdown", "json")
@handle_errors
def plan(
    project_dir: Path | None,
    target: str | None,
    jobs: tuple[str, ...],
    prune: bool,
    out: Path | None,
    no_compat: bool,
    retry_failed: bool,
    allow_behind: bool,
    from_url: str | None,
    compile_concurrency: int | None,
    no_compile_cache: bool,
    rehearse: str | None,
    rehearse_timeout: float | None,
    keep: bool,
    fmt: str,
) -> None:
    from flinkops.plan.planfile import write_plan_file
    from flinkops.workspace import open_workspace

    with open_workspace(project_dir, target) as ws:
        ws.from_url = from_url
        ws.require_jobs(jobs)
        settings = settings_from(ws, rehearse, rehearse_timeout, keep, applying=False)
        result = ws.make_plan(
            prune=prune,
            only=list(jobs) or None,
            check_compat=not no_compat,
            retry_failed=retry_failed,
            allow_behind=allow_behind,
            compile_concurrency=compile_concurrency,
            compile_cache=False if no_compile_cache else None,
            rehearse=rehearser(ws, settings) if settings else None,
        )
        data = ws.redact(result.to_json())
    if out is not None:
        write_plan_file(out, data)
    _print(data, fmt, out)
    sys.exit(1 if result.errors or result.refused else 2 if result.has_changes else 0)


def _print(data: dict[str, Any], fmt: str, out: Path | None) -> None:
    """The plan as JSON, markdown or (coloured on a terminal, unless NO_COLOR) text."""
    from flinkops.plan.render import plan_markdown, plan_text

    if fmt == "json":
        emit_json(data)
    elif fmt == "markdown":
        click.echo(plan_markdown(data), nl=False)
    else:
        click.echo(plan_text(data, colour=use_colour()), nl=False)
        if out is not None:
            click.echo(
                f"\nSaved the plan to {out}; run `flinkops apply {out}` to apply exactly this plan."
            )
