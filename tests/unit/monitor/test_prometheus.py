"""The Prometheus rule export (pure) and reading history through the query API."""

from __future__ import annotations

import httpx
import yaml

from flinkops.monitor.prometheus import PrometheusHistory, export_rules, prometheus_job_name
from flinkops.monitor.rules import effective_rules
from flinkops.spec import AlertRules


def test_export_names_jobs_like_flinks_reporter_and_follows_the_rules() -> None:
    quiet = effective_rules(AlertRules.model_validate({"noRecords": {"enabled": False}}))
    text = export_rules(
        "prod",
        [("orders-per-minute", effective_rules(), True), ("quiet.job", quiet, False)],
        effective_rules(),
    )
    [group] = yaml.safe_load(text)["groups"]
    assert group["name"] == "flinkops-prod"
    by = {(r["labels"]["flinkops_job"], r["labels"]["rule"]): r for r in group["rules"]}
    restarts = by[("orders-per-minute", "restarts")]
    assert restarts["expr"] == (
        'increase(flink_jobmanager_job_numRestarts{job_name="orders_per_minute"}[600s]) >= 3'
    )
    assert restarts["alert"] == "FlinkopsRestarts" and restarts["labels"]["severity"] == "warning"
    assert by[("orders-per-minute", "notDesired")]["for"] == "300s"
    assert ("orders-per-minute", "checkpoints") in by and ("quiet.job", "checkpoints") not in by
    assert ("quiet.job", "noRecords") not in by and ("quiet.job", "lag") in by
    assert by[("(cluster)", "unreachable")]["for"] == "30s"
    assert prometheus_job_name("a-b.c d") == "a_b_c_d"


def test_history_reads_query_range_per_series() -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        query = request.url.params["query"]
        asked.append(query)
        result = []
        if "numRestarts" in query:
            result = [{"metric": {}, "values": [[100, "1"], [115.0, "2"], [130, "NaN"]]}]
        return httpx.Response(200, json={"status": "success", "data": {"result": result}})

    source = PrometheusHistory("http://prom:9090/", transport=httpx.MockTransport(answer))
    assert source.history("prod", "orders-x", 100, 400) == {"restarts": [(100, 1.0), (115, 2.0)]}
    assert 'max(flink_jobmanager_job_numRestarts{job_name="orders_x"})' in asked
