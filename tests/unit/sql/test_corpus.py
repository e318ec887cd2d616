"""The dialect measured on the corpus of third-party Flink SQL (tests/unit/sql/corpus).

Of the statements that are valid Flink SQL (all but KNOWN_INVALID, each with its
reason), at least 98% parse to a real tree, counted strictly: a statement kept as
text (sqlglot's fallback ``Command``, or the dialect's ``Utility``) is a failure
unless it is a command of the SQL client only (SHOW, DESCRIBE, HELP, QUIT, the
client's ``BEGIN STATEMENT SET`` / ``END`` ...), which Flink's planner never sees.
Every statement that parses regenerates to SQL that parses to the same tree, and
the ones that do not parse are exactly KNOWN_FAILURES.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from flinkops.sql import Statement, split_statements
from flinkops.sql._expressions import Utility

from .corpus_known_invalid import KNOWN_INVALID

CORPUS = Path(__file__).parent / "corpus"

# Statements of the SQL client, not of Flink SQL: kept as text on purpose.
CLIENT_COMMANDS = {"SHOW", "DESCRIBE", "DESC", "HELP", "QUIT", "EXIT", "CLEAR", "BEGIN", "END"}

# Valid Flink SQL the dialect does not parse yet: (file, line) -> what is missing.
KNOWN_FAILURES: dict[tuple[str, int], str] = {}


@cache
def corpus() -> list[tuple[str, Statement]]:
    return [
        (path.name, statement)
        for path in sorted(CORPUS.glob("*.sql"))
        for statement in split_statements(path.read_text())
    ]


@cache
def outcomes() -> dict[tuple[str, int], exp.Expr | str]:
    """Per statement its tree, or the parse error's first line."""
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    results: dict[tuple[str, int], exp.Expr | str] = {}
    for name, statement in corpus():
        try:
            tree = sqlglot.parse_one(statement.text, read="flink")
        except sqlglot.errors.SqlglotError as error:
            results[(name, statement.line)] = str(error).splitlines()[0]
            continue
        results[(name, statement.line)] = _strict(tree)
    return results


def _strict(tree: exp.Expr) -> exp.Expr | str:
    """The tree, or why it does not count: text kept for anything but a client command."""
    if isinstance(tree, Utility) and tree.name.upper() in CLIENT_COMMANDS:
        return tree
    if isinstance(tree, exp.Command):
        return f"kept as text: {tree.name.upper()}"
    return tree


def strict_rates() -> dict[str, tuple[int, int]]:
    """Per source (file name prefix): (statements parsed to a tree, valid statements)."""
    rates: dict[str, tuple[int, int]] = {}
    for (name, line), outcome in outcomes().items():
        if (name, line) in KNOWN_INVALID:
            continue
        parsed, total = rates.get(name.split("__")[0], (0, 0))
        rates[name.split("__")[0]] = (parsed + isinstance(outcome, exp.Expr), total + 1)
    return rates


def test_known_invalid_entries_name_real_statements() -> None:
    keys = {(name, s.line) for name, s in corpus()}
    assert len(corpus()) == 1467
    assert set(KNOWN_INVALID) <= keys
    assert set(KNOWN_FAILURES) <= keys
    assert not set(KNOWN_FAILURES) & set(KNOWN_INVALID)


def test_at_least_98_percent_of_valid_statements_parse() -> None:
    rates = strict_rates()
    parsed = sum(p for p, _ in rates.values())
    valid = sum(t for _, t in rates.values())
    assert parsed / valid >= 0.98, f"{parsed}/{valid} {rates}"
    assert all(p / t >= 0.98 for p, t in rates.values()), rates


def test_the_statements_that_fail_are_exactly_the_known_failures() -> None:
    failures = {
        k: v for k, v in outcomes().items() if k not in KNOWN_INVALID and isinstance(v, str)
    }
    assert set(failures) == set(KNOWN_FAILURES), failures


@pytest.mark.parametrize("name", sorted({name for name, _ in corpus()}))
def test_every_parsed_statement_round_trips(name: str) -> None:
    broken = []
    for (file, line), tree in outcomes().items():
        if file != name or not isinstance(tree, exp.Expr):
            continue
        generated = tree.sql(dialect="flink")
        try:
            again = sqlglot.parse_one(generated, read="flink")
        except sqlglot.errors.SqlglotError as error:
            broken.append((line, generated, str(error).splitlines()[0]))
            continue
        if again != tree:
            broken.append((line, generated, "different tree"))
    assert broken == []
