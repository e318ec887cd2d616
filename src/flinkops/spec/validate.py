"""`flinkops validate`: schema, cross-file rules, and the SQL of every job.

Returns every problem found, located in the file a person edits: a SQL syntax
error inside ``sql: |`` is reported at the YAML line it sits on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flinkops.errors import Problem, SqlError
from flinkops.spec._load import relative_path
from flinkops.spec._project import inspect_project
from flinkops.spec._types import JobSpec, Project

__all__ = ["ValidationReport", "sql_problem", "validate_project"]


@dataclass
class ValidationReport:
    project: Project | None
    problems: list[Problem] = field(default_factory=list)
    statements: dict[str, int] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        jobs = []
        if self.project is not None:
            root = self.project.root
            for job in self.project.jobs:
                jobs.append(
                    {
                        "name": job.name,
                        "file": relative_path(job.path, root),
                        "line": job.line,
                        "state": job.state,
                        "statements": self.statements.get(job.name, 0),
                        "spec_hash": job.spec_hash if job.name in self.statements else None,
                    }
                )
        return {
            "valid": self.valid,
            "jobs": jobs,
            "problems": [p.to_json() for p in sorted(self.problems)],
        }


def sql_problem(job: JobSpec, error: SqlError, root: Path) -> Problem:
    """Map a line/col within the job's SQL text to the file that holds the text."""
    line = job.sql_line + error.line - 1
    col = error.col + job.sql_col - 1
    pointer = "/spec/sql" if job.sql_path == job.path else "/spec/sqlFile"
    return Problem(relative_path(job.sql_path, root), line, col, f"SQL: {error.message}", pointer)


def validate_project(project_dir: Path | None = None) -> ValidationReport:
    """Load the project (every problem, not just the first) and parse every job's SQL."""
    from flinkops.sql import check_sql, split_statements

    project, problems = inspect_project(project_dir)
    report = ValidationReport(project=project, problems=list(problems))
    if project is None:
        return report
    for job in project.jobs:
        errors = check_sql(job.sql)
        report.problems.extend(sql_problem(job, e, project.root) for e in errors)
        if not errors:
            statements = split_statements(job.sql)
            report.statements[job.name] = len(statements)
            if not any(_is_insert(s.text) for s in statements):
                report.problems.append(
                    Problem(
                        relative_path(job.sql_path, project.root),
                        job.sql_line,
                        job.sql_col,
                        "SQL: no INSERT statement; a job needs at least one INSERT INTO",
                        "/spec/sql" if job.sql_path == job.path else "/spec/sqlFile",
                    )
                )
    return report


def _is_insert(text: str) -> bool:
    words = text.lstrip("( \n\t").split(None, 3)
    head = [w.upper() for w in words[:3]]
    return bool(head) and (
        head[0] == "INSERT"
        or head[:2] == ["EXECUTE", "INSERT"]
        or (head[0] in ("EXECUTE", "BEGIN") and "STATEMENT" in head)
        or head[0] == "STATEMENT"
    )
