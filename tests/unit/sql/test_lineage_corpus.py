"""Lineage of the corpus: recipes checked by hand, the hand-written table lineage, and every
file completing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flinkops.sql import split_statements
from flinkops.sql.lineage import JobLineage, lineage_of_sql

from .corpus_known_invalid import KNOWN_INVALID
from .lineage_helpers import columns

CORPUS = Path(__file__).parent / "corpus"


def corpus_lineage(name: str) -> JobLineage:
    """Lineage of a corpus file without its statements known to be invalid."""
    text = (CORPUS / name).read_text()
    kept = [s.text for s in split_statements(text) if (name, s.line) not in KNOWN_INVALID]
    return lineage_of_sql(";\n".join(kept), name)


def test_recipe_statement_sets_column_lineage() -> None:
    got = corpus_lineage("cookbook__foundations_08_statement_sets.sql")
    assert columns(got) == {
        "offline_datawarehouse.browser": ["server_logs.user_agent"],
        "offline_datawarehouse.dt": ["server_logs.log_time"],
        "offline_datawarehouse.hour": ["server_logs.log_time"],
        "offline_datawarehouse.requests": [],
        "offline_datawarehouse.status_code": ["server_logs.status_code"],
        "realtime_aggregations.browser": ["server_logs.user_agent"],
        "realtime_aggregations.end_time": ["server_logs.log_time"],
        "realtime_aggregations.requests": [],
        "realtime_aggregations.status_code": ["server_logs.status_code"],
    }
    assert got.warnings == ()


def test_recipe_chained_windows_through_views() -> None:
    got = corpus_lineage("cookbook__aggregations_07_chained_windows.sql")
    assert columns(got) == {
        "avg_request_size_1m.avg_size": ["server_logs.size"],
        "avg_request_size_1m.window_end": ["server_logs.log_time"],
        "avg_request_size_1m.window_start": ["server_logs.log_time"],
        "avg_request_size_5m.avg_size": ["server_logs.size"],
        "avg_request_size_5m.window_end": ["server_logs.log_time"],
        "avg_request_size_5m.window_start": ["server_logs.log_time"],
    }


def test_recipe_current_watermark_window_tvf_over_a_view() -> None:
    got = corpus_lineage("cookbook__builtin_03_current_watermark.sql")
    assert columns(got) == {
        "late_usage_events.activity": ["mobile_usage.activity"],
        "late_usage_events.client_ip": ["mobile_usage.client_ip"],
        "late_usage_events.current_watermark": ["mobile_usage.log_time"],
        "late_usage_events.ingest_time": [],
        "late_usage_events.log_time": ["mobile_usage.log_time"],
        "unique_users_per_window.ip_addresses": ["mobile_usage.client_ip"],
        "unique_users_per_window.window_end": ["mobile_usage.log_time"],
        "unique_users_per_window.window_start": ["mobile_usage.log_time"],
    }


def test_recipe_like_copies_the_schema_for_select_star() -> None:
    got = corpus_lineage("cookbook__joins_03_kafka_join.sql")
    assert columns(got)["transactions.total"] == ["transactions_faker.total"]
    assert len([c for c in got.columns if c.sink.startswith("transactions.")]) == 4


def expected_table_lineage() -> list[dict[str, object]]:
    return json.loads((CORPUS / "expected_table_lineage.json").read_text())["entries"]


@pytest.mark.parametrize(
    "entry", expected_table_lineage(), ids=lambda e: f"{e['file']}:{e['statement_index']}"
)
def test_table_lineage_matches_the_hand_written_expectations(entry: dict[str, object]) -> None:
    got = corpus_lineage(str(entry["file"]))
    sources = {t.sink: list(t.sources) for t in got.tables}
    assert sources[str(entry["sink"])] == entry["sources"]


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.sql")))
def test_lineage_of_every_corpus_file_completes(name: str) -> None:
    got = corpus_lineage(name)
    assert all(c.sink.count(".") >= 1 for c in got.columns)
