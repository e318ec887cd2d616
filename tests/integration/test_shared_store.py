"""A version store a team shares: two checkouts of one project, one PostgreSQL store,
the real local Flink cluster, flinkops driven through its CLI as a CI runner would.

Each checkout is its own directory (an ephemeral runner's fresh clone) whose
flinkops.yaml says ``store: ${env:FLINKOPS_STORE_URL}``, as docs/gitops.md sets it
up; the URL, password included, comes from the environment (the repository secret).
The first scenario runs the steps of .github/workflows/apply.yml and plan.yml
themselves, with no state directory. Every command's output, every file a step
writes, and every row of the store's tables, is checked for the password.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flinkops.flink.live import read_live
from flinkops.flink.local import ClusterInfo, free_port
from flinkops.flink.rest import FlinkClient
from flinkops.plan.render import NO_CHANGES
from flinkops.store import Store
from tests.integration._workflows import run_step, workflow_steps
from tests.pgserver import PASSWORD, PgServer

JOB = "orders-agg"
SQL = """\
CREATE TABLE src (k INT, v INT) WITH (
  'connector' = 'datagen', 'rows-per-second' = '{rate}',
  'fields.k.min' = '1', 'fields.k.max' = '20', 'fields.v.min' = '1', 'fields.v.max' = '9'
);
CREATE TABLE snk (k INT, total BIGINT, PRIMARY KEY (k) NOT ENFORCED)
  WITH ('connector' = 'blackhole');
INSERT INTO snk SELECT k, SUM(CAST(v AS BIGINT)) FROM src GROUP BY k;
"""


@dataclass
class Checkout:
    """One clone of the project, and the flinkops CLI run in it (a subprocess)."""

    root: Path
    target: str
    store_url: str  # with the password, as the repository secret holds it

    def write_job(self, rate: int = 5, name: str = JOB) -> None:
        body = textwrap.indent(SQL.format(rate=rate), "    ")
        (self.root / "jobs" / f"{name}.yaml").write_text(
            "apiVersion: flinkops/v1\nkind: SqlJob\n"
            f"metadata:\n  name: {name}\nspec:\n  state: running\n  parallelism: 1\n"
            f"  upgradeMode: savepoint\n  sql: |\n{body}"
        )

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        venv_bin = str(Path(sys.executable).parent)  # where `flinkops` is installed
        return {
            **env,
            "PATH": f"{venv_bin}:{env.get('PATH', '/usr/bin:/bin')}",
            "FLINKOPS_STORE_URL": self.store_url,
            "NO_COLOR": "1",
            **extra,
        }

    def popen(self, *args: str, **env: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "flinkops", *args, "--project", str(self.root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env(**env),
        )

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        proc = self.popen(*args, **env)
        out, err = proc.communicate(timeout=240)
        return _checked(proc, out, err, args)

    def ok(self, *args: str, codes: tuple[int, ...] = (0,), **env: str) -> str:
        done = self.run(*args, **env)
        assert done.returncode in codes, f"{args}: {done.returncode}\n{done.stdout}{done.stderr}"
        return done.stdout

    def history(self) -> list[dict]:
        return json.loads(self.ok("history", JOB, "--format", "json"))

    def ci(self, workflow: str, *names: str) -> dict[str, str]:
        """Run the named steps of ``workflow`` as an ephemeral runner would (no state
        directory); return what they wrote to RUNNER_TEMP, by file name."""
        steps = workflow_steps(workflow)
        temp = self.root.parent / f"runner-temp-{self.root.name}"
        temp.mkdir(exist_ok=True)
        env = self.env(
            FLINKOPS_TARGET=self.target,
            FLINKOPS_STATE_DIR="",  # the repository variable of the SQLite alternative
            RUNNER_TEMP=str(temp),
            GITHUB_OUTPUT=str(temp / "github_output"),
            GITHUB_STEP_SUMMARY=str(temp / "step_summary"),
        )
        for name in names:
            done = run_step(steps[name], self.root, env, timeout=240)
            assert PASSWORD not in done.stdout + done.stderr, name
            assert done.returncode == 0, f"{name}: {done.stdout}{done.stderr}"
        written = {f.name: f.read_text() for f in temp.iterdir()}
        assert not any(PASSWORD in text for text in written.values())
        assert not (self.root / ".flinkops").exists()  # nothing kept on the runner
        return written


def _checked(
    proc: subprocess.Popen[str], out: str, err: str, args: tuple[str, ...]
) -> subprocess.CompletedProcess[str]:
    assert PASSWORD not in out + err, f"the store password leaked in `flinkops {args}`"
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _project_yaml(target: str, url: str) -> str:
    return (
        "apiVersion: flinkops/v1\nkind: Project\njobs: [jobs/]\n"
        "store: ${env:FLINKOPS_STORE_URL}\n"
        f"defaultTarget: {target}\n"
        f"targets:\n  {target}:\n    url: {url}\n    health: {{window: 1s, timeout: 90s}}\n"
    )


@dataclass
class Team:
    a: Checkout
    b: Checkout
    store_url: str  # with the password: for this test's own checks only
    pg_port: int
    client: FlinkClient

    def active(self) -> list:
        return [
            j for j in read_live(self.client, self.a.target) if j.managed_name == JOB and j.active
        ]

    def assert_store_holds_no_password(self) -> None:
        with Store(self.store_url) as s:
            for table in s.db.tables():
                with s.db.read("dump") as c:
                    rows = c.execute(f"SELECT * FROM {table}").fetchall()
                assert PASSWORD not in repr([tuple(r) for r in rows]), table


@pytest.fixture
def team(
    tmp_path: Path, flink_cluster: ClusterInfo, flink_client: FlinkClient, pg_server: PgServer
) -> Iterator[Team]:
    schema = pg_server.fresh_schema()
    target = f"shared-{schema[-8:]}"
    store_url = pg_server.url(schema)
    checkouts = []
    for name in ("a", "b"):
        root = tmp_path / name
        (root / "jobs").mkdir(parents=True)
        (root / "flinkops.yaml").write_text(_project_yaml(target, flink_cluster.url))
        checkouts.append(Checkout(root, target, store_url))
    yield Team(*checkouts, pg_server.url(schema), pg_server.port, flink_client)
    for job in read_live(flink_client, target):  # never leave a job of this test running
        if job.managed_name and job.active:
            with contextlib.suppress(Exception):
                flink_client.cancel(job.job_id)


def test_two_checkouts_one_store(team: Team) -> None:
    team.a.write_job()
    run = team.a.ci("apply.yml", "flinkops validate", "Version store", "flinkops apply", "Summary")
    result = json.loads(run["apply.json"])
    assert result["ok"] and [(r["job"], r["version"]) for r in result["results"]] == [(JOB, 1)]
    assert f"| {JOB} | create | done | 1 |" in run["step_summary"]
    [job] = team.active()

    team.b.write_job()  # the second clone has the same commit
    run = team.b.ci("plan.yml", "flinkops validate", "flinkops plan")
    assert "exitcode=0" in run["github_output"] and NO_CHANGES in run["plan.md"]
    plan = json.loads(team.b.ok("plan", "--format", "json"))
    [change] = plan["changes"]  # the second clone sees version 1, and nothing to do
    assert (change["action"], change["applied_version"]) == ("noop", 1), change
    assert NO_CHANGES in team.b.ok("plan")

    history_a, history_b = team.a.history(), team.b.history()
    assert history_a == history_b
    [v1] = history_b
    assert (v1["version"], v1["outcome"], v1["job_id"]) == (1, "applied", job.job_id)
    events = team.b.ok("events", JOB)
    assert "submitted version 1" in events
    info = json.loads(team.b.ok("store", "info", "--format", "json"))
    assert info["backend"] == "postgresql" and info["tables"]["versions"] == 1
    assert info["locks"] == []  # the apply released its lock
    team.assert_store_holds_no_password()

    # A database that is down: one line naming the host, exit 1, the cluster untouched.
    team.b.store_url = team.store_url.replace(f":{team.pg_port}/", f":{free_port()}/")
    team.b.write_job(rate=9)  # a change that apply would carry out
    failed = team.b.run("apply", "--auto-approve")
    assert failed.returncode == 1
    [line] = failed.stderr.strip().splitlines()
    assert "cannot connect to the version store at 127.0.0.1" in line and "Traceback" not in line
    assert [j.job_id for j in team.active()] == [job.job_id]


def test_two_applies_at_once_exactly_one_proceeds(team: Team) -> None:
    team.a.write_job()
    team.b.write_job()
    first = team.a.popen("apply", "--auto-approve", FLINKOPS_HOSTNAME="runner-a")
    second = team.b.popen("apply", "--auto-approve", FLINKOPS_HOSTNAME="runner-b")
    results = {}
    for name, proc in (("runner-a", first), ("runner-b", second)):
        out, err = proc.communicate(timeout=240)
        results[name] = _checked(proc, out, err, ("apply",))
    codes = sorted(r.returncode for r in results.values())
    assert codes == [0, 1], {n: (r.returncode, r.stderr) for n, r in results.items()}
    [winner] = [n for n, r in results.items() if r.returncode == 0]
    [loser] = [r for r in results.values() if r.returncode == 1]
    assert "locked by another apply" in loser.stderr and f"@{winner} pid " in loser.stderr, (
        loser.stderr
    )
    print(f"lock contention: {winner} applied; the other exited 1: {loser.stderr.strip()}")
    assert len(team.active()) == 1
    assert [v["version"] for v in team.a.history()] == [1]


def test_killed_apply_is_finished_from_the_other_checkout(team: Team) -> None:
    team.a.write_job(rate=5)
    team.a.ok("apply", "--auto-approve")
    [v1_job] = team.active()

    team.a.write_job(rate=7)
    crashed = team.a.run("apply", "--auto-approve", FLINKOPS_APPLY_CRASH_AT="submit:after")
    assert crashed.returncode == -9, crashed.stdout + crashed.stderr
    with Store(team.store_url) as s:
        [left] = s.open_transitions(team.a.target)
        savepoint = left.data("stop")["savepoint"]
        assert s.lock_holder(team.a.target) is not None  # the row stays; its session is gone

    team.b.write_job(rate=7)
    done = team.b.run("apply", "--auto-approve")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "recovered:" in done.stderr
    [v2_job] = team.active()  # the one submitted before the kill, not a duplicate
    assert v2_job.job_id != v1_job.job_id
    history = team.b.history()
    assert [(v["version"], v["outcome"]) for v in history] == [(1, "applied"), (2, "applied")]
    assert history[1]["restored_from"] == savepoint
    assert NO_CHANGES in team.a.ok("plan")
    team.assert_store_holds_no_password()


def test_sqlite_store_migrated_then_used(team: Team) -> None:
    pg_yaml = (team.a.root / "flinkops.yaml").read_text()
    pg_line = "store: ${env:FLINKOPS_STORE_URL}"
    (team.a.root / "flinkops.yaml").write_text(
        pg_yaml.replace(pg_line, "store: .flinkops/state.db")
    )
    team.a.write_job()
    team.a.ok("apply", "--auto-approve")
    before = team.a.history()

    to = pg_line.removeprefix("store: ")  # resolved from the environment by flinkops
    migrated = team.a.ok("store", "migrate", "--to", to, "--format", "json")
    report = json.loads(migrated)
    assert report["verified"] and report["tables"]["versions"] == 1
    assert report["tables"]["events"] >= 1 and report["tables"]["transitions"] == 1

    (team.a.root / "flinkops.yaml").write_text(pg_yaml)  # now on PostgreSQL
    assert team.a.history() == before
    team.a.write_job(rate=8)
    team.a.ok("apply", "--auto-approve")
    team.b.write_job(rate=8)
    history = team.b.history()
    assert [v["version"] for v in history] == [1, 2]
    assert history[0] == before[0]  # a history row is never changed
    assert report["tables"]["history"] == 1
    assert history[1]["restored_from"] == history[1]["savepoint"]
    assert len(team.active()) == 1
    team.assert_store_holds_no_password()
