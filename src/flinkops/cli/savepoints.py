"""`flinkops savepoints`: list a job's savepoints, or run the savepoint schedule once."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from flinkops.cli._common import (
    emit_json,
    format_option,
    handle_errors,
    job_argument,
    main,
    project_option,
    target_option,
)


@main.command()
@job_argument(required=False)
@project_option
@target_option
@click.option(
    "--run-schedule",
    is_flag=True,
    help="Take the savepoints that are due and apply retention, once (what `flinkops monitor` "
    "does on every pass); with JOB, for that job only.",
)
@format_option("text", "json")
@handle_errors
def savepoints(
    job: str | None, project_dir: Path | None, target: str | None, run_schedule: bool, fmt: str
) -> None:
    """List JOB's savepoints: origin (scheduled, manual, stop, upgrade), age, size,
    whether they are protected from retention and what retention would do.

    A savepoint is protected when it is the newest, when a recorded version
    restores from it or was stopped with it, or when an unfinished apply uses it.
    Retention (spec `savepoints.retain`) deletes through Flink's savepoint disposal,
    else the filesystem for file:// paths, else `savepoints.cleanupCommand`; every
    deletion is an event. Listing never changes anything.
    """
    from flinkops.errors import Problem, SpecError
    from flinkops.savepoints import list_savepoints, render_listing, render_pass, run_due_savepoints
    from flinkops.workspace import open_workspace

    now = datetime.now(UTC)
    with open_workspace(project_dir, target) as ws:
        if job is not None and ws.spec(job) is None:
            known = ", ".join(s.name for s in ws.specs) or "none"
            raise SpecError(
                [Problem(str(ws.project.path), 1, 1, f"no job {job!r} on {ws.target} ({known})")]
            )
        if run_schedule:
            specs = [s for s in ws.specs if job is None or s.name == job]
            data = run_due_savepoints(ws.client, ws.store, target=ws.target, specs=specs, now=now)
            data = ws.redact(data)
            emit_json(data) if fmt == "json" else click.echo(render_pass(data))
            failed = [d for d in data["deletions"] if not d["deleted"]]
            sys.exit(1 if failed else 0)
        if job is None:
            raise click.UsageError("give a JOB to list its savepoints, or --run-schedule")
        spec = ws.spec(job)
        assert spec is not None
        data = ws.redact(
            list_savepoints(
                ws.store, target=ws.target, job=job, policy=spec.savepoint_policy, now=now
            )
        )
    emit_json(data) if fmt == "json" else click.echo(render_listing(data))
