"""The GitOps loop end to end on the real local cluster, driven by a real git repository:
commit v1 and apply, commit a compatible change and apply (restored from a savepoint),
`git revert` and apply (v1's spec back, restored from v2's savepoint, recorded with the
revert commit). Each step's markdown plan (the pull-request comment) is checked too.

This is what .github/workflows/plan.yml and apply.yml run on a pull request and on a
push to main; here the CLI runs in a subprocess exactly as a workflow step would.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flinkops.flink.local import ClusterInfo
from flinkops.flink.rest import FlinkClient
from flinkops.observe import read_live
from flinkops.render import NO_CHANGES

JOB = "orders-agg"
AUTHOR = "Ada Lovelace <ada@example.com>"
REVERTER = "Grace Hopper <grace@example.com>"

SQL = """\
CREATE TABLE src (k INT, v INT) WITH (
  'connector' = 'datagen',
  'rows-per-second' = '{rate}',
  'fields.k.min' = '1', 'fields.k.max' = '20', 'fields.v.min' = '1', 'fields.v.max' = '9'
);
CREATE TABLE snk (k INT, total BIGINT, PRIMARY KEY (k) NOT ENFORCED)
  WITH ('connector' = 'blackhole');
INSERT INTO snk SELECT k, SUM(CAST(v AS BIGINT)) FROM src GROUP BY k;
"""

SPEC = f"""\
apiVersion: flinkops/v1
kind: SqlJob
metadata:
  name: {JOB}
  labels: {{team: payments}}
spec:
  state: running
  parallelism: 1
  upgradeMode: savepoint
  sqlFile: {JOB}.sql
"""


@dataclass
class Repo:
    """A git repository holding a flinkops project whose target is the session cluster."""

    root: Path
    target: str
    client: FlinkClient

    def git(self, *args: str, author: str = AUTHOR) -> str:
        name, _, email = author.partition(" <")
        done = subprocess.run(
            ["git", "-c", f"user.name={name}", "-c", f"user.email={email.rstrip('>')}", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
        return done.stdout.strip()

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def flinkops(self, *args: str, expect: tuple[int, ...] = (0,)) -> str:
        """Run the CLI as a workflow step does: from the checkout, no --project."""
        done = subprocess.run(
            [sys.executable, "-m", "flinkops", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=240,
            env={**os.environ, "NO_COLOR": "1"},
            check=False,
        )
        assert done.returncode in expect, (
            f"flinkops {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
        )
        return done.stdout

    def plan_markdown(self) -> str:
        return self.flinkops("plan", "--format", "markdown", expect=(0, 2))

    def apply(self) -> dict:
        return json.loads(self.flinkops("apply", "--auto-approve", "--format", "json"))

    def history(self) -> list[dict]:
        return json.loads(self.flinkops("history", JOB, "--format", "json"))

    def running(self) -> list:
        return [
            j for j in read_live(self.client, self.target) if j.managed_name == JOB and j.active
        ]


@pytest.fixture
def repo(tmp_path: Path, flink_cluster: ClusterInfo, flink_client: FlinkClient) -> Iterator[Repo]:
    root = tmp_path / "specs-repo"
    (root / "jobs").mkdir(parents=True)
    target = f"gitops-{tmp_path.name[-10:].lower().replace('_', '-')}".strip("-")
    (root / "flinkops.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: Project\njobs: [jobs/]\n"
        f"defaultTarget: {target}\ntargets:\n  {target}:\n    url: {flink_cluster.url}\n"
        "    health: {window: 2s, timeout: 90s}\n"
    )
    (root / ".gitignore").write_text(".flinkops/\n")
    repo = Repo(root, target, flink_client)
    repo.git("init", "-q", "-b", "main")
    yield repo
    for job in read_live(flink_client, target):  # never leave a job of this test running
        if job.managed_name and job.active:
            with contextlib.suppress(Exception):
                flink_client.cancel(job.job_id)


def _row(markdown: str) -> str:
    """The summary-table row of the job in a markdown plan."""
    rows = [line for line in markdown.splitlines() if line.startswith("|") and f"`{JOB}`" in line]
    assert len(rows) == 1, markdown
    return rows[0]


def _restored(client: FlinkClient, job_id: str) -> str | None:
    restored = client.checkpoints(job_id).latest.restored
    return restored.external_path if restored else None


def test_commit_apply_change_apply_revert_apply(repo: Repo, flink_client: FlinkClient) -> None:
    # v1: a new job, merged.
    (repo.root / "jobs" / f"{JOB}.yaml").write_text(SPEC)
    (repo.root / "jobs" / f"{JOB}.sql").write_text(SQL.format(rate=5))
    sha1 = repo.commit("orders-agg: sum per key")
    repo.flinkops("validate")

    md = repo.plan_markdown()
    assert md.startswith(f"### flinkops plan · target `{repo.target}`")
    row = _row(md)
    assert "| create |" in row and "`+`" in row
    assert "**Plan: 1 to create.**" in md

    result = repo.apply()
    assert result["ok"] and [r["status"] for r in result["results"]] == ["done"]
    [v1_job] = repo.running()
    [v1] = repo.history()
    assert (v1["version"], v1["outcome"]) == (1, "applied")
    assert (v1["git_commit"], v1["git_author"]) == (sha1, AUTHOR)
    assert v1["job_id"] == v1_job.job_id

    # v2: a compatible change (a source option), only in the .sql file.
    (repo.root / "jobs" / f"{JOB}.sql").write_text(SQL.format(rate=8))
    sha2 = repo.commit("orders-agg: faster source")

    md = repo.plan_markdown()
    row = _row(md)
    assert "| update |" in row and "| preserved |" in row, row
    assert "```diff" in md and "<details>" in md  # the SQL diff, collapsed
    assert "-  'rows-per-second' = '5'," in md
    assert "+  'rows-per-second' = '8'," in md

    result = repo.apply()
    assert result["ok"], result
    [v2_job] = repo.running()
    assert v2_job.job_id != v1_job.job_id
    v1, v2 = repo.history()
    assert v1["savepoint"], v1  # the stop-with-savepoint of v1
    assert (v2["version"], v2["outcome"], v2["restored_from"]) == (2, "applied", v1["savepoint"])
    assert _restored(flink_client, v2_job.job_id) == v1["savepoint"]  # Flink's own word
    assert (v2["git_commit"], v2["git_author"]) == (sha2, AUTHOR)

    # Rollback by revert: the previous spec comes back through the same savepoint-safe update.
    repo.git("revert", "--no-edit", "HEAD", author=REVERTER)
    sha3 = repo.git("rev-parse", "HEAD")
    assert sha3 not in (sha1, sha2)

    md = repo.plan_markdown()
    row = _row(md)
    assert "| update |" in row and "| preserved |" in row, row
    assert "-  'rows-per-second' = '8'," in md
    assert "+  'rows-per-second' = '5'," in md

    result = repo.apply()
    assert result["ok"], result
    [v3_job] = repo.running()
    assert flink_client.job(v3_job.job_id).state == "RUNNING"
    v1, v2, v3 = repo.history()
    assert v3["version"] == 3 and v3["outcome"] == "applied"
    assert v3["spec_hash"] == v1["spec_hash"]  # exactly v1's spec runs again
    assert v2["savepoint"] and v3["restored_from"] == v2["savepoint"]
    assert _restored(flink_client, v3_job.job_id) == v2["savepoint"]
    assert (v3["git_commit"], v3["git_author"]) == (sha3, REVERTER)
    assert repo.git("rev-parse", "HEAD") == sha3

    # The cluster now matches main: the next pull request's plan says so.
    md = repo.plan_markdown()
    assert NO_CHANGES in md
    rows = [line.split() for line in repo.flinkops("history", JOB).splitlines()]
    by_version = {row[0]: row for row in rows if row and row[0].isdigit()}
    assert by_version["3"][4] == sha3[:10] and by_version["1"][4] == sha1[:10]  # COMMIT column
