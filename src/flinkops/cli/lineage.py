"""`flinkops lineage`: table and column lineage of the project's jobs, across jobs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from flinkops.cli._common import emit_json, format_option, handle_errors, main, project_option
from flinkops.errors import FlinkopsError, Problem, SpecError, SqlError

if TYPE_CHECKING:
    from flinkops.sql.lineage import JobLineage


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@project_option
@format_option("text", "json", "dot", "mermaid")
@click.option("--column", "column", metavar="TABLE.COL", help="Show what this column derives from.")
@click.option("--impact", "impact", metavar="TABLE.COL", help="List every downstream column.")
@handle_errors
def lineage(
    paths: tuple[Path, ...],
    project_dir: Path | None,
    fmt: str,
    column: str | None,
    impact: str | None,
) -> None:
    """Table and column lineage of every INSERT, and the edges between jobs.

    PATH may be the project (default), a spec file, or a plain .sql file. A table one
    job writes and another reads (same connector and path/topic/table, or the same
    cat.db.table under catalogs of one type and warehouse/metastore/URL) links them,
    so --impact orders.amount lists downstream columns in every job (a table or
    column no job uses is an error, exit 1). Names follow
    USE CATALOG / USE. Each column edge is labelled: identity, expression, the
    aggregate function, or window time.
    """
    from flinkops.sql.lineage import combine
    from flinkops.sql.render import to_dot, to_mermaid, to_text

    result = combine(_job_lineages(paths, project_dir))
    if impact or column:
        name = impact or column or ""
        option = "--impact" if impact else "--column"
        unknown = result.unknown(name)
        if unknown is not None:
            raise FlinkopsError(f"{option} {name}: {unknown}")
        found = result.impact(name) if impact else result.upstream(name)
        key = "impact" if impact else "upstream"
        if fmt == "json":
            emit_json({"column": name, key: found})
        else:
            what = "downstream of" if impact else "upstream of"
            click.echo("\n".join(found) if found else f"Nothing {what} {name}.")
        return
    if fmt == "json":
        emit_json(result.to_json())
    elif fmt == "dot":
        click.echo(to_dot(result))
    elif fmt == "mermaid":
        click.echo(to_mermaid(result))
    else:
        click.echo(to_text(result.to_json()))


def _job_lineages(paths: tuple[Path, ...], project_dir: Path | None) -> list[JobLineage]:
    """Lineage per job for the given .sql files, spec files and project directories."""
    sql_files = [p for p in paths if p.is_file() and p.suffix == ".sql"]
    spec_files = {p.resolve() for p in paths if p.is_file() and p.suffix != ".sql"}
    dirs = [p for p in paths if p.is_dir()]
    parts = [_from_sql(path.stem, path.read_text(), path, 1, 1) for path in sql_files]
    if spec_files or dirs or not paths:
        from flinkops.spec import load_project

        # None: load_project searches for flinkops.yaml upward from the current directory
        starts: Sequence[Path | None] = dirs or [project_dir or _project_above(spec_files)]
        for start in starts:
            project = load_project(start)
            for job in project.jobs:
                if spec_files and job.path.resolve() not in spec_files:
                    continue
                parts.append(_from_sql(job.name, job.sql, job.sql_path, job.sql_line, job.sql_col))
    return parts


def _project_above(spec_files: set[Path]) -> Path | None:
    """The nearest folder above the first spec file that holds flinkops.yaml."""
    if not spec_files:
        return None
    first = sorted(spec_files)[0]
    return next((d for d in first.parents if (d / "flinkops.yaml").is_file()), first.parent)


def _from_sql(job: str, sql: str, path: Path, line: int, col: int) -> JobLineage:
    """A job's lineage; a SQL error is reported at its place in ``path``."""
    from flinkops.sql.lineage import lineage_of_sql

    try:
        return lineage_of_sql(sql, job)
    except SqlError as exc:
        at_col = exc.col + col - 1
        problem = Problem(str(path), line + exc.line - 1, at_col, f"{job}: {exc.message}")
        raise SpecError([problem]) from None


__all__ = ["lineage"]
