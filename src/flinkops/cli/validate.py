"""`flinkops validate`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from flinkops.cli._common import emit_json, format_option, handle_errors, main, project_option

if TYPE_CHECKING:
    from flinkops.errors import Problem
    from flinkops.spec import Project


@main.command()
@project_option
@click.option(
    "--target",
    "-t",
    default=None,
    metavar="NAME",
    help="Also compile every spec of target NAME with its cluster's planner "
    "(default: the project's validateTarget, if set).",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Do not contact a cluster, even when the project sets validateTarget.",
)
@format_option("text", "json")
@handle_errors
def validate(project_dir: Path | None, target: str | None, offline: bool, fmt: str) -> None:
    """Check the project and every job spec; offline unless a target is named.

    Validates flinkops.yaml and each spec against the JSON schemas, checks the
    rules that cross files (unique job names, known targets, sqlFile exists,
    ${env:NAME} set), and parses each job's SQL with the Flink dialect. Every
    problem is reported as path:line:col with its JSON pointer.

    With --target NAME (or the project's validateTarget) it also compiles every
    spec of that target with the cluster's own planner, without running or
    recording anything: what Flink rejects (an unknown column or table, a
    reserved word such as `views` or `order` used as a name) is reported at the
    line and column of the YAML or sqlFile, with Flink's message.

    Exit 0 when valid, 1 otherwise.
    """
    from flinkops.spec.validate import validate_project

    if offline and target:
        raise click.UsageError("--offline and --target exclude each other")
    report = validate_project(project_dir)
    project = report.project
    name = None if offline or project is None else target or _validate_target(project)
    if name is not None and project is not None:
        ok = set(report.statements)  # specs whose SQL parsed: the others failed already
        report.problems.extend(_planner_problems(project, name, ok))
    if fmt == "json":
        emit_json({**report.to_json(), "target": name})
    else:
        for problem in sorted(report.problems):
            click.secho(str(problem), fg="red", err=True)
        if report.valid:
            n = len(report.statements)
            total = sum(report.statements.values())
            where = f", compiled on target {name}" if name else ""
            click.secho(
                f"✓ {n} job spec{'s' if n != 1 else ''} valid ({total} statements{where}).",
                fg="green",
            )
        else:
            count = len(report.problems)
            click.secho(f"✗ {count} problem{'s' if count != 1 else ''}.", fg="red", err=True)
    sys.exit(0 if report.valid else 1)


def _validate_target(project: Project) -> str | None:
    """The project's validateTarget, when it names a target (else validate reports it)."""
    name = project.model.validate_target
    return name if name in project.targets else None


def _planner_problems(project: Project, target: str, names: set[str]) -> list[Problem]:
    """Compile the target's specs named ``names`` with its cluster's planner (no store:
    validate records nothing); a located problem per spec whose SQL Flink rejects."""
    from flinkops.flink.rest import FlinkClient
    from flinkops.plan.compiler import Compiler
    from flinkops.plan.rejections import planner_problems

    name, tgt = project.target(target)
    specs = [s for s in project.jobs_for(name) if s.name in names]
    with FlinkClient(tgt.url, headers=project.headers(name)) as client:
        return planner_problems(Compiler(client), specs, project.root)
