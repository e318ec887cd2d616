"""Rehearsals on the real cluster (issue 24): one stateful job (a windowed aggregate
writing to a filesystem table) runs for the whole module, and each test plans a change
of it with ``--rehearse``: the state is restored from a savepoint of the live job into
the new SQL on the same cluster, with the filesystem sink replaced by a blackhole.

The new versions write to another directory than the live job (``NEW_OUT``), so a file
there can only be the rehearsal's: none may appear. The module's last test applies a
compatible change with ``apply --rehearse`` and reads the order of its steps from the
journal. The module runs on one worker (``tests/xdist_groups.py``).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flinkops.flink.live import read_live
from flinkops.flink.local import ClusterInfo
from flinkops.flink.rest import FlinkClient
from flinkops.flink.snapshots import CHECKPOINT_DIR_KEYS, local_path
from flinkops.workspace import open_workspace
from tests.integration._wait import wait_until
from tests.integration.conftest import deploy_managed

TARGET = "rehearse"
JOB = "windowed"
SQL = """\
CREATE TABLE src (k INT, v INT, pt AS PROCTIME()) WITH (
  'connector' = 'datagen', 'rows-per-second' = '20',
  'fields.k.min' = '1', 'fields.k.max' = '5', 'fields.v.min' = '1', 'fields.v.max' = '9'
);
CREATE TABLE out_table (k INT, total BIGINT{extra_col}, ws TIMESTAMP(3)) WITH (
  'connector' = 'filesystem', 'path' = '{out}', 'format' = 'csv'
);
INSERT INTO out_table
SELECT k, SUM(CAST(v AS BIGINT)){extra}, window_start
FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(pt), INTERVAL '1' SECOND))
WHERE v > {floor}
GROUP BY k, window_start, window_end;
"""


def job_sql(out: Path, *, floor: int = 1, count: bool = False) -> str:
    """The job; ``floor`` changes the filter before the aggregate (Flink restores it),
    ``count`` adds ``COUNT(*)`` to it (the accumulators change shape: Flink refuses)."""
    return SQL.format(
        out=f"file://{out}",
        floor=floor,
        extra=", COUNT(*)" if count else "",
        extra_col=", n BIGINT" if count else "",
    )


@dataclass
class Live:
    root: Path
    client: FlinkClient
    job_id: str
    new_out: Path

    def write(self, sql: str, parallelism: int = 1) -> None:
        body = "".join(f"    {line}\n" for line in sql.splitlines())
        (self.root / "jobs" / f"{JOB}.yaml").write_text(
            f"apiVersion: flinkops/v1\nkind: SqlJob\nmetadata:\n  name: {JOB}\n"
            f"spec:\n  state: running\n  parallelism: {parallelism}\n  sql: |\n{body}"
        )

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "flinkops", *args, "--project", str(self.root)],
            capture_output=True, text=True, timeout=240, check=False,
        )  # fmt: skip

    def plan(self, *args: str) -> tuple[subprocess.CompletedProcess[str], dict]:
        done = self.run("plan", "--rehearse", "--format", "json", *args)
        assert done.stdout, done.stderr
        return done, json.loads(done.stdout)

    def rehearsal_jobs(self) -> list[str]:
        """Rehearsal jobs still active on the cluster."""
        return [
            j.job_id
            for j in read_live(self.client, TARGET)
            if j.name.startswith(f"flinkops-rehearsal-{JOB}") and j.active
        ]


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory,
    flink_cluster: ClusterInfo,
    flink_client: FlinkClient,
) -> Iterator[Live]:
    root = tmp_path_factory.mktemp("rehearse")
    (root / "jobs").mkdir()
    (root / "flinkops.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: Project\n"
        f"defaultTarget: {TARGET}\ntargets:\n  {TARGET}:\n    url: {flink_cluster.url}\n"
        f"    savepointDir: file://{root}/savepoints\n"
        "    health: {window: 2s, timeout: 90s}\n"
    )
    state = Live(root, flink_client, "", root / "new-out")
    state.write(job_sql(root / "out"))
    started: list[str] = []
    try:
        with open_workspace(root, TARGET) as ws:
            spec = ws.spec(JOB)
            assert spec is not None
            state.job_id = deploy_managed(ws, spec, started)
        wait_until(
            lambda: flink_client.job(state.job_id).tasks_running,
            what=f"{state.job_id} runs every task",
        )
        yield state
    finally:
        for job in [*started, *state.rehearsal_jobs()]:
            with contextlib.suppress(Exception):
                flink_client.cancel(job)
        for job in read_live(flink_client, TARGET):
            if job.managed_name == JOB and job.active:
                with contextlib.suppress(Exception):
                    flink_client.cancel(job.job_id)


def test_compatible_change_restores_without_side_effects(live: Live) -> None:
    live.write(job_sql(live.new_out, floor=2))
    done, plan = live.plan()
    assert done.returncode == 2, done.stderr
    [change] = plan["changes"]
    rehearsal = change["rehearsal"]
    assert rehearsal["outcome"] == "restored", rehearsal
    assert any("WindowAggregate" in name for name in rehearsal["restored"]), rehearsal
    assert rehearsal["state_size"] > 0
    assert rehearsal["snapshot_kind"] == "savepoint"
    assert rehearsal["replaced"] == ["out_table (filesystem: replaced by blackhole)"]
    assert not rehearsal["kept"] and not Path(rehearsal["snapshot"].removeprefix("file:")).exists()
    ours = [j.job_id for j in read_live(live.client, TARGET) if j.managed_name == JOB and j.active]
    assert ours == [live.job_id]
    assert live.client.job(live.job_id).state == "RUNNING"
    assert not live.new_out.exists() or not any(live.new_out.rglob("*"))
    assert live.rehearsal_jobs() == []
    # the rehearsal job's checkpoints went with it (the cluster retains others' on cancel)
    conf = live.client.jobmanager_config()
    checkpoints = next(conf[k] for k in CHECKPOINT_DIR_KEYS if conf.get(k))
    left = local_path(checkpoints) / rehearsal["job_id"]
    assert not left.exists() or not any(left.glob("chk-*")), list(left.iterdir())


def test_count_added_is_refused_and_apply_will_not_run_it(live: Live) -> None:
    live.write(job_sql(live.new_out, count=True))
    out = live.root / "refused-plan.json"
    done, plan = live.plan("--out", str(out))
    assert done.returncode == 1, done.stderr
    [change] = plan["changes"]
    assert change["rehearsal"]["outcome"] == "refused", change["rehearsal"]
    assert "StateMigrationException" in change["rehearsal"]["root_cause"]
    assert change["state"] == "incompatible"
    assert change["state_reasons"][0].startswith("rehearsal: Flink refused the state")

    applied = live.run("apply", str(out), "--auto-approve")
    assert applied.returncode == 1, applied.stdout + applied.stderr
    assert "refusing to apply" in applied.stderr
    assert live.client.job(live.job_id).state == "RUNNING"

    # apply --rehearse without the plan file: its own plan finds the change at-risk (the
    # window aggregate's accumulators are not judged), and the rehearsal stops it
    applied = live.run("apply", "--rehearse", "--auto-approve")
    assert applied.returncode == 1, applied.stdout + applied.stderr
    assert "the rehearsal was refused" in applied.stdout + applied.stderr
    with open_workspace(live.root, TARGET) as ws:
        [transition] = ws.store.transitions(TARGET, JOB, limit=1)
    assert [s.step for s in transition.steps] == ["rehearse", "rehearse"]  # start, failed
    assert live.client.job(live.job_id).state == "RUNNING"
    assert live.rehearsal_jobs() == []


def test_rehearsal_past_its_timeout(live: Live) -> None:
    live.write(job_sql(live.new_out, floor=2))
    # the rehearsal checkpoints no earlier than a second after it starts: 1 s never suffices
    done, plan = live.plan("--rehearse-timeout", "1s")
    assert done.returncode == 2, done.stderr
    rehearsal = plan["changes"][0]["rehearsal"]
    assert rehearsal["outcome"] == "timeout", rehearsal
    assert rehearsal["reason"].startswith("waited 1s for "), rehearsal
    assert live.rehearsal_jobs() == []


def test_rehearsal_needing_more_slots_than_free_is_skipped(live: Live) -> None:
    total = live.client.overview().slots_total
    live.write(job_sql(live.new_out, floor=2), parallelism=total + 1)
    done, plan = live.plan()
    assert done.returncode == 2, done.stderr
    rehearsal = plan["changes"][0]["rehearsal"]
    assert rehearsal["outcome"] == "skipped", rehearsal
    assert f"needs {total + 1} task slots" in rehearsal["reason"]
    assert rehearsal["snapshot"] is None  # nothing was asked of the live job


def test_checkpoint_rehearsal_of_a_job_without_checkpoints_is_skipped(live: Live) -> None:
    live.write(job_sql(live.new_out, floor=2))
    done, plan = live.plan("--rehearse=checkpoint")
    assert done.returncode == 2, done.stderr
    rehearsal = plan["changes"][0]["rehearsal"]
    assert rehearsal["outcome"] == "skipped", rehearsal
    assert rehearsal["reason"].startswith("the running job has no retained checkpoint")


def test_apply_rehearses_before_it_stops_the_job(live: Live) -> None:
    live.write(job_sql(live.new_out, floor=2))
    done = live.run("apply", "--rehearse", "--auto-approve")
    assert done.returncode == 0, done.stdout + done.stderr
    with open_workspace(live.root, TARGET) as ws:
        [transition] = ws.store.transitions(TARGET, JOB, limit=1)
    order = [(s.step, str(s.phase)) for s in transition.steps]
    assert order.index(("rehearse", "end")) < order.index(("stop", "start")), order
    rehearsed = transition.last("rehearse", None)
    assert rehearsed is not None and rehearsed.data["rehearsal"]["outcome"] == "restored"
    assert live.rehearsal_jobs() == []
