"""The GitOps loop end to end on the real local cluster, driven by a real git repository.

A pull request is planned by the steps of .github/workflows/plan.yml and a push to main
applied by the steps of apply.yml, their `run:` scripts executed with bash as a runner
would (fresh checkout each run, the version store kept in the runner's state directory,
the target's token from the environment): commit v1 and apply; a compatible change on a
branch, planned, merged and applied (restored from v1's savepoint); `git revert`, planned,
merged and applied (v1's spec back, restored from v2's savepoint, recorded with the
revert commit and its author). Each step's markdown plan (the PR comment) is checked.
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
from typing import Any

import pytest

from flinkops.flink.live import LiveJob, read_live
from flinkops.flink.local import ClusterInfo, free_port
from flinkops.flink.rest import FlinkClient
from flinkops.plan.render import NO_CHANGES
from tests.integration._workflows import run_step, workflow_steps

JOB = "orders-agg"
AUTHOR = "Ada Lovelace <ada@example.com>"
REVERTER = "Grace Hopper <grace@example.com>"
TOKEN = "tok-3f9a1c7e5b2d4680-planted"  # must never appear in any output

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
    """A git repository holding a flinkops project whose target is the session cluster,
    and a stand-in for the runner that executes the workflows' steps in it."""

    root: Path
    target: str
    client: FlinkClient | None
    runner: Path  # the runner's own disk: state directory, RUNNER_TEMP

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

    def env(self) -> dict[str, str]:
        venv_bin = str(Path(sys.executable).parent)  # where `flinkops` is installed
        return {
            **os.environ,
            "PATH": f"{venv_bin}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "FLINKOPS_TARGET": self.target,
            "FLINKOPS_STATE_DIR": str(self.runner / "state"),
            "FLINK_TOKEN": TOKEN,
            "NO_COLOR": "1",
        }

    def ci(self, workflow: str, *names: str) -> dict[str, str]:
        """Run the named steps of ``workflow`` as a fresh run would (the checkout cleaned
        of everything untracked); return the steps' outputs and what they wrote."""
        self.git("clean", "-ffdxq")
        temp = self.runner / "temp"
        temp.mkdir(parents=True, exist_ok=True)
        for f in temp.iterdir():
            f.unlink()
        out, summary = temp / "github_output", temp / "step_summary"
        env = {
            **self.env(),
            "RUNNER_TEMP": str(temp),
            "GITHUB_OUTPUT": str(out),
            "GITHUB_STEP_SUMMARY": str(summary),
        }
        steps = workflow_steps(workflow)
        logs = []
        for name in ("Use the runner's version store", *names):
            done = run_step(steps[name], self.root, env)
            logs.append(f"--- {name}: exit {done.returncode}\n{done.stdout}\n{done.stderr}")
            assert TOKEN not in done.stdout + done.stderr
            assert done.returncode == 0, "\n".join(logs)
        assert (self.root / ".flinkops").is_symlink()  # the store lives on the runner
        result = (
            dict(line.split("=", 1) for line in out.read_text().splitlines() if "=" in line)
            if out.exists()
            else {}
        )
        for f in temp.iterdir():
            text = f.read_text()
            assert TOKEN not in text, f.name
            result[f.name] = text
        return result

    def pull_request(self) -> str:
        """plan.yml on the checked-out branch: the markdown of the PR comment."""
        run = self.ci("plan.yml", "flinkops validate", "flinkops plan")
        assert run["exitcode"] in ("0", "2"), run
        return run["plan.md"]

    def merged(self) -> dict[str, Any]:
        """apply.yml on main: the apply result (the workflow's artifact)."""
        assert self.git("branch", "--show-current") == "main"
        run = self.ci("apply.yml", "flinkops validate", "flinkops apply", "Summary")
        assert f"target `{self.target}`" in run["step_summary"]
        return json.loads(run["apply.json"])

    def flinkops(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "flinkops", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
            env=self.env(),
            check=False,
        )
        assert done.returncode == 0, f"flinkops {' '.join(args)}: {done.stdout}{done.stderr}"
        assert TOKEN not in done.stdout + done.stderr
        return done.stdout

    def history(self) -> list[dict]:
        return json.loads(self.flinkops("history", JOB, "--format", "json"))

    def running(self) -> list:
        assert self.client is not None
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
        '    headers: {Authorization: "Bearer ${env:FLINK_TOKEN}"}\n'
        "    health: {window: 2s, timeout: 90s}\n"
    )
    (root / ".gitignore").write_text(".flinkops\n")
    repo = Repo(root, target, flink_client, tmp_path / "runner")
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


def _write_sql(root: Path, rate: int) -> None:
    (root / "jobs" / f"{JOB}.sql").write_text(SQL.format(rate=rate))


def _planned_create(repo: Repo) -> None:
    """The pull request's plan of the new job: one create."""
    md = repo.pull_request()
    assert md.startswith(f"### flinkops plan · target `{repo.target}`")
    row = _row(md)
    assert "| create |" in row and "`+`" in row
    assert "**Plan: 1 to create.**" in md


def _planned_rate_change(repo: Repo, old: int, new: int) -> str:
    """The pull request's plan of a rows-per-second change: a savepoint-safe update
    whose SQL diff shows the rate going from ``old`` to ``new``; its markdown."""
    md = repo.pull_request()
    row = _row(md)
    assert "| update |" in row and "| preserved |" in row, row
    assert f"-  'rows-per-second' = '{old}'," in md
    assert f"+  'rows-per-second' = '{new}'," in md
    return md


def _merge_and_apply(repo: Repo, *merge: str) -> None:
    """``git merge`` (with ``merge``'s options and branch) into main, then apply.yml."""
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", *merge)
    result = repo.merged()
    assert result["ok"], result


def _running_and_history(repo: Repo) -> tuple[LiveJob, list[dict]]:
    """The job's one running Flink job, and its version history."""
    [job] = repo.running()
    return job, repo.history()


def _check_restored_update(
    client: FlinkClient, job: LiveJob, previous: dict, record: dict, *, commit: str, author: str
) -> None:
    """``record``, the history row after ``previous``, applied and running as ``job``:
    restored from the savepoint it stopped ``previous`` with, with the spec's commit."""
    assert record["savepoint"], record  # the stop-with-savepoint of the previous one
    assert (record["version"], record["outcome"]) == (previous["version"] + 1, "applied")
    assert (record["action"], record["restored_from"]) == ("update", record["savepoint"])
    assert _restored(client, job.job_id) == record["savepoint"]  # Flink's own word
    assert (record["git_commit"], record["git_author"]) == (commit, author)


def test_commit_apply_change_apply_revert_apply(repo: Repo, flink_client: FlinkClient) -> None:
    # v1: a new job, merged to main.
    (repo.root / "jobs" / f"{JOB}.yaml").write_text(SPEC)
    _write_sql(repo.root, rate=5)
    sha1 = repo.commit("orders-agg: sum per key")

    _planned_create(repo)

    result = repo.merged()
    assert result["ok"] and [r["status"] for r in result["results"]] == ["done"]
    v1_job, [v1] = _running_and_history(repo)
    assert (v1["version"], v1["outcome"]) == (1, "applied")
    assert (v1["git_commit"], v1["git_author"]) == (sha1, AUTHOR)
    assert v1["job_id"] == v1_job.job_id

    # v2: a compatible change (a source option, only in the .sql file) on a branch.
    repo.git("checkout", "-q", "-b", "faster-source")
    _write_sql(repo.root, rate=8)
    sha2 = repo.commit("orders-agg: faster source")

    md = _planned_rate_change(repo, old=5, new=8)
    assert "```diff" in md and "<details>" in md  # the SQL diff, collapsed
    mermaid = md.split("```mermaid", 1)[1].split("```", 1)[0]  # lineage of the changed job
    assert JOB in mermaid and "src" in mermaid and "snk" in mermaid and "-->" in mermaid

    _merge_and_apply(repo, "--no-ff", "--no-edit", "faster-source")
    v2_job, (v1, v2) = _running_and_history(repo)
    assert v2_job.job_id != v1_job.job_id
    # the commit that changed the spec (the merge commit only joins histories)
    _check_restored_update(flink_client, v2_job, v1, v2, commit=sha2, author=AUTHOR)

    # Rollback by revert: the previous spec comes back through the savepoint-safe update.
    repo.git("checkout", "-q", "-b", "revert-faster-source")
    repo.git("revert", "--no-edit", "HEAD^2", author=REVERTER)
    sha3 = repo.git("rev-parse", "HEAD")
    assert sha3 not in (sha1, sha2)
    _planned_rate_change(repo, old=8, new=5)

    _merge_and_apply(repo, "--ff-only", "revert-faster-source")
    assert repo.git("rev-parse", "HEAD") == sha3
    v3_job, (v1, v2, v3) = _running_and_history(repo)
    assert flink_client.job(v3_job.job_id).state == "RUNNING"
    assert v3["spec_hash"] == v1["spec_hash"]  # exactly v1's spec runs again
    _check_restored_update(flink_client, v3_job, v2, v3, commit=sha3, author=REVERTER)

    # The cluster matches main now: the next pull request's plan says so.
    assert NO_CHANGES in repo.pull_request()
    rows = [line.split() for line in repo.flinkops("history", JOB).splitlines()]
    by_version = {row[1]: row for row in rows if row and row[0].isdigit()}
    assert by_version["v3"][5] == sha3[:12] and by_version["v1"][5] == sha1[:12]  # COMMIT
    # the store outlived every run's clean checkout: it is on the runner's disk
    assert (repo.runner / "state" / "state.db").is_file()


def test_plan_workflow_comments_a_failed_validate_or_plan(tmp_path: Path) -> None:
    """No cluster here: the workflow's comment then shows the error, and its run fails."""
    root = tmp_path / "specs-repo"
    (root / "jobs").mkdir(parents=True)
    (root / "flinkops.yaml").write_text(  # nothing listens on this port
        "apiVersion: flinkops/v1\nkind: Project\ndefaultTarget: prod\ntargets:\n"
        f"  prod:\n    url: http://127.0.0.1:{free_port()}\n"
        '    headers: {Authorization: "Bearer ${env:FLINK_TOKEN}"}\n'
    )
    (root / "jobs" / f"{JOB}.yaml").write_text(SPEC)
    (root / "jobs" / f"{JOB}.sql").write_text(SQL.format(rate=5).replace("SELECT", "SELEC"))
    repo = Repo(root, "prod", None, tmp_path / "runner")
    repo.git("init", "-q", "-b", "main")
    repo.commit("broken SQL")

    run = repo.ci("plan.yml", "flinkops validate")
    assert run["exitcode"] == "1"
    assert run["plan.md"].startswith("### flinkops validate failed")
    assert f"jobs/{JOB}.sql:" in run["plan.md"] and "SELEC" in run["plan.md"]

    _write_sql(root, rate=5)
    repo.commit("fixed SQL")
    run = repo.ci("plan.yml", "flinkops validate", "flinkops plan")
    assert run["exitcode"] == "1"  # the plan's: it cannot reach the cluster
    assert run["plan.md"].startswith("### flinkops plan · target `prod` failed")
    assert "Error:" in run["plan.md"] and "127.0.0.1" in run["plan.md"]


def test_plan_workflow_comments_the_errors_of_sql_flink_rejects(repo: Repo) -> None:
    """SQL the cluster's planner rejects passes validate; the plan exits 1 with its
    markdown, which the comment shows (the error at the .sql file's line), and the run
    fails."""
    (repo.root / "jobs" / f"{JOB}.yaml").write_text(SPEC)
    (repo.root / "jobs" / f"{JOB}.sql").write_text(
        SQL.format(rate=5).replace("SUM(CAST(v AS", "SUM(CAST(vv AS")
    )
    repo.commit("orders-agg: a typo")
    run = repo.ci("plan.yml", "flinkops validate", "flinkops plan")
    assert run["exitcode"] == "1"
    md = run["plan.md"]
    assert md.splitlines()[0] == f"### flinkops plan · target `{repo.target}`"  # the plan, kept
    line = SQL.splitlines().index(next(s for s in SQL.splitlines() if "SUM(CAST(v" in s)) + 1
    column = SQL.splitlines()[line - 1].index("v AS") + 1
    assert f"- `{JOB}` at `jobs/{JOB}.sql:{line}:{column}`: SQL validation failed." in md
    assert f"| **error** | `✗` | `{JOB}` | rejected |" in md
