"""SQL that Flink's planner rejects, as errors of the specs that hold it.

A compile that Flink rejects (``Compiled.rejection``: Flink's message, the statement it
rejected and where in it) becomes an ``SqlRejected``: the job, and the file, line and
column of the YAML or ``sqlFile`` a person edits (``spec.validate.flink_location``
maps Flink's statement-relative position back). A plan holds one per spec whose SQL
Flink rejects (its change's action is ``rejected``, ``Plan.errors`` lists them) and
apply refuses such a plan whole; ``flinkops validate --target`` reports the same
errors for every spec of the target (``planner_problems``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flinkops.errors import Problem
from flinkops.flink.runner import Rejection
from flinkops.plan.compiler import Compiler, CompileRequest
from flinkops.spec import JobSpec
from flinkops.spec.validate import flink_location, flink_problem

__all__ = ["SqlRejected", "planner_problems", "sql_rejected"]


@dataclass(frozen=True)
class SqlRejected:
    """Flink's planner rejects ``job``'s SQL: where (``file`` as shown from the project's
    root, 1-based ``line`` and ``column``) and Flink's own ``message``."""

    job: str
    file: str
    line: int
    column: int
    message: str

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def to_json(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SqlRejected:
        return cls(data["job"], data["file"], data["line"], data["column"], data["message"])


def sql_rejected(spec: JobSpec, rejection: Rejection, root: Path) -> SqlRejected:
    """``rejection`` of ``spec``'s SQL, located in its file (paths shown from ``root``)."""
    file, line, column = flink_location(spec, rejection, root)
    return SqlRejected(spec.name, file, line, column, rejection.message)


def planner_problems(compiler: Compiler, specs: Sequence[JobSpec], root: Path) -> list[Problem]:
    """Compile every spec with the cluster's planner (``compiler``); a located problem per
    spec whose SQL Flink rejects. FlinkUnreachable when the cluster does not answer."""
    requests = {spec.name: CompileRequest.of_spec(spec) for spec in specs}
    results = compiler.compile_many(list(requests.values()))
    problems = []
    for spec in specs:
        rejection = results[requests[spec.name]].rejection
        if rejection is not None:
            problems.append(flink_problem(spec, rejection, root))
    return problems
