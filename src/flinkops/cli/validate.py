"""`flinkops validate`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from flinkops.cli._common import emit_json, format_option, handle_errors, main, project_option


@main.command()
@project_option
@format_option("text", "json")
@handle_errors
def validate(project_dir: Path | None, fmt: str) -> None:
    """Check the project and every job spec without touching a cluster.

    Validates flinkops.yaml and each spec against the JSON schemas, checks the
    rules that cross files (unique job names, known targets, sqlFile exists,
    ${env:NAME} set), and parses each job's SQL with the Flink dialect. Every
    problem is reported as path:line:col with its JSON pointer. Exit 0 when
    valid, 1 otherwise.
    """
    from flinkops.spec.validate import validate_project

    report = validate_project(project_dir)
    if fmt == "json":
        emit_json(report.to_json())
    else:
        for problem in sorted(report.problems):
            click.secho(str(problem), fg="red", err=True)
        if report.valid:
            n = len(report.statements)
            total = sum(report.statements.values())
            click.secho(
                f"✓ {n} job spec{'s' if n != 1 else ''} valid ({total} statements).", fg="green"
            )
        else:
            count = len(report.problems)
            click.secho(f"✗ {count} problem{'s' if count != 1 else ''}.", fg="red", err=True)
    sys.exit(0 if report.valid else 1)
