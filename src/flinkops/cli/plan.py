"""`flinkops plan`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from flinkops.cli._common import (
    emit_json,
    format_option,
    handle_errors,
    main,
    project_option,
    target_option,
)
from flinkops.errors import PlanError
from flinkops.observe import make_plan
from flinkops.render import plan_markdown, plan_text
from flinkops.workspace import open_workspace


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
    changes, or --retry-failed plans it again.

    Exit codes (like terraform plan -detailed-exitcode): 0 no changes,
    2 changes present (blocked jobs included), 1 error.
    """
    with open_workspace(project_dir, target) as ws:
        unknown = sorted(set(jobs) - {s.name for s in ws.specs})
        if unknown:
            raise PlanError(f"--job: no job named {', '.join(unknown)} on target {ws.target}")
        result = make_plan(
            ws.client,
            ws.store,
            target=ws.target,
            url=ws.url,
            specs=ws.specs,
            prune=prune,
            only=list(jobs) or None,
            check_compat=not no_compat,
            retry_failed=retry_failed,
        )
        data = ws.redact(result.to_json())
    if out is not None:
        try:
            out.write_text(json.dumps(data, indent=2) + "\n")
        except OSError as exc:
            raise PlanError(f"cannot write the plan file {out}: {exc.strerror or exc}") from exc
    if fmt == "json":
        emit_json(data)
    elif fmt == "markdown":
        click.echo(plan_markdown(data), nl=False)
    else:
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        click.echo(plan_text(data, colour=colour), nl=False)
        if out is not None:
            click.echo(
                f"\nSaved the plan to {out}; run `flinkops apply {out}` to apply exactly this plan."
            )
    sys.exit(2 if result.has_changes else 0)
