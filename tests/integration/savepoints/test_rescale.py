"""Parallelism-only changes on the real cluster: rescaled in place with the adaptive
scheduler (same job id, state restored from its checkpoint), a savepoint update without,
and a plan file saved before a rescale refused as stale.

The adaptive cluster is shared by the session and every test here uses its one target,
so each test names its own job."""

from __future__ import annotations

import json
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from flinkops.flink.live import read_live
from flinkops.flink.local import ClusterInfo
from flinkops.flink.rest import FlinkClient
from tests.integration._wait import wait_until
from tests.integration.savepoints.conftest import Project, stateful_sql


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def write_job(project: Project, name: str, parallelism: int) -> None:
    (project.root / "jobs" / f"{name}.yaml").write_text(
        f"apiVersion: flinkops/v1\nkind: SqlJob\nmetadata:\n  name: {name}\nspec:\n"
        f"  parallelism: {parallelism}\n"
        "  flinkConfiguration: {execution.checkpointing.interval: 2s}\n"
        "  health: {window: 2s, timeout: 90s}\n"
        f"  sql: |\n{textwrap.indent(stateful_sql(rate=5), '    ')}"
    )


def _first_checkpoint(client: FlinkClient, job_id: str) -> None:
    wait_until(
        lambda: client.checkpoints(job_id).counts.get("completed", 0) >= 1,
        what=f"a completed checkpoint of {job_id}",
    )


@pytest.fixture
def adaptive_project(tmp_path: Path, adaptive_flink_cluster: ClusterInfo) -> Iterator[Project]:
    (tmp_path / "jobs").mkdir()
    (tmp_path / "flinkops.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: Project\ndefaultTarget: adaptive\n"
        f"targets:\n  adaptive:\n    url: {adaptive_flink_cluster.url}\n"
    )
    with FlinkClient(adaptive_flink_cluster.url, timeout=30) as client:
        project = Project(tmp_path, "adaptive", client)
        try:
            yield project
        finally:
            for job in read_live(client, project.target):
                if job.managed_name and job.active:
                    client.cancel(job.job_id)


def test_parallelism_change_rescales_in_place_with_the_adaptive_scheduler(
    adaptive_project: Project,
) -> None:
    project = adaptive_project
    write_job(project, "agg", 1)
    _ok(project.apply())
    [v1] = project.active("agg")
    _first_checkpoint(project.client, v1.job_id)

    write_job(project, "agg", 2)
    plan = json.loads(project.run("plan", "--format", "json").stdout)
    [change] = plan["changes"]
    assert (change["action"], change["state"], change["parallelism"]) == ("rescale", "preserved", 2)
    assert [s["kind"] for s in change["steps"]] == ["rescale", "wait", "record"]
    out = _ok(project.apply())
    assert "agg: rescale done (version 2" in out

    [v2] = project.active("agg")
    assert v2.job_id == v1.job_id  # the same job, rescaled in place
    details = project.client.job(v1.job_id)
    assert {v.parallelism for v in details.vertices} == {2}
    restored = project.client.checkpoints(v1.job_id).latest.restored
    assert restored is not None and not restored.is_savepoint  # its state, from a checkpoint
    last = project.history("agg")[-1]
    assert (last["version"], last["outcome"], last["job_id"]) == (2, "applied", v1.job_id)
    assert last["restored_from"] == restored.external_path
    assert project.run("plan").returncode == 0  # in sync: no rescale loop


def test_without_the_adaptive_scheduler_it_falls_back_to_a_savepoint_update(
    project: Project,
) -> None:
    write_job(project, "agg", 1)
    _ok(project.apply())
    [v1] = project.active("agg")
    write_job(project, "agg", 2)
    plan = json.loads(project.run("plan", "--format", "json").stdout)
    [change] = plan["changes"]
    assert change["action"] == "update" and change["steps"][0]["kind"] == "stop"
    assert (
        "not an in-place rescale: the cluster does not run the adaptive scheduler"
        in (change["reason"])
    )
    assert [s["kind"] for s in change["steps"]] == ["stop", "submit", "wait", "record"]
    assert change["live"]["job_id"] == v1.job_id  # (apply's tests run such updates)


def test_a_plan_saved_before_a_rescale_is_refused_as_stale(adaptive_project: Project) -> None:
    """The rescale keeps the job id and its state, and the spec is back to what the plan
    was saved with: only the store's versions moved, and that is enough to refuse it."""
    project, job = adaptive_project, "scaled"
    write_job(project, job, 1)
    _ok(project.apply())
    [v1] = project.active(job)
    _first_checkpoint(project.client, v1.job_id)

    write_job(project, job, 2)
    plan_file = project.root / "plan.json"
    assert project.run("plan", "--out", str(plan_file)).returncode == 2
    [saved] = json.loads(plan_file.read_text())["changes"]
    assert (saved["action"], saved["applied_version"], saved["version"]) == ("rescale", 1, 2)

    write_job(project, job, 3)  # meanwhile the job is rescaled to 3 through flinkops: v2
    assert f"{job}: rescale done (version 2" in _ok(project.apply())
    write_job(project, job, 2)  # and the spec is the one the plan was saved with again

    refused = project.run("apply", str(plan_file))
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert (
        f"Error: the plan is stale: {job}: applied version was 1, now 2; {job}: version to "
        "record was 2, now 3. Run `flinkops plan --out FILE` again."
    ) in refused.stderr
    [now] = project.active(job)  # the cluster is untouched: the same job, still at 3
    assert now.job_id == v1.job_id
    assert {v.parallelism for v in project.client.job(v1.job_id).vertices} == {3}
    assert [(v["version"], v["outcome"]) for v in project.history(job)] == [
        (1, "applied"),
        (2, "applied"),
    ]
