"""Downtime of a parallelism change: in-place rescale against a savepoint update.

Run: ``.venv/bin/python bench/bench_rescale.py``. Starts a local cluster with the
adaptive scheduler (free port, temporary directory, stopped at the end), applies a
stateful datagen -> GROUP BY job at parallelism 1 with the real CLI, then:

- rescale: parallelism 1 -> 2 only, which plan makes a ``rescale`` (in place);
- savepoint update: parallelism 2 -> 3 with a configuration change too, which plan
  makes an ``update`` (stop with savepoint, submit from it).

Downtime is measured from outside, as a user sees it: a poller reads
``GET /jobs/overview`` every 50 ms during each apply and sums the time in which no
job of that name is RUNNING with all of its tasks RUNNING. One run of each; the
ratio rescale / update is the figure (goal: at most 0.5, with state kept).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from flinkops.flink.local import LocalCluster, free_port  # noqa: E402
from flinkops.flink.rest import FlinkClient  # noqa: E402

SQL = """\
CREATE TABLE src (k INT, v INT) WITH (
  'connector' = 'datagen', 'rows-per-second' = '200',
  'fields.k.min' = '1', 'fields.k.max' = '50', 'fields.v.min' = '1', 'fields.v.max' = '9'
);
CREATE TABLE snk (k INT, total BIGINT, PRIMARY KEY (k) NOT ENFORCED)
  WITH ('connector' = 'blackhole');
INSERT INTO snk SELECT k, SUM(CAST(v AS BIGINT)) FROM src GROUP BY k;
"""


def write_job(root: Path, parallelism: int, watermark_ms: int = 200) -> None:
    (root / "jobs" / "agg.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: SqlJob\nmetadata:\n  name: agg\nspec:\n"
        f"  parallelism: {parallelism}\n  flinkConfiguration:\n"
        "    execution.checkpointing.interval: 2s\n"
        f"    pipeline.auto-watermark-interval: {watermark_ms}ms\n"
        "  health: {window: 2s, timeout: 120s}\n"
        f"  sql: |\n{textwrap.indent(SQL, '    ')}"
    )


def flinkops(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flinkops", *args, "--project", str(root)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        check=False,
    )


class Downtime:
    """Sums the time in which no job named ``name`` runs all of its tasks."""

    def __init__(self, client: FlinkClient, name: str, poll: float = 0.05) -> None:
        self.client, self.name, self.poll = client, name, poll
        self.down = 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _processing(self) -> bool:
        return any(
            job.name == self.name
            and job.state == "RUNNING"
            and job.tasks.get("total", 0) > 0
            and job.tasks.get("running", 0) == job.tasks.get("total", 0)
            for job in self.client.jobs()
        )

    def _run(self) -> None:
        last = time.monotonic()
        while not self.stop.is_set():
            up = self._processing()
            now = time.monotonic()
            if not up:
                self.down += now - last
            last = now
            time.sleep(self.poll)

    def __enter__(self) -> Downtime:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def measured_apply(root: Path, client: FlinkClient) -> tuple[float, str, dict]:
    plan = json.loads(flinkops(root, "plan", "--format", "json").stdout)
    with Downtime(client, "agg") as down:
        done = flinkops(root, "apply", "--auto-approve")
    if done.returncode != 0:
        raise SystemExit(f"apply failed:\n{done.stdout}\n{done.stderr}")
    return down.down, plan["changes"][0]["action"], plan


def wait_checkpoint(client: FlinkClient) -> str:
    [job] = [j for j in client.jobs() if j.name == "agg" and j.state == "RUNNING"]
    deadline = time.monotonic() + 60
    while client.checkpoints(job.id).counts.get("completed", 0) < 1:
        if time.monotonic() > deadline:
            raise SystemExit("no checkpoint within 60 s")
        time.sleep(0.5)
    return job.id


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-rescale-") as tmp:
        root = Path(tmp) / "project"
        (root / "jobs").mkdir(parents=True)
        cluster = LocalCluster(Path(tmp) / "cluster")
        try:
            info = cluster.up(port=free_port(), slots=4, adaptive_scheduler=True, timeout=180)
            (root / "flinkops.yaml").write_text(
                "apiVersion: flinkops/v1\nkind: Project\ndefaultTarget: bench\n"
                f"targets:\n  bench:\n    url: {info.url}\n"
            )
            with FlinkClient(info.url, timeout=30) as client:
                write_job(root, 1)
                if flinkops(root, "apply", "--auto-approve").returncode != 0:
                    raise SystemExit("the first apply failed")
                before = wait_checkpoint(client)
                write_job(root, 2)
                rescale, action_r, _ = measured_apply(root, client)
                after = wait_checkpoint(client)
                write_job(root, 3, watermark_ms=250)
                update, action_u, _ = measured_apply(root, client)
        finally:
            cluster.down()
    print(
        f"rescale (plan action {action_r}, job id kept: {before == after}): "
        f"{rescale:.2f} s without all tasks running"
    )
    print(f"savepoint update (plan action {action_u}): {update:.2f} s without all tasks running")
    print(f"ratio rescale / savepoint update: {rescale / update:.2f} (goal <= 0.5)")


if __name__ == "__main__":
    main()
