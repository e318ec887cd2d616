"""What a sink received compared with what a test expects: the final rows (the changelog
applied, upserted by the primary key) or the changelog itself, in any order unless asked.
The result is a row-level diff: missing rows, unexpected rows, rows whose key matched but
whose columns differ. Only the columns an expected row names are compared. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flinkops.sqltest._check import ExpectedRow
from flinkops.sqltest._model import Expectation, Op

__all__ = ["Received", "TableDiff", "diff_table", "final_rows", "show_row"]

Received = tuple[Op, dict[str, Any]]


@dataclass(frozen=True)
class TableDiff:
    table: str
    missing: tuple[str, ...] = ()
    unexpected: tuple[str, ...] = ()
    changed: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.changed)

    def to_json(self) -> dict[str, object]:
        return {
            "table": self.table,
            "missing": list(self.missing),
            "unexpected": list(self.unexpected),
            "changed": list(self.changed),
        }


def show_row(values: dict[str, Any], op: Op | None = None) -> str:
    body = ", ".join(f"{k}: {_show(v)}" for k, v in values.items())
    return f"{op.value + ' ' if op else ''}{{{body}}}"


def _show(value: Any) -> str:
    if value is None:
        return "null"
    return str(value)


def final_rows(received: list[Received], key: tuple[str, ...]) -> list[dict[str, Any]]:
    """The rows a sink holds at the end: adds insert, retractions remove (by key if any)."""
    if key:
        keyed: dict[tuple[Any, ...], dict[str, Any]] = {}
        for op, row in received:
            k = tuple(row.get(c) for c in key)
            if op.adds:
                keyed[k] = row
            else:
                keyed.pop(k, None)
        return list(keyed.values())
    rows: list[dict[str, Any]] = []
    for op, row in received:
        if op.adds:
            rows.append(row)
        elif row in rows:
            rows.remove(row)
    return rows


def _matches(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    return all(actual.get(k) == v for k, v in expected.items())


def diff_table(
    exp: Expectation,
    rows: tuple[ExpectedRow, ...],
    received: list[Received],
    key: tuple[str, ...],
) -> TableDiff:
    """The diff of one sink; ``ok`` when it received what the test expects."""
    actual: list[tuple[Op | None, dict[str, Any]]]
    if exp.changelog:
        actual = [(op, row) for op, row in received]
    else:
        actual = [(None, row) for row in final_rows(received, key)]
    if exp.ordered:
        return _ordered(exp.table, rows, actual)
    left = list(actual)
    missing: list[ExpectedRow] = []
    for want in rows:
        hit = next(
            (i for i, (op, got) in enumerate(left) if op == want.op and _matches(want.values, got)),
            None,
        )
        if hit is None:
            missing.append(want)
        else:
            left.pop(hit)
    changed, missing = _pair_by_key(missing, left, key)
    return TableDiff(
        exp.table,
        tuple(f"{show_row(m.values, m.op)}  ({m.where})" for m in missing),
        tuple(show_row(got, op) for op, got in left),
        tuple(changed),
    )


def _pair_by_key(
    missing: list[ExpectedRow], left: list[tuple[Op | None, dict[str, Any]]], key: tuple[str, ...]
) -> tuple[list[str], list[ExpectedRow]]:
    """Missing rows whose key matches an unexpected one: shown as changed columns."""
    if not key:
        return [], missing
    changed: list[str] = []
    still: list[ExpectedRow] = []
    for want in missing:
        if not all(k in want.values for k in key):
            still.append(want)
            continue
        hit = next(
            (
                i
                for i, (op, got) in enumerate(left)
                if op == want.op and all(got.get(k) == want.values[k] for k in key)
            ),
            None,
        )
        if hit is None:
            still.append(want)
            continue
        _, got = left.pop(hit)
        keys = ", ".join(f"{k}: {_show(want.values[k])}" for k in key)
        cols = "; ".join(
            f"{c}: expected {_show(v)}, got {_show(got.get(c))}"
            for c, v in want.values.items()
            if got.get(c) != v
        )
        changed.append(f"{{{keys}}} {cols}  ({want.where})")
    return changed, still


def _ordered(
    table: str, rows: tuple[ExpectedRow, ...], actual: list[tuple[Op | None, dict[str, Any]]]
) -> TableDiff:
    missing, unexpected = [], []
    for i in range(max(len(rows), len(actual))):
        want = rows[i] if i < len(rows) else None
        got = actual[i] if i < len(actual) else None
        if want and got and want.op == got[0] and _matches(want.values, got[1]):
            continue
        if want:
            missing.append(f"#{i + 1} {show_row(want.values, want.op)}  ({want.where})")
        if got:
            unexpected.append(f"#{i + 1} {show_row(got[1], got[0])}")
    return TableDiff(table, tuple(missing), tuple(unexpected))
