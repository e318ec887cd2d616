"""A job that fails after apply is blocked; a job the cluster fails is tried again.

On the real cluster: a job whose own code fails 20 s after a healthy start is blocked by
the next plan with Flink's root cause, and apply submits nothing (issue: each later plan
restarted it from empty state). A TaskManager killed (by PID) under a new version during
its health window rolls it back but records it infra-failed, and the next apply puts
the same spec in place (issue: the spec was blocked); with a restart strategy, Flink
moves the job to the other TaskManager and the version is applied.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flinkops.flink.live import read_live
from flinkops.flink.local import LocalCluster
from flinkops.flink.rest import FlinkClient
from tests.integration._taskmanagers import extra_taskmanager, kill_taskmanager_of
from tests.integration._wait import wait_until
from tests.integration.apply.conftest import Project
from tests.integration.conftest import local_cluster, wait_state

# Row 20 of a one-row-a-second sequence does not cast to INT: the job runs healthy for
# its 5 s window and fails about 20 s after it started (no restart strategy: FAILED).
FAILS_AT_ROW_20 = """\
CREATE TABLE src (id BIGINT) WITH (
  'connector' = 'datagen', 'rows-per-second' = '1',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '100000'
);
CREATE TABLE snk (v INT) WITH ('connector' = 'blackhole');
INSERT INTO snk SELECT CAST(CASE WHEN id = 20 THEN 'boom' ELSE CAST(id AS STRING) END AS INT)
FROM src;
"""
NO_RESTART = "  flinkConfiguration:\n    restart-strategy.type: none\n"

SIMPLE = """\
CREATE TABLE src (v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '{rate}');
CREATE TABLE snk (v INT) WITH ('connector' = 'blackhole');
INSERT INTO snk SELECT v FROM src;
"""


def _plan(project: Project, *extra: str) -> dict:
    done = project.run("plan", *extra, "--format", "json")
    assert done.returncode == 2, done.stdout + done.stderr
    return json.loads(done.stdout)


def _runs(project: Project, job: str) -> list:
    return [j for j in read_live(project.client, project.target) if j.managed_name == job]


def test_a_job_that_fails_after_apply_is_blocked_and_not_restarted(project: Project) -> None:
    project.write_job(
        "crashy", FAILS_AT_ROW_20, extra=NO_RESTART + "  health: {window: 5s, timeout: 90s}\n"
    )
    done = project.apply()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "crashy: create done (version 1" in done.stdout
    [run] = _runs(project, "crashy")
    wait_state(project.client, run.job_id, "FAILED", timeout=120)

    change = _plan(project)["changes"][0]
    assert change["action"] == "blocked", change
    blocked = change["blocked"]
    assert (blocked["version"], blocked["job_id"]) == (1, run.job_id)
    assert "boom" in blocked["root_cause"], blocked  # Flink's own root cause
    assert "failed after it was applied" in change["reason"]

    done = project.apply()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "crashy: blocked" in done.stdout and "boom" in done.stdout
    assert [r.job_id for r in _runs(project, "crashy")] == [run.job_id]  # nothing submitted

    retried = _plan(project, "--retry-failed")["changes"][0]
    assert retried["action"] == "restart", retried


# Row 6 of a one-row-a-second sequence does not cast: with no checkpoint, every restart
# reads the sequence from 1 again and fails at row 6 again, at least 5 s after its tasks
# run (a 2 s health window passes first).
FAILS_AT_ROW_6 = FAILS_AT_ROW_20.replace("id = 20", "id = 6")
RESTARTS = (
    "  flinkConfiguration:\n    restart-strategy.type: fixed-delay\n"
    "    restart-strategy.fixed-delay.attempts: '1000'\n"
    "    restart-strategy.fixed-delay.delay: 1 s\n"
)


def test_a_job_that_keeps_restarting_is_blocked_with_its_root_cause(project: Project) -> None:
    """A job in sync whose restart strategy keeps it restarting (never FAILED) is shown
    blocked once it failed RESTART_LOOP times of its own, and apply leaves it as it is."""
    from flinkops.plan.observe import RESTART_LOOP

    project.write_job(
        "loopy", FAILS_AT_ROW_6, extra=RESTARTS + "  health: {window: 2s, timeout: 90s}\n"
    )
    done = project.apply()
    assert done.returncode == 0, done.stdout + done.stderr
    [run] = _runs(project, "loopy")
    wait_until(
        lambda: len(project.client.exceptions(run.job_id).history) >= RESTART_LOOP,
        what=f"loopy to fail {RESTART_LOOP} times",
        timeout=180,
    )

    change = _plan(project)["changes"][0]
    assert change["action"] == "blocked", change
    assert "keeps restarting" in change["reason"], change
    assert change["blocked"]["restarts"] >= RESTART_LOOP
    assert "boom" in change["blocked"]["root_cause"], change["blocked"]

    done = project.apply()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "loopy: blocked" in done.stdout
    assert [r.job_id for r in _runs(project, "loopy")] == [run.job_id]  # nothing submitted


#: Flink's heartbeat every second instead of every 10 s (its timeout stays 50 s)
FAST_HEARTBEAT = {"heartbeat.interval": "1000"}


@pytest.fixture
def two_taskmanagers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LocalCluster, FlinkClient, dict[str, int]]]:
    """A cluster of its own (killing the session cluster's TaskManager would fail every
    other test) with two TaskManagers of one slot each; their PIDs by resource id. It
    heartbeats every second (`local up -D`), so Flink notices a killed TaskManager in
    seconds (two failed heartbeat RPCs) rather than in the default's ~20 s."""
    directory = tmp_path_factory.mktemp("flink-two-tms")
    with (
        local_cluster(directory, slots=1, session=request.session, conf=FAST_HEARTBEAT) as info,
        FlinkClient(info.url, timeout=30.0) as client,
    ):
        assert client.jobmanager_config().get("heartbeat.interval") == "1000"  # -D took
        cluster = LocalCluster(directory)
        with extra_taskmanager(cluster, client, "tm-b") as pid:
            state = json.loads(cluster.state_file.read_text())
            [first] = [tm.id for tm in client.taskmanagers() if tm.id != "tm-b"]
            yield cluster, client, {first: state["pids"]["taskmanager"], "tm-b": pid}


def _project(root: Path, url: str, client: FlinkClient) -> Project:
    (root / "jobs").mkdir()
    (root / "flinkops.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: Project\ndefaultTarget: tms\n"
        f"targets:\n  tms:\n    url: {url}\n    health: {{window: 3s, timeout: 120s}}\n"
    )
    return Project(root, "tms", client)


def _apply_killing_version(
    project: Project, client: FlinkClient, pids: dict[str, int], version: int
) -> tuple[subprocess.Popen[str], str]:
    """Run ``apply`` and SIGKILL the TaskManager of the job of ``version`` once all its
    tasks run (inside the health window); the finished apply and its output."""
    apply = subprocess.Popen(
        [sys.executable, "-m", "flinkops", "apply", "--auto-approve", "--project",
         str(project.root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ),
    )  # fmt: skip
    try:
        new = wait_until(
            lambda: next(
                (
                    j
                    for j in _runs(project, _job_of(project))
                    if j.version == version and client.job(j.job_id).tasks_running
                ),
                None,
            ),
            what=f"version {version} running every task",
            timeout=120,
        )
        kill_taskmanager_of(client, new.job_id, pids)
        out, _ = apply.communicate(timeout=300)
    finally:
        if apply.poll() is None:
            apply.kill()
            apply.wait()
    return apply, out


def _job_of(project: Project) -> str:
    """The one job of ``project``."""
    [path] = (project.root / "jobs").glob("*.yaml")
    return path.stem


# A cluster of its own, three applies and health windows longer than the few seconds
# Flink takes to notice a killed TaskManager: more than the suite's 300 s under load.
@pytest.mark.timeout(600)
def test_a_taskmanager_lost_in_the_health_window_is_retried_not_blocked(
    tmp_path: Path, two_taskmanagers
) -> None:
    _cluster, client, pids = two_taskmanagers
    project = _project(tmp_path, client.base_url, client)
    project.write_job("lossy", SIMPLE.format(rate=5), extra=NO_RESTART)
    done = project.apply()
    assert done.returncode == 0, done.stdout + done.stderr

    # Version 2 waits 15 s healthy; its TaskManager is killed once its tasks run.
    window = "  health: {window: 15s, timeout: 120s}\n"
    project.write_job("lossy", SIMPLE.format(rate=6), extra=NO_RESTART + window)
    apply, out = _apply_killing_version(project, client, pids, 2)
    assert apply.returncode == 1, out
    assert "rolled-back" in out and "the cluster failed version 2" in out, out
    history = project.history("lossy")
    rows = [(h["version"], h["action"], h["outcome"]) for h in history]
    assert rows == [
        (1, "create", "applied"),
        (2, "update", "infra-failed"),
        (1, "rollback", "applied"),  # the version that runs again
    ], history
    assert "no longer reachable" in history[1]["message"], history[1]
    assert [j.version for j in _runs(project, "lossy") if j.active] == [1]  # rolled back

    plan = _plan(project)
    change = plan["changes"][0]
    assert (change["action"], change["version"], change["blocked"]) == ("update", 3, None)
    assert any("the cluster failed version 2" in w for w in plan["warnings"]), plan["warnings"]

    done = project.apply()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "lossy: update done (version 3" in done.stdout


@pytest.mark.timeout(600)
def test_a_taskmanager_lost_in_the_health_window_is_left_to_flinks_restart_strategy(
    tmp_path: Path, two_taskmanagers
) -> None:
    """With a restart strategy Flink moves the new job to the other TaskManager; the
    health window starts again after that restart, and the version is applied."""
    _cluster, client, pids = two_taskmanagers
    project = _project(tmp_path, client.base_url, client)
    restarts = (
        "  flinkConfiguration:\n    restart-strategy.type: fixed-delay\n"
        "    restart-strategy.fixed-delay.attempts: '3'\n"
        "    restart-strategy.fixed-delay.delay: 1s\n"
    )
    project.write_job("mover", SIMPLE.format(rate=5), extra=restarts)
    done = project.apply()
    assert done.returncode == 0, done.stdout + done.stderr

    window = "  health: {window: 15s, timeout: 150s}\n"
    project.write_job("mover", SIMPLE.format(rate=6), extra=restarts + window)
    apply, out = _apply_killing_version(project, client, pids, 2)
    assert apply.returncode == 0, out
    assert "mover: update done (version 2" in out, out
    [v2] = [j for j in _runs(project, "mover") if j.active]
    assert v2.version == 2
    history = client.exceptions(v2.job_id).history
    assert history and "no longer reachable" in history[0].root_cause, history
    assert [h["outcome"] for h in project.history("mover")] == ["applied", "applied"]
