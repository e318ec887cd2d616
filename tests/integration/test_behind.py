"""Two clones of one repository, one SQLite store, the real local Flink cluster, flinkops
driven through its CLI: a clone behind the cluster cannot undo a colleague's change.

Clone B sets ``parallelism: 2`` and applies it. Clone A, not pulled, plans: the job is
blocked, naming B's version, commit and author, with the diff that applying would make;
A's apply exits 1 and leaves B's job running; ``--allow-behind`` applies over it. Then A
suspends the job through a commit: history has the suspend with A's commit and author,
and now B is behind (its spec would resume the job) until it merges A's commits.
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

from flinkops.flink.live import LiveJob, read_live
from flinkops.flink.local import ClusterInfo
from flinkops.flink.rest import FlinkClient

JOB = "orders-agg"
ANN = "Ann Apply <ann@example.com>"
BO = "Bo Colleague <bo@example.com>"
SQL = """\
    CREATE TABLE src (k INT, v INT) WITH (
      'connector' = 'datagen', 'rows-per-second' = '5',
      'fields.k.min' = '1', 'fields.k.max' = '20', 'fields.v.min' = '1', 'fields.v.max' = '9'
    );
    CREATE TABLE snk (k INT, total BIGINT, PRIMARY KEY (k) NOT ENFORCED)
      WITH ('connector' = 'blackhole');
    INSERT INTO snk SELECT k, SUM(CAST(v AS BIGINT)) FROM src GROUP BY k;
"""


@dataclass
class Clone:
    """One clone of the project, and the flinkops CLI run in it (a subprocess)."""

    root: Path
    author: str

    def git(self, *args: str) -> str:
        name, _, email = self.author.partition(" <")
        done = subprocess.run(
            ["git", "-c", f"user.name={name}", "-c", f"user.email={email.rstrip('>')}", *args],
            cwd=self.root, capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
        return done.stdout.strip()

    def commit_job(self, message: str, *, parallelism: int = 1, state: str = "running") -> str:
        (self.root / "jobs" / f"{JOB}.yaml").write_text(
            f"apiVersion: flinkops/v1\nkind: SqlJob\nmetadata:\n  name: {JOB}\n"
            f"spec:\n  state: {state}\n  parallelism: {parallelism}\n"
            f"  upgradeMode: savepoint\n  sql: |\n{SQL}"
        )
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "flinkops", *args, "--project", str(self.root)],
            capture_output=True, text=True, timeout=240, check=False,
            env={**os.environ, "NO_COLOR": "1"},
        )  # fmt: skip

    def ok(self, *args: str, code: int = 0) -> str:
        done = self.run(*args)
        assert done.returncode == code, f"{args}: {done.returncode}\n{done.stdout}{done.stderr}"
        return done.stdout

    def history(self) -> list[dict]:
        return json.loads(self.ok("history", JOB, "--format", "json"))


@dataclass
class Team:
    a: Clone
    b: Clone
    target: str
    client: FlinkClient

    def active(self) -> list[LiveJob]:
        jobs = read_live(self.client, self.target)
        return [j for j in jobs if j.managed_name == JOB and j.active]


@pytest.fixture
def team(tmp_path: Path, flink_cluster: ClusterInfo, flink_client: FlinkClient) -> Iterator[Team]:
    target = f"behind-{tmp_path.name[-8:].lower().replace('_', '-')}".strip("-")
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    a = Clone(tmp_path / "a", ANN)
    subprocess.run(["git", "clone", "-q", str(origin), str(a.root)], check=True)
    (a.root / "jobs").mkdir()
    (a.root / "flinkops.yaml").write_text(  # one store both clones use: an absolute path
        "apiVersion: flinkops/v1\nkind: Project\njobs: [jobs/]\n"
        f"store: sqlite:///{tmp_path / 'shared' / 'state.db'}\n"
        f"defaultTarget: {target}\ntargets:\n  {target}:\n    url: {flink_cluster.url}\n"
        "    health: {window: 2s, timeout: 90s}\n"
    )
    b = Clone(tmp_path / "b", BO)
    yield Team(a, b, target, flink_client)
    for job in read_live(flink_client, target):  # never leave a job of this test running
        if job.managed_name and job.active:
            with contextlib.suppress(Exception):
                flink_client.cancel(job.job_id)


def test_a_clone_behind_the_cluster_cannot_undo_a_colleagues_change(team: Team) -> None:
    a, b = team.a, team.b
    first = a.commit_job("orders-agg at parallelism 1")
    a.git("push", "-q", "origin", "main")
    a.ok("apply", "--auto-approve")

    # B, up to date, sets parallelism 2 and applies it: version 2, from B's commit.
    subprocess.run(["git", "clone", "-q", a.git("remote", "get-url", "origin"), str(b.root)],
                   check=True)  # fmt: skip
    theirs = b.commit_job("orders-agg at parallelism 2", parallelism=2)
    b.git("push", "-q", "origin", "main")
    b.ok("apply", "--auto-approve")
    [v2] = team.active()
    assert v2.version == 2
    rows = len(a.history())

    # A has not pulled: its plan names B's version and commit, and would undo it.
    plan = json.loads(a.ok("plan", "--format", "json", code=2))
    [change] = plan["changes"]
    assert change["action"] == "blocked" and change["steps"] == [], change
    behind = change["behind"]
    assert (behind["version"], behind["action"], behind["commit"], behind["author"]) == (
        2, "update", theirs, BO,
    )  # fmt: skip
    assert "parallelism: 2 -> 1" in change["config_diff"]
    text = a.ok("plan", code=2)
    print(f"clone A's plan, behind B:\n{text}")
    assert f"version 2 (update) came from commit {theirs[:12]} by {BO}" in text, text
    assert "--allow-behind" in text

    # A's apply refuses the job (exit 1) and leaves it as B left it.
    refused = a.run("apply", "--auto-approve")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert f"{JOB}: blocked (version 2" in refused.stdout, refused.stdout
    print(f"clone A's apply, exit 1:\n{refused.stdout}")
    assert [j.job_id for j in team.active()] == [v2.job_id]
    assert len(a.history()) == rows  # nothing recorded

    # --allow-behind applies over it: version 3, from A's commit.
    a.ok("apply", "--auto-approve", "--allow-behind")
    [v3] = team.active()
    assert v3.version == 3 and v3.job_id != v2.job_id
    last = a.history()[-1]
    assert (last["version"], last["action"], last["git_commit"]) == (3, "update", first)

    # A suspends the job through a commit: a history row with that commit and author.
    suspend = a.commit_job("suspend orders-agg", state="suspended")
    a.ok("apply", "--auto-approve")
    assert team.active() == []
    history = a.history()
    row = history[-1]
    assert (row["version"], row["action"], row["outcome"]) == (3, "suspend", "suspended")
    assert (row["git_commit"], row["git_author"]) == (suspend, ANN)
    assert row["savepoint"] and row["job_id"] == v3.job_id
    assert [(h["version"], h["action"]) for h in history] == [
        (1, "create"), (2, "update"), (3, "update"), (3, "suspend"),
    ]  # fmt: skip
    shown = a.ok("history", JOB)
    print(f"history:\n{shown}")
    assert "suspend" in shown and suspend[:12] in shown and f"by {ANN}" in shown

    # Now B is behind: its spec would resume the job A suspended.
    plan = json.loads(b.ok("plan", "--format", "json", code=2))
    [change] = plan["changes"]
    assert change["action"] == "blocked"
    assert (change["behind"]["action"], change["behind"]["commit"]) == ("suspend", suspend)
    assert b.run("apply", "--auto-approve").returncode == 1
    assert team.active() == []

    # Once B has A's commits (a merge keeping A's spec), nothing is behind or to do.
    b.git("fetch", "-q", str(a.root), "main")
    b.git("merge", "-q", "-X", "theirs", "--no-edit", "FETCH_HEAD")
    plan = json.loads(b.ok("plan", "--format", "json"))
    [change] = plan["changes"]
    assert (change["action"], change["behind"]) == ("noop", None), change
