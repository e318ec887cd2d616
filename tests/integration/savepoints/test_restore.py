"""`flinkops restore` on the real cluster: from a listed checkpoint, through apply's steps."""

from __future__ import annotations

import json
import subprocess
import time

from flinkops.flink.rest import FlinkClient
from tests.integration.savepoints.conftest import Project, stateful_sql

# Flink retains one completed checkpoint (the cluster's execution.checkpointing.num-retained;
# a job's own setting is ignored), so the listed one must stay the newest long enough.
CHECKPOINTS = "  flinkConfiguration:\n    execution.checkpointing.interval: 8s\n"


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _completed(client: FlinkClient, job_id: str, at_least: int) -> list:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done = [c for c in client.checkpoints(job_id).history if c.status == "COMPLETED"]
        if len(done) >= at_least:
            return done
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} has fewer than {at_least} completed checkpoints")


def test_restore_from_a_listed_checkpoint(project: Project, restored_from, tmp_path) -> None:
    project.write_job("agg", stateful_sql(rate=5), extra=CHECKPOINTS)
    _ok(project.apply())
    [v1] = project.active("agg")
    # What is not a snapshot is refused before anything stops.
    done = project.run("restore", "agg", "--from", (tmp_path / "nope").as_uri(), "--auto-approve")
    assert done.returncode == 1 and "no snapshot at" in done.stderr, done.stderr
    done = project.run("restore", "agg", "--from", "999999", "--auto-approve")
    assert done.returncode == 1 and "checkpoint 999999" in done.stderr, done.stderr
    assert [j.job_id for j in project.active("agg")] == [v1.job_id]
    # A completed checkpoint by its id, as `flinkops show` lists them.
    chosen = _completed(project.client, v1.job_id, 1)[0]
    assert chosen.external_path
    out = _ok(project.run("restore", "agg", "--from", str(chosen.id), "--auto-approve"))
    assert f"restore requested from checkpoint {chosen.id} of {v1.job_id}" in out
    assert "agg: restart done (version 2" in out
    [v2] = project.active("agg")
    assert v2.job_id != v1.job_id and v2.version == 2
    assert restored_from(v2.job_id) == chosen.external_path  # Flink's latest.restored
    history = project.history("agg")
    assert history[-1]["restored_from"] == chosen.external_path
    assert history[-1]["outcome"] == "applied"
    # the journal has the usual steps, and the plan is in sync again afterwards
    events = json.loads(_ok(project.run("events", "agg", "--format", "json")))
    assert any(e["step"] == "restart" and "restore requested" in e["message"] for e in events)
    assert project.run("plan").returncode == 0
