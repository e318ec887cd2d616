"""Statements per second for parse + lineage over the corpus, against bare tokenization.

Run: ``.venv/bin/python bench/bench_sql.py [--repeat N]``. The corpus is the
third-party Flink SQL in tests/unit/sql/corpus (1,467 statements). Three numbers:

- tokenize: sqlglot's base tokenizer over each statement's text (the floor),
- parse: split + parse every statement with the Flink dialect,
- parse + lineage: the above plus lineage of every file (statements that are not
  valid Flink SQL, listed in the tests, are left out of the lineage pass).

The ratio says how many times slower parse + lineage is than bare tokenization.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

import sqlglot  # noqa: E402
from sqlglot.tokens import Tokenizer  # noqa: E402
from tests.unit.sql.corpus_known_invalid import KNOWN_INVALID  # noqa: E402

from flinkops.sql import split_statements  # noqa: E402
from flinkops.sql.lineage import lineage_of_trees  # noqa: E402

CORPUS = ROOT / "tests" / "unit" / "sql" / "corpus"


def load() -> list[tuple[str, list[tuple[int, str]]]]:
    """Each corpus file with its statements (start line, text)."""
    return [
        (path.name, [(s.line, s.text) for s in split_statements(path.read_text())])
        for path in sorted(CORPUS.glob("*.sql"))
    ]


def tokenize_all(files: list[tuple[str, list[tuple[int, str]]]]) -> int:
    tokenizer = Tokenizer()
    count = 0
    for _, statements in files:
        for _, text in statements:
            tokenizer.tokenize(text)
            count += 1
    return count


def parse_all(files: list[tuple[str, list[tuple[int, str]]]], lineage: bool = False) -> int:
    count = 0
    for name, statements in files:
        trees = []
        for line, text in statements:
            count += 1
            try:
                tree = sqlglot.parse_one(text, read="flink")
            except sqlglot.errors.SqlglotError:
                continue
            if (name, line) not in KNOWN_INVALID:
                trees.append(tree)
        if lineage:
            lineage_of_trees(trees, name)
    return count


def rate(fn: Callable[[], int], repeat: int) -> float:
    """Best statements/second over ``repeat`` runs."""
    best = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        count = fn()
        best = max(best, count / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    files = load()
    total = sum(len(s) for _, s in files)
    tokenize = rate(lambda: tokenize_all(files), args.repeat)
    parse = rate(lambda: parse_all(files), args.repeat)
    full = rate(lambda: parse_all(files, lineage=True), args.repeat)
    print(f"corpus: {total} statements in {len(files)} files (best of {args.repeat})")
    print(f"tokenize (sqlglot base):  {tokenize:10.0f} statements/s")
    print(f"parse (flink):            {parse:10.0f} statements/s")
    print(f"parse + lineage (flink):  {full:10.0f} statements/s")
    print(f"ratio tokenize / (parse + lineage): {tokenize / full:.1f}x")


if __name__ == "__main__":
    main()
