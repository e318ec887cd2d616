"""`flinkops plan`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from flinkops.cli._common import (
    emit_json,
    format_option,
    handle_errors,
    main,
    project_option,
    target_option,
    use_colour,
)


@main.command()
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
    help="Plan a spec whose last version failed or was rolled back again, "
    "instead of listing its job as blocked.",
)
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
    compile_concurrency: int | None,
    no_compile_cache: bool,
    fmt: str,
) -> None:
    """Show what apply would do to each job, and what happens to its state.

    Reads the target's live jobs (those carrying flinkops's identity are managed,
    the rest are listed and never touched) and the version store, compiles
    changed SQL with the cluster's own planner to judge whether each job's state
    survives (preserved, at-risk, lost), and prints one change per job.

    Each change lists the steps apply will run and the version it will record. A
    job whose spec was rolled back (or failed) is listed as blocked, with the
    version, when, and Flink's root cause: apply leaves it alone until the spec
    changes, or --retry-failed plans it again. A job whose start would restore a
    savepoint written by a newer Flink than the target runs (recorded with each
    savepoint) is blocked too: Flink refuses such a snapshot.

    Exit codes (like terraform plan -detailed-exitcode): 0 no changes,
    2 changes present (blocked jobs included), 1 error.
    """
    from flinkops.plan.planfile import write_plan_file
    from flinkops.workspace import open_workspace

    with open_workspace(project_dir, target) as ws:
        ws.require_jobs(jobs)
        result = ws.make_plan(
            prune=prune,
            only=list(jobs) or None,
            check_compat=not no_compat,
            retry_failed=retry_failed,
            compile_concurrency=compile_concurrency,
            compile_cache=False if no_compile_cache else None,
        )
        data = ws.redact(result.to_json())
    if out is not None:
        write_plan_file(out, data)
    _print(data, fmt, out)
    sys.exit(2 if result.has_changes else 0)


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
