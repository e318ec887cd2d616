"""The dialect measured on the corpus of third-party Flink SQL (tests/unit/sql/corpus).

Of the statements that are valid Flink SQL (all but KNOWN_INVALID, each with its
reason), at least 98% parse to a real tree (sqlglot's fallback ``Command`` does not
count), every one that parses regenerates to SQL that parses to the same tree, and
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

from .corpus_known_invalid import KNOWN_INVALID

CORPUS = Path(__file__).parent / "corpus"

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
        is_fallback = type(tree) is exp.Command
        results[(name, statement.line)] = "fell back to Command" if is_fallback else tree
    return results


def test_known_invalid_entries_name_real_statements() -> None:
    keys = {(name, s.line) for name, s in corpus()}
    assert len(corpus()) == 1170
    assert set(KNOWN_INVALID) <= keys
    assert set(KNOWN_FAILURES) <= keys
    assert not set(KNOWN_FAILURES) & set(KNOWN_INVALID)


def test_at_least_98_percent_of_valid_statements_parse() -> None:
    valid = {k: v for k, v in outcomes().items() if k not in KNOWN_INVALID}
    parsed = [k for k, v in valid.items() if isinstance(v, exp.Expr)]
    assert len(parsed) / len(valid) >= 0.98, f"{len(parsed)}/{len(valid)}"


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
