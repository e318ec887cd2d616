"""The corpus of tests/compat_corpus.py on the real cluster: each case's verdict (both
graphs from the cluster's planner, compared as ``plan`` does) beside what Flink does when
the new program restores the old one's savepoint.

Every case is compiled; the cases of ``RESTORED`` (one per operator family and per
rule) also run for real: the old program runs (parallelism 1), stops with a savepoint,
and the new one is submitted from it (``run_and_restore`` of
``tests/integration/apply/test_verdict_levels.py``), and Flink's outcome must be the
case's. ``FLINKOPS_CORPUS_RESTORE=all`` restores every case (27 cases took 529 s on 3
workers of this 2-core machine, so the gate restores a subset). ``restored`` goes with a
verdict of preserved or at-risk (which of the two is flinkops's reading of what the state
means, reasoned in DESIGN.md's rule table), ``refused`` or ``failed`` with incompatible.
The unit tests compare the same cases from recorded graphs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import compile_sql
from flinkops.plan.compat import compare_graphs
from tests.compat_corpus import CASES, DDL
from tests.integration.apply.test_verdict_levels import run_and_restore

#: restored for real on every run: one case per operator family and per rule
RESTORED = frozenset(
    {
        "agg-key-renamed-in-subquery",  # names_only
        "agg-filter-narrowed-on-key",  # filter_changed, preserved
        "session-key-renamed",  # window aggregates, names_only through a view
        "dedup-first-to-last",  # Deduplicate
        "topn-narrowed",  # rank_range_changed
        "join-condition-added",  # Join
        "interval-bounds-narrowed",  # IntervalJoin
        "temporal-output-renamed",  # TemporalJoin
        "over-rows-changed",  # OverAggregate
        "sink-materializer-key-renamed",  # SinkMaterializer
        "statement-set-insert-added",  # statement sets: operator ids change, refused
    }
)


def _restores(case: str) -> bool:
    return case in RESTORED or os.environ.get("FLINKOPS_CORPUS_RESTORE") == "all"


@pytest.mark.parametrize("case", list(CASES))
def test_corpus_case_beside_flinks_restore(
    case: str,
    flink_client: FlinkClient,
    runner_jar_id: str,
    submitted_jobs: list[str],
    tmp_path: Path,
) -> None:
    c = CASES[case]
    old, new = [*DDL, *c.old], [*DDL, *c.new]
    graphs = [
        compile_sql(flink_client, job_name="corpus", statements=sql, parallelism=1,
                    jar_id=runner_jar_id)
        for sql in (old, new)
    ]  # fmt: skip
    verdict = compare_graphs(*graphs)
    assert verdict.impact.value == c.verdict, verdict
    assert any(c.reason in r for r in verdict.reasons), verdict
    if not _restores(case):
        return
    outcome, words = run_and_restore(
        flink_client, "corpus", (old, {}), (new, {}), tmp_path / "sp", submitted_jobs
    )
    print(f"{case} [{c.family}]: flinkops {verdict.impact} {verdict.reasons}; Flink {outcome}")
    assert outcome == c.flink, words
