"""The corpus of tests/compat_corpus.py from recorded Flink 2.3 job graphs
(``tests/unit/data/flink_plans/corpus/``, written by ``scripts/record_compat_corpus.py``):
each case's verdict and reason as ``plan`` gives them. The same cases run on the real
cluster, with Flink's restore, in ``tests/integration/test_compat_corpus.py``."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from flinkops.plan import StateImpact
from flinkops.plan.compat import compare_graphs
from tests.compat_corpus import CASES

DATA = Path(__file__).parent.parent / "data" / "flink_plans" / "corpus"


def graphs(name: str) -> tuple[dict, dict]:
    recorded = json.loads((DATA / f"{name}.json").read_text())
    return recorded["old"], recorded["new"]


@pytest.mark.parametrize("case", list(CASES))
def test_corpus_case(case: str) -> None:
    c = CASES[case]
    verdict = compare_graphs(*graphs(case))
    assert verdict.impact is StateImpact(c.verdict), verdict
    assert any(c.reason in r for r in verdict.reasons), verdict
    # Flink refuses or fails exactly the incompatible ones; the rest it restores
    assert (c.flink != "restored") == (verdict.impact is StateImpact.INCOMPATIBLE)


def test_every_case_is_recorded_and_every_family_covered() -> None:
    assert sorted(p.stem for p in DATA.glob("*.json")) == sorted(CASES)
    families = Counter(c.family for c in CASES.values())
    assert set(families) == {
        "GroupAggregate",
        "window aggregate",
        "Deduplicate",
        "Rank",
        "Join",
        "IntervalJoin",
        "TemporalJoin",
        "OverAggregate",
        "SinkMaterializer",
        "statement set",
        "view",
    }


def test_a_rename_traces_to_the_same_source_field_and_another_field_does_not() -> None:
    # the user's report: "GroupAggregate group keys changed: zone -> area" for a rename
    verdict = compare_graphs(*graphs("agg-key-renamed-in-subquery"))
    assert verdict.impact is StateImpact.PRESERVED
    assert verdict.reasons[0] == "stateful operators unchanged (GroupAggregate)"
    old, _ = graphs("agg-key-renamed-in-subquery")
    _, other = graphs("view-key-from-another-field")  # mid AS zone: printed the same
    assert compare_graphs(old, other).impact is StateImpact.AT_RISK


def test_a_key_only_filter_that_widens_is_at_risk() -> None:
    old, new = graphs("agg-filter-narrowed-on-key")
    back = compare_graphs(new, old)  # the condition on the key removed: keys it admits
    assert back.impact is StateImpact.AT_RISK  # now were never counted
    assert "lacks rows the new filter admits" in back.reasons[0]


def test_a_key_filter_that_also_reads_an_untraced_field_is_at_risk() -> None:
    # never preserved where flinkops cannot tell what a condition reads
    old, new = graphs("agg-filter-narrowed-on-key")
    text = json.dumps(new).replace("(zone &gt; 2)", "(zone &gt; x)")  # HTML-escaped
    verdict = compare_graphs(old, json.loads(text))
    assert verdict.impact is StateImpact.AT_RISK
    assert "includes rows the new filter excludes" in verdict.reasons[0]
