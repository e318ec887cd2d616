"""SQL test files read: ``*.test.yaml`` documents checked against ``schemas/test.schema.json``
and turned into frozen ``SqlTest`` cases, every row and value located in its file."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from flinkops.errors import Problem
from flinkops.spec import Document, load_documents, read_file, relative_path, schema_problems

__all__ = ["Expectation", "Op", "Row", "SqlTest", "load_spec_tests", "load_test_files"]


class Op(StrEnum):
    """A changelog row's kind, as Flink prints it."""

    INSERT = "+I"
    UPDATE_BEFORE = "-U"
    UPDATE_AFTER = "+U"
    DELETE = "-D"

    @property
    def adds(self) -> bool:
        return self in (Op.INSERT, Op.UPDATE_AFTER)


@dataclass(frozen=True)
class Row:
    """One row as written in a test: column -> value, where it is, and its kind if stated."""

    values: dict[str, Any]
    doc: Document = field(repr=False, compare=False)
    pointer: str = ""
    op: Op | None = None

    def problem(self, message: str, column: str | None = None, *, key: bool = False) -> Problem:
        """A problem at the row, or at a column's value (``key``: at the column's name)."""
        pointer = f"{self.pointer}/{column}" if column else self.pointer
        return self.doc.problem(pointer, message, key=key)


@dataclass(frozen=True)
class Expectation:
    """What one sink must receive: its final rows (default) or its changelog."""

    table: str
    rows: tuple[Row, ...]
    changelog: bool = False
    ordered: bool = False
    pointer: str = ""


@dataclass(frozen=True)
class SqlTest:
    """One test case of one job, located at its ``name``."""

    job: str
    name: str
    given: dict[str, tuple[Row, ...]]
    expect: tuple[Expectation, ...]
    doc: Document = field(repr=False, compare=False)
    pointer: str = ""

    @property
    def where(self) -> str:
        line, _ = self.doc.where(self.pointer)
        return f"{self.doc.path}:{line}"

    def problem(self, pointer: str, message: str) -> Problem:
        return self.doc.problem(pointer, message, key=True)


def load_test_files(files: list[Path], root: Path) -> tuple[list[SqlTest], list[Problem]]:
    """Every test of ``files`` (each a ``*.test.yaml`` of one or more documents)."""
    tests: list[SqlTest] = []
    problems: list[Problem] = []
    for path in files:
        shown = relative_path(path, root)
        raw, problem = read_file(path, shown)
        if problem or raw is None:
            problems.extend([problem] if problem else [])
            continue
        docs, found = load_documents(shown, raw)
        problems.extend(found)
        for doc in docs:
            found = schema_problems(doc, "test")
            problems.extend(found)
            if not found:
                tests.extend(_tests_of(doc))
    return tests, problems


def load_spec_tests(spec_files: list[Path], root: Path) -> tuple[list[SqlTest], list[Problem]]:
    """The tests written under ``tests:`` in job spec documents (beside ``spec:``)."""
    tests: list[SqlTest] = []
    problems: list[Problem] = []
    for path in dict.fromkeys(spec_files):
        raw, _ = read_file(path, relative_path(path, root))
        docs, _ = load_documents(relative_path(path, root), raw or b"")
        for doc in docs:
            data = doc.data if isinstance(doc.data, dict) else {}
            name = (data.get("metadata") or {}).get("name")
            if "tests" not in data or not isinstance(name, str):
                continue
            # the same pointers (/tests/...) as in a test file, so the same schema and places
            view = Document(doc.path, {"job": name, "tests": data["tests"]}, doc.line)
            view.positions, view.key_positions = doc.positions, doc.key_positions
            found = schema_problems(view, "test")
            problems.extend(found)
            if not found:
                tests.extend(_tests_of(view))
    return tests, problems


def _tests_of(doc: Document) -> list[SqlTest]:
    out = []
    for i, raw in enumerate(doc.data["tests"]):
        at = f"/tests/{i}"
        given = {
            table: tuple(Row(r, doc, f"{at}/given/{table}/{j}") for j, r in enumerate(rows))
            for table, rows in raw["given"].items()
        }
        expect = tuple(
            _expectation(doc, f"{at}/expect/{table}", table, body)
            for table, body in raw["expect"].items()
        )
        out.append(SqlTest(doc.data["job"], raw["name"], given, expect, doc, f"{at}/name"))
    return out


def _expectation(doc: Document, at: str, table: str, body: Any) -> Expectation:
    if isinstance(body, list):
        return Expectation(table, _rows(doc, at, body), pointer=at)
    ordered = bool(body.get("ordered", False))
    if "changelog" in body:
        rows = tuple(
            Row(
                {k: v for k, v in r.items() if k != "_op"},
                doc,
                f"{at}/changelog/{j}",
                Op(r["_op"]),
            )
            for j, r in enumerate(body["changelog"])
        )
        return Expectation(table, rows, changelog=True, ordered=ordered, pointer=at)
    return Expectation(table, _rows(doc, f"{at}/rows", body["rows"]), ordered=ordered, pointer=at)


def _rows(doc: Document, at: str, rows: list[dict[str, Any]]) -> tuple[Row, ...]:
    return tuple(Row(r, doc, f"{at}/{j}") for j, r in enumerate(rows))
