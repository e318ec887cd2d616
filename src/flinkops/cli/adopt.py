"""`flinkops import`: adopt jobs started outside flinkops, without restarting them.

Wiring only: open the workspace, call ``flinkops.apply.adopt``, render its JSON.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from flinkops.cli._common import (
    emit_json,
    format_option,
    handle_errors,
    main,
    project_option,
    target_option,
)
from flinkops.errors import FlinkopsError

if TYPE_CHECKING:
    from flinkops.apply.adopt import RunningJob
    from flinkops.workspace import Workspace


def _render_list(jobs: list[dict[str, Any]], target: str) -> None:
    if not jobs:
        click.echo(f"No unmanaged running jobs on target {target}.")
        return
    for job in jobs:
        click.secho(f"{job['name']}  {job['job_id']}  {job['state']}", bold=True)
        click.echo(f"  spec name:    {job['spec_name']}")
        click.echo(f"  parallelism:  {job['parallelism']}")
        for key, value in job["configuration"].items():
            click.echo(f"  config:       {key}: {value}")
        for operator in job["operators"]:
            click.echo(f"  operator:     {operator}")
    click.echo(
        f"\n{len(jobs)} unmanaged job(s). Adopt one with "
        "`flinkops import JOB --sql FILE [--name NAME]`."
    )


def _import_all(ws: Workspace, jobs: list[RunningJob], sql_dir: Path) -> dict[str, Any]:
    from flinkops.apply.adopt import adopt, sql_file_for

    adopted, refused, skipped = [], [], []
    for job in jobs:
        sql = sql_file_for(job, sql_dir)
        if sql is None:
            skipped.append({"job_id": job.job_id, "name": job.name, "reason": "no .sql file"})
            continue
        try:
            adopted.append(adopt(ws, job, sql).to_json())
        except FlinkopsError as exc:
            refused.append({"job_id": job.job_id, "name": job.name, "reason": str(exc)})
    return {"adopted": adopted, "refused": refused, "skipped": skipped}


def _render_result(result: dict[str, Any]) -> None:
    for a in result["adopted"]:
        click.secho(f"adopted {a['name']} (job {a['job_id']}) as v1, not restarted", fg="green")
        click.echo(f"  spec: {a['spec']}")
        for reason in a["reasons"]:
            click.echo(f"  state: {reason}")
    for r in result["refused"]:
        click.secho(f"refused {r['name']} ({r['job_id']}): {r['reason']}", fg="red", err=True)
    for s in result["skipped"]:
        click.echo(f"skipped {s['name']} ({s['job_id']}): {s['reason']}")


@main.command("import")
@project_option
@target_option
@click.argument("job", required=False)
@click.option("--list", "list_", is_flag=True, help="Show the unmanaged running jobs.")
@click.option(
    "--sql",
    "sql_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The SQL the job runs (Flink cannot give it back).",
)
@click.option("--name", default=None, help="The spec's name (default: from the Flink job name).")
@click.option("--all", "all_", is_flag=True, help="Import every unmanaged job with a NAME.sql.")
@click.option(
    "--sql-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="With --all: where each job's NAME.sql is (spec name or Flink job name).",
)
@format_option("text", "json")
@handle_errors
def import_cmd(
    project_dir: Path | None,
    target: str | None,
    job: str | None,
    list_: bool,
    sql_file: Path | None,
    name: str | None,
    all_: bool,
    sql_dir: Path | None,
    fmt: str,
) -> None:
    """Adopt jobs running on the target that flinkops did not start, without restarting them.

    \b
      flinkops import --list                     the unmanaged jobs, as Flink shows them
      flinkops import JOB --sql FILE [--name N]  adopt one (JOB: Flink job name or id)
      flinkops import --all --sql-dir DIR        adopt each job that has DIR/NAME.sql

    Import writes jobs/NAME.yaml (never over a file) with the job's parallelism and
    checkpointing as Flink reports them and the SQL you give, compiles that SQL with the
    cluster's planner and compares the graph with the running job's, as plan compares
    versions: if they differ in anything that holds state, it refuses, says what
    differs and writes and records nothing. Otherwise the store records version 1 as
    `adopted` with the job's id; the next plan is a no-op, and the first change after
    it is a savepoint update like any other.
    """
    from flinkops.apply.adopt import adopt, find_unmanaged, read_unmanaged
    from flinkops.workspace import open_workspace

    if not list_ and not all_ and (job is None or sql_file is None):
        raise click.UsageError("give --list, JOB --sql FILE, or --all --sql-dir DIR")
    if all_ and (sql_dir is None or job is not None):
        raise click.UsageError("--all takes --sql-dir DIR and no JOB")
    with open_workspace(project_dir, target, allow_empty=True) as ws:
        jobs = read_unmanaged(ws.client, ws.store, ws.target)
        if list_:
            listed = ws.redact([j.to_json() for j in jobs])
            emit_json({"target": ws.target, "unmanaged": listed}) if fmt == "json" else (
                _render_list(listed, ws.target)
            )
            return
        if all_:
            assert sql_dir is not None
            result = _import_all(ws, jobs, sql_dir)
        else:
            assert job is not None and sql_file is not None
            adopted = adopt(ws, find_unmanaged(jobs, job), sql_file, name=name)
            result = {"adopted": [adopted.to_json()], "refused": [], "skipped": []}
    result = ws.redact(result)
    emit_json(result) if fmt == "json" else _render_result(result)
    if result["refused"]:
        sys.exit(1)
