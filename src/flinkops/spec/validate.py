"""`flinkops validate`: schema, cross-file rules, and the SQL of every job.

Returns every problem found, located in the file a person edits: a SQL syntax
error inside ``sql: |`` is reported at the YAML line it sits on. So is an error of
Flink's own planner (``flink_location``): Flink places it in the statement the SQL
runner sent it, and ``runner_statements`` says where each of those starts.

Offline; ``validate --target`` adds the planner's errors (``plan/rejections.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flinkops.errors import Problem, SqlError
from flinkops.flink.runner import Rejection, normalize_statements
from flinkops.spec._load import relative_path
from flinkops.spec._project import inspect_project
from flinkops.spec._types import JobSpec, Project
from flinkops.sql import Statement, split_statements

__all__ = [
    "ValidationReport",
    "flink_location",
    "flink_problem",
    "runner_statements",
    "sql_problem",
    "validate_project",
]


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
    path, line, col = _in_file(job, error.line, error.col, root)
    return Problem(path, line, col, f"SQL: {error.message}", _pointer(job))


def _in_file(job: JobSpec, line: int, col: int, root: Path) -> tuple[str, int, int]:
    """A line/col within the job's SQL text as the file, line and column that hold it."""
    return relative_path(job.sql_path, root), job.sql_line + line - 1, col + job.sql_col - 1


def _pointer(job: JobSpec) -> str:
    return "/spec/sql" if job.sql_path == job.path else "/spec/sqlFile"


def runner_statements(sql: str) -> list[Statement]:
    """The statements the SQL runner executes (``normalize_statements`` of the split
    SQL: statement sets unwrapped, leading comments dropped), each located where it
    starts in ``sql``; the runner's statement N is the N-th (from 0)."""
    out = []
    for statement in split_statements(sql):
        cursor = 0
        for piece in normalize_statements([statement.text]):
            at = statement.text.find(piece, cursor)
            at = cursor if at < 0 else at
            cursor = at + len(piece)
            line, col = _shifted(statement, statement.text[:at])
            out.append(Statement(piece, line, col))
    return out


def _shifted(statement: Statement, before: str) -> tuple[int, int]:
    """Where the text after ``before`` (a prefix of the statement's text) starts in the SQL."""
    newlines = before.count("\n")
    if not newlines:
        return statement.line, statement.col + len(before)
    return statement.line + newlines, len(before) - before.rfind("\n")


def flink_location(job: JobSpec, rejection: Rejection, root: Path) -> tuple[str, int, int]:
    """Where in the file (its path shown relative to ``root``, line, column) the error
    Flink's planner gave for ``job``'s SQL is: its position in the statement it rejected,
    mapped through where that statement starts; the statement's start without a
    position, and the SQL's start without a statement."""
    located = runner_statements(job.sql)
    index = rejection.statement
    if index is None or not 0 <= index < len(located):
        return _in_file(job, 1, 1, root)
    start = located[index]
    line, col = rejection.line or 1, rejection.column or 1
    if line == 1:
        return _in_file(job, start.line, start.col + col - 1, root)
    return _in_file(job, start.line + line - 1, col, root)


def flink_problem(job: JobSpec, rejection: Rejection, root: Path) -> Problem:
    """Flink's rejection of ``job``'s SQL as a problem located in the file that holds it."""
    path, line, col = flink_location(job, rejection, root)
    return Problem(path, line, col, f"Flink: {rejection.message}", _pointer(job))


def validate_project(project_dir: Path | None = None) -> ValidationReport:
    """Load the project (every problem, not just the first) and parse every job's SQL."""
    from flinkops.sql import check_sql

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
                        _pointer(job),
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
