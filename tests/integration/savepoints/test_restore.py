"""`flinkops restore` on the real cluster: from a listed checkpoint, through apply's steps."""

from __future__ import annotations

import json
import subprocess
import time

from flinkops.errors import FlinkError
from flinkops.flink.models import CheckpointRef
from flinkops.flink.rest import FlinkClient
from tests.integration.savepoints.conftest import Project, stateful_sql

# Flink retains one completed checkpoint (the cluster's execution.checkpointing.num-retained;
# a job's own setting is ignored), so a periodic checkpoint would subsume the listed one
# whenever the run is slow. The job checkpoints only when asked: the interval and the minimum
# pause are an hour (Flink's first periodic checkpoint waits at least the minimum pause), and
# the test triggers the one checkpoint it restores with `POST /jobs/:id/checkpoints`, which
# the minimum pause does not hold back.
CHECKPOINTS = (
    "  flinkConfiguration:\n"
    "    execution.checkpointing.interval: 1h\n"
    "    execution.checkpointing.min-pause: 1h\n"
)


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _checkpoint_now(client: FlinkClient, job_id: str) -> CheckpointRef:
    """Trigger one checkpoint of ``job_id`` and wait until Flink lists it COMPLETED."""
    deadline = time.monotonic() + 90
    while True:  # the trigger is refused until every task runs
        try:
            client.trigger_checkpoint(job_id)
            break
        except FlinkError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    while time.monotonic() < deadline:
        done = [c for c in client.checkpoints(job_id).history if c.status == "COMPLETED"]
        if done:
            assert len(done) == 1, f"job {job_id} took a checkpoint nobody asked for: {done}"
            return done[0]
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} never completed the checkpoint it was asked for")


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
    chosen = _checkpoint_now(project.client, v1.job_id)
    assert chosen.external_path
    out = _ok(project.run("restore", "agg", "--from", str(chosen.id), "--auto-approve"))
    assert f"restore requested from checkpoint {chosen.id} of {v1.job_id}" in out
    assert "agg: restart done (version 2" in out
    [v2] = project.active("agg")
    assert v2.job_id != v1.job_id and v2.version == 2
    assert restored_from(v2.job_id) == chosen.external_path  # Flink's latest.restored
    history = project.history("agg")
    assert history[-1]["restored_from"] == chosen.external_path
    assert (history[-1]["action"], history[-1]["outcome"]) == ("restore", "applied")
    assert history[-1]["job_id"] == v2.job_id
    # the journal has the usual steps, and the plan is in sync again afterwards
    events = json.loads(_ok(project.run("events", "agg", "--format", "json")))
    assert any(e["step"] == "restart" and "restore requested" in e["message"] for e in events)
    assert project.run("plan").returncode == 0
