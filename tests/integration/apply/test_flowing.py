"""The recordsFlowing health gate on the real cluster: datagen flows, a job whose
upstream directory stays empty runs idle, and apply reports it idle, not healthy."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from flinkops.flink.identity import JobIdentity
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import submit_sql
from flinkops.flowing import FlowGate
from tests.integration.apply.conftest import Project

SINK = "CREATE TABLE snk (k INT, v INT) WITH ('connector' = 'blackhole')"
INSERT = "INSERT INTO snk SELECT k, v FROM src"


def test_datagen_flows_and_a_job_without_input_is_idle(
    flink_client: FlinkClient,
    runner_jar_id: str,
    submitted_jobs: list[str],
    wait_for_tasks: Callable[..., None],
    tmp_path: Path,
) -> None:
    empty = tmp_path / "upstream-not-written-yet"
    empty.mkdir()
    sources = {
        "flowing": "CREATE TABLE src (k INT, v INT) WITH ('connector' = 'datagen', "
        "'rows-per-second' = '20')",
        "idle": "CREATE TABLE src (k INT, v INT) WITH ('connector' = 'filesystem', "
        f"'path' = '{empty.as_uri()}', 'format' = 'csv', 'source.monitor-interval' = '1s')",
    }
    ids = {}
    for name, source in sources.items():
        ids[name] = submit_sql(
            flink_client,
            job_name=f"flow-{name}",
            statements=[source, SINK, INSERT],
            identity=JobIdentity(f"flow-{name}", 1, "h", "flow-it"),
            parallelism=1,
        )
        submitted_jobs.append(ids[name])
    for job_id in ids.values():
        wait_for_tasks(job_id)
    gates = {name: FlowGate(flink_client, job_id) for name, job_id in ids.items()}
    deadline = time.monotonic() + 60
    flowing = idle_seen = False
    while time.monotonic() < deadline and not (flowing and idle_seen):
        flowing = flowing or gates["flowing"].ready()
        assert not gates["idle"].ready()
        # the idle job's source counters were reported (so "idle" is evidence, not lag)
        idle_seen = any(s.records_out is not None for s in gates["idle"].latest)
        time.sleep(1)
    assert flowing, gates["flowing"].verdict().to_json()
    assert idle_seen, gates["idle"].latest
    verdict = gates["idle"].verdict()
    assert not verdict.flowing
    assert len(verdict.idle) == 1 and verdict.idle[0].startswith("Source: src")
    assert "RUNNING but idle" in verdict.describe()
    assert flink_client.job(ids["idle"]).state == "RUNNING"


def test_apply_with_records_flowing_fails_an_idle_job_and_passes_datagen(
    project: Project, tmp_path: Path
) -> None:
    empty = tmp_path / "orders-not-written-yet"
    empty.mkdir()
    health = "  health: {window: 2s, timeout: 40s, recordsFlowing: true}\n"
    project.write_job(
        "idle",
        "CREATE TABLE src (k INT, v INT) WITH ('connector' = 'filesystem', "
        f"'path' = '{empty.as_uri()}', 'format' = 'csv', 'source.monitor-interval' = '1s');\n"
        f"{SINK};\n{INSERT};\n",
        extra=health,
    )
    project.write_job(
        "gen",
        "CREATE TABLE src (k INT, v INT) WITH ('connector' = 'datagen', "
        f"'rows-per-second' = '20');\n{SINK};\n{INSERT};\n",
        extra=health,
    )
    plan = project.run("plan")
    assert "records" in plan.stdout, plan.stdout  # the wait step says what it waits for
    done = project.apply()
    assert done.returncode == 1, done.stdout + done.stderr
    [idle] = project.history("idle")
    assert idle["outcome"] == "failed"
    assert "RUNNING but idle" in idle["message"] and "emitted 0 records" in idle["message"]
    assert project.active("idle") == []  # the abort cancelled it
    [gen] = project.history("gen")
    assert gen["outcome"] == "applied"
    assert "healthy: records flowing (Source: src" in gen["message"], gen
