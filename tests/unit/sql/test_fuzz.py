"""Mutated corpus scripts never raise anything but a located FlinkopsError.

A fixed seed and a small budget keep this to seconds; ``make fuzz`` runs 100,000.
"""

from __future__ import annotations

import random

import pytest

from flinkops.errors import SqlError

from . import fuzz


def test_mutants_of_the_corpus_give_only_located_errors() -> None:
    report = fuzz.fuzz(seed=15, budget=1500)
    assert report.scripts == 1500
    assert report.findings == []
    assert report.refused > 0  # the mutants really were bad input


def test_an_unexpected_exception_is_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(sql: str) -> None:
        if "INSERT" in sql.upper():
            raise KeyError("boom")
        raise SqlError("refused", 1, 1)

    monkeypatch.setattr(fuzz, "run_one", explode)
    report = fuzz.fuzz(seed=1, budget=50)
    kinds = report.kinds()
    assert kinds and all(kind.startswith("KeyError") for kind in kinds)
    assert report.refused + len(report.findings) == 50


def test_mutations_delete_duplicate_and_insert_tokens() -> None:
    pieces = ["SELECT", "a", "FROM", "t"]
    rng = random.Random(3)
    mutants = {fuzz.mutate(pieces, ["WHERE", "'x'"], rng) for _ in range(200)}
    assert "SELECT FROM t" in mutants or "SELECT a t" in mutants  # a deletion
    assert any("a a" in m or "FROM FROM" in m for m in mutants)  # a duplication
    assert any("WHERE" in m for m in mutants)  # an insertion from the pool
