"""A project on disk whose target is the session cluster, and a CLI runner in a subprocess
(a subprocess, so a test can kill -9 an apply)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flinkops.flink.live import read_live
from flinkops.flink.local import ClusterInfo
from flinkops.flink.rest import FlinkClient

STATEFUL_SQL = """\
CREATE TABLE src (k INT, v INT) WITH (
  'connector' = 'datagen', 'rows-per-second' = '{rate}',
  'fields.k.min' = '1', 'fields.k.max' = '20', 'fields.v.min' = '1', 'fields.v.max' = '9'
);
CREATE TABLE snk (k INT, total BIGINT{extra_col}, PRIMARY KEY (k) NOT ENFORCED)
  WITH ('connector' = 'blackhole');
INSERT INTO snk SELECT k, {select} FROM src GROUP BY k;
"""


def stateful_sql(rate: int = 5, count: bool = False) -> str:
    """The aggregate; with ``count``, ``MAX(..), COUNT(*)`` in place of ``SUM(..)``: Flink
    fails the restore (the accumulator row gains a field), and flinkops, which cannot be
    sure of that when calls are both added and removed, plans it at-risk, so apply tries
    it and rolls back."""
    select = "MAX(CAST(v AS BIGINT)), COUNT(*)" if count else "SUM(CAST(v AS BIGINT))"
    return STATEFUL_SQL.format(rate=rate, extra_col=", n BIGINT" if count else "", select=select)


@dataclass
class Project:
    root: Path
    target: str
    client: FlinkClient

    def write_job(self, name: str, sql: str, *, state: str = "running", extra: str = "") -> None:
        body = textwrap.indent(sql, "    ")
        (self.root / "jobs" / f"{name}.yaml").write_text(
            "apiVersion: flinkops/v1\nkind: SqlJob\n"
            f"metadata:\n  name: {name}\n"
            f"spec:\n  state: {state}\n  parallelism: 1\n{extra}  sql: |\n{body}"
        )

    def run(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 240
    ) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, **(env or {})}
        return subprocess.run(
            [sys.executable, "-m", "flinkops", *args, "--project", str(self.root)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=full_env,
            check=False,
        )

    def apply(
        self, *extra: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self.run("apply", "--auto-approve", *extra, env=env)

    def history(self, job: str) -> list[dict]:
        done = self.run("history", job, "--format", "json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def active(self, job: str) -> list:
        return [
            j for j in read_live(self.client, self.target) if j.managed_name == job and j.active
        ]


@pytest.fixture
def project(
    tmp_path: Path, flink_cluster: ClusterInfo, flink_client: FlinkClient
) -> Iterator[Project]:
    target = f"t{tmp_path.name[-12:].lower().replace('_', '-')}".strip("-")
    (tmp_path / "jobs").mkdir()
    (tmp_path / "flinkops.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: Project\n"
        f"defaultTarget: {target}\ntargets:\n  {target}:\n    url: {flink_cluster.url}\n"
        "    health: {window: 2s, timeout: 90s}\n"
    )
    proj = Project(tmp_path, target, flink_client)
    yield proj
    for job in read_live(flink_client, target):  # never leave a job of this test running
        if job.managed_name and job.active:
            with contextlib.suppress(Exception):
                flink_client.cancel(job.job_id)


@pytest.fixture
def restored_from(flink_client: FlinkClient) -> Callable[[str], str | None]:
    def get(job_id: str) -> str | None:
        restored = flink_client.checkpoints(job_id).latest.restored
        return restored.external_path if restored else None

    return get
