"""Structure-aware mutation fuzzing of the SQL pipeline over the corpus scripts.

Each corpus file is a real Flink SQL script. A mutant is that script with one to
three of its tokens deleted, duplicated, or replaced by / preceded with a token
taken from anywhere in the corpus (so the inserted words are real Flink SQL words,
strings and punctuation). Each mutant goes through what ``flinkops validate`` and
``flinkops lineage`` run: split, parse, lineage. A ``FlinkopsError`` (a located
``SqlError`` or a ``SpecError``) is the expected way to refuse bad input; anything
else is a finding.

    python tests/unit/sql/fuzz.py [--seed N] [--budget N]    (make fuzz)
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from flinkops.errors import FlinkopsError
from flinkops.sql import Flink, lineage_of_sql, to_text
from flinkops.sql.lineage import combine

CORPUS = Path(__file__).parent / "corpus"
OPERATIONS = ("delete", "duplicate", "insert", "replace")


@dataclass
class Report:
    """What a fuzzing run did: scripts run, refused as expected, and the findings."""

    scripts: int = 0
    refused: int = 0
    findings: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, where, script)

    def kinds(self) -> Counter[str]:
        return Counter(kind for kind, _, _ in self.findings)


def corpus_scripts() -> list[tuple[str, str]]:
    """(file name, text) of every corpus script."""
    return [(p.name, p.read_text()) for p in sorted(CORPUS.glob("*.sql"))]


def _pieces(sql: str) -> list[str]:
    """The script's tokens as their source text (quotes included), comments dropped."""
    return [sql[t.start : t.end + 1] for t in Flink().tokenize(sql)]


def mutate(pieces: list[str], pool: list[str], rng: random.Random) -> str:
    """One mutant: 1-3 token deletions, duplications, insertions or replacements."""
    out = list(pieces)
    for _ in range(rng.randint(1, 3)):
        if not out:
            break
        i = rng.randrange(len(out))
        operation = rng.choice(OPERATIONS)
        if operation == "delete":
            del out[i]
        elif operation == "duplicate":
            out.insert(i, out[i])
        elif operation == "insert":
            out.insert(i, rng.choice(pool))
        else:
            out[i] = rng.choice(pool)
    return " ".join(out)


def run_one(sql: str) -> None:
    """What validate and lineage do with a job's SQL; FlinkopsError is a refusal."""
    job = lineage_of_sql(sql, "fuzz")
    to_text(combine([job]).to_json())


def fuzz(seed: int, budget: int) -> Report:
    """Run ``budget`` mutants drawn with ``seed``; deterministic for a given corpus."""
    logging.getLogger("sqlglot").setLevel(logging.CRITICAL)
    rng = random.Random(seed)
    scripts = [(name, _pieces(text)) for name, text in corpus_scripts()]
    pool = [piece for _, pieces in scripts for piece in pieces]
    report = Report()
    for _ in range(budget):
        name, pieces = rng.choice(scripts)
        sql = mutate(pieces, pool, rng)
        report.scripts += 1
        try:
            run_one(sql)
        except FlinkopsError:
            report.refused += 1
        except Exception as error:  # every other exception is the finding
            frame = traceback.extract_tb(error.__traceback__)[-1]
            where = f"{Path(frame.filename).name}:{frame.lineno} ({name})"
            report.findings.append((f"{type(error).__name__}: {error}"[:120], where, sql))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--budget", type=int, default=100_000)
    parser.add_argument("--show", type=int, default=3, help="mutants to print per finding kind")
    args = parser.parse_args(argv)
    report = fuzz(args.seed, args.budget)
    shown: Counter[str] = Counter()
    for kind, where, sql in report.findings:
        shown[kind] += 1
        if shown[kind] <= args.show:
            print(f"--- {kind}\n    at {where}\n    {sql[:400]}")
    print(
        f"seed {args.seed}: {report.scripts} scripts, {report.refused} refused with a "
        f"located error, {len(report.findings)} unexpected exceptions"
    )
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.exit(main())
