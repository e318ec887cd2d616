"""The recordsFlowing health gate on the real cluster: datagen flows, a job whose
upstream directory stays empty runs idle, and apply reports it idle, not healthy."""

from __future__ import annotations

from pathlib import Path

from tests.integration.apply.conftest import Project

SINK = "CREATE TABLE snk (k INT, v INT) WITH ('connector' = 'blackhole')"
INSERT = "INSERT INTO snk SELECT k, v FROM src"


def test_apply_with_records_flowing_fails_an_idle_job_and_passes_datagen(
    project: Project, tmp_path: Path
) -> None:
    empty = tmp_path / "orders-not-written-yet"
    empty.mkdir()
    health = "  health: {window: 2s, timeout: 25s, recordsFlowing: true}\n"
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
    assert gen["outcome"] == "applied", gen
    assert "healthy: records flowing (Source: src" in gen["message"], gen
