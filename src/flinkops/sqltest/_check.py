"""A test checked against its job's tables before anything runs: each given table is a
source of the job, each expected table a sink, each column in the table's schema, each
value of its column's type. Problems are located in the test file. Pure."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from flinkops.errors import Problem
from flinkops.sqltest._model import Expectation, Op, Row, SqlTest
from flinkops.sqltest._tables import JobTables, TableShape
from flinkops.sqltest._values import canonical, json_line

__all__ = ["ExpectedRow", "PreparedTest", "prepare_test"]


@dataclass(frozen=True)
class ExpectedRow:
    values: dict[str, Any]  # canonical values of the columns the test names
    op: Op | None
    where: str  # file:line of the row


@dataclass(frozen=True)
class PreparedTest:
    test: SqlTest
    lines: dict[str, list[str]]  # source table -> JSON lines (every source, maybe empty)
    expected: dict[str, tuple[Expectation, tuple[ExpectedRow, ...]]]


def prepare_test(test: SqlTest, tables: JobTables) -> tuple[PreparedTest | None, list[Problem]]:
    problems: list[Problem] = []
    lines: dict[str, list[str]] = {name: [] for name in tables.sources}
    for table, rows in test.given.items():
        pointer = test.pointer.rsplit("/", 1)[0] + f"/given/{table}"
        if table not in tables.sources:
            problems.append(test.problem(pointer, _not_one("source", table, tables.sources)))
            continue
        shape = tables.tables[table]
        if any(c.metadata for c in shape.columns):
            problems.append(test.problem(pointer, f"{table} has METADATA columns: not supported"))
            continue
        types = {c.name: c.type for c in shape.physical}
        for row in rows:
            values = _row_values(row, shape, problems, given=True)
            if values is not None:
                lines[table].append(json_line(values, types))
    expected: dict[str, tuple[Expectation, tuple[ExpectedRow, ...]]] = {}
    for exp in test.expect:
        if exp.table not in tables.sinks:
            problems.append(test.problem(exp.pointer, _not_one("sink", exp.table, tables.sinks)))
            continue
        shape = tables.tables[exp.table]
        wanted: list[ExpectedRow] = []
        for row in exp.rows:
            values = _row_values(row, shape, problems, given=False)
            if values is not None:
                wanted.append(ExpectedRow(values, row.op, _where(row)))
        expected[exp.table] = (exp, tuple(wanted))
    if problems:
        return None, problems
    return PreparedTest(test, lines, expected), []


def _where(row: Row) -> str:
    return f"{row.doc.path}:{row.doc.where(row.pointer)[0]}"


def _not_one(kind: str, table: str, names: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(table, names, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    listed = ", ".join(names) or "none"
    verb = "reads" if kind == "source" else "writes"
    return f"the job {verb} no table {table!r} ({kind}s: {listed}){hint}"


def _row_values(
    row: Row, shape: TableShape, problems: list[Problem], *, given: bool
) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    ok = True
    for name, value in row.values.items():
        column = shape.column(name)
        if column is None:
            names = [c.name for c in shape.physical]
            close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            message = f"{shape.name} has no column {name!r}{hint}"
            problems.append(row.problem(message, name, key=True))
            ok = False
            continue
        if given and (column.computed or column.metadata):
            message = f"{shape.name}.{name} is computed by the job: it cannot be given"
            problems.append(row.problem(message, name, key=True))
            ok = False
            continue
        try:
            out[name] = canonical(value, column.type)
        except ValueError as exc:
            problems.append(row.problem(f"{shape.name}.{name}: {exc}", name))
            ok = False
    return out if ok else None
