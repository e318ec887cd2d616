"""`flinkops import` on the real cluster: a job started outside flinkops (with Flink's own
CLI: `flink run` of a team's jar) is adopted where it runs (same job id, not restarted),
the next plan is a no-op, the first change is a savepoint update that restores its state;
SQL whose stateful operators differ is refused and nothing is written or recorded."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from flinkops.flink.live import read_live
from flinkops.workspace import open_workspace
from tests.integration.adopt.conftest import Project, stateful_sql


def _named(flink_name: str) -> str:
    return f"SET 'pipeline.name' = '{flink_name}';\n"


def _versions(project: Project, job: str) -> list:
    with open_workspace(project.root, project.target, allow_empty=True) as ws:
        return ws.store.versions(ws.target, job)


def _sql_file(project: Project, name: str, sql: str) -> Path:
    path = project.root / "sql" / f"{name}.sql"
    path.parent.mkdir(exist_ok=True)
    path.write_text(sql)
    return path


def test_import_adopts_the_running_job_then_updates_it_from_a_savepoint(
    project: Project,
    start_outside: Callable[..., str],
    wait_for_tasks: Callable[..., None],
    restored_from: Callable[[str], str | None],
) -> None:
    flink_name = f"legacy-{project.target}"
    (job_id,) = start_outside(_named(flink_name) + stateful_sql(rate=5), parallelism=2)
    wait_for_tasks(job_id)

    listed = project.run("import", "--list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    row = next(j for j in json.loads(listed.stdout)["unmanaged"] if j["job_id"] == job_id)
    assert row["name"] == flink_name and row["parallelism"] == 2
    assert row["configuration"] == {
        "execution.checkpointing.interval": "2s",
        "pipeline.global-job-parameters": "team:legacy",
    }
    assert any(op.startswith("GroupAggregate(groupBy=[k]") for op in row["operators"])

    sql = _sql_file(project, "agg", stateful_sql(rate=5))
    done = project.run("import", job_id, "--sql", str(sql), "--name", "agg", "--format", "json")
    assert done.returncode == 0, done.stderr
    adopted = json.loads(done.stdout)["adopted"][0]
    assert adopted["job_id"] == job_id and adopted["version"] == 1

    # The job was not touched: the same id runs, and no other job of the target appeared.
    assert project.client.job(job_id).state == "RUNNING"
    (v1,) = _versions(project, "agg")
    assert (v1.outcome, v1.job_id, v1.version) == ("adopted", job_id, 1)
    (row,) = project.history("agg")  # the adoption is the job's first history row
    assert (row["action"], row["outcome"], row["version"], row["job_id"]) == (
        "adopt", "adopted", 1, job_id,
    )  # fmt: skip
    spec_text = (project.root / "jobs" / "agg.yaml").read_text()
    assert "sqlFile: ../sql/agg.sql" in spec_text and "parallelism: 2" in spec_text

    # It is the managed job now (status), and the next plan has nothing to do.
    status = json.loads(project.run("status", "--format", "json").stdout)
    row = next(j for j in status["jobs"] if j["name"] == "agg")
    assert row["current"] == "RUNNING" and row["in_sync"] is True
    assert all(u["job_id"] != job_id for u in status["unmanaged"])
    plan = project.run("plan")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    shown = json.loads(project.run("show", "agg", "--format", "json").stdout)
    assert (shown["ownership"], shown["in_sync"], shown["live"]["job_id"]) == (
        "managed", True, job_id,
    )  # fmt: skip
    taken = project.run("savepoint", "agg", "--format", "json")  # found by its recorded id
    assert taken.returncode == 0, taken.stderr
    assert json.loads(taken.stdout)["job_id"] == job_id

    # A compatible change (parallelism) is a savepoint update like any other.
    spec = project.root / "jobs" / "agg.yaml"
    spec.write_text(spec_text.replace("parallelism: 2", "parallelism: 1"))
    applied = project.apply()
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "agg: update done (version 2" in applied.stdout
    v1, v2 = _versions(project, "agg")
    assert v1.savepoint and v2.restored_from == v1.savepoint and v2.outcome == "applied"
    assert v2.job_id != job_id and restored_from(v2.job_id or "") == v1.savepoint
    assert [(h["action"], h["version"]) for h in project.history("agg")] == [
        ("adopt", 1), ("update", 2),
    ]  # fmt: skip
    assert project.client.job(job_id).state == "FINISHED"  # stopped with its savepoint
    (run,) = [j for j in read_live(project.client, project.target) if j.active and j.managed_name]
    assert (run.job_id, run.managed_name, run.version) == (v2.job_id, "agg", 2)  # its identity
    assert project.run("plan").returncode == 0


def test_import_refuses_sql_whose_stateful_operators_differ(
    project: Project,
    start_outside: Callable[..., str],
    wait_for_tasks: Callable[..., None],
) -> None:
    good_name, bad_name = f"good-{project.target}", f"bad-{project.target}"
    # One `flink run` starts both: the same SQL, its INSERT run twice under two names.
    insert = stateful_sql(rate=3).rstrip().rstrip(";").rsplit(";", 1)[1]
    both = f"{_named(good_name)}{stateful_sql(rate=3)}{_named(bad_name)}{insert};"
    good, bad = start_outside(both, parallelism=1)
    wait_for_tasks(good)
    wait_for_tasks(bad)

    # One job by hand, with SQL that adds COUNT(*): refused, nothing written or recorded.
    wrong = _sql_file(project, "wrong", stateful_sql(rate=3, count=True))
    refused = project.run("import", bad, "--sql", str(wrong), "--name", "bad")
    assert refused.returncode == 1
    assert "GroupAggregate" in refused.stderr and "select list changed" in refused.stderr
    assert not (project.root / "jobs" / "bad.yaml").exists()
    assert _versions(project, "bad") == []
    assert project.client.job(bad).state == "RUNNING"

    # --all: the job with the right NAME.sql is adopted, the one with the wrong is refused.
    sql_dir = project.root / "legacy-sql"
    sql_dir.mkdir()
    (sql_dir / f"{good_name}.sql").write_text(stateful_sql(rate=3))
    (sql_dir / f"{bad_name}.sql").write_text(stateful_sql(rate=3, count=True))
    done = project.run("import", "--all", "--sql-dir", str(sql_dir), "--format", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert [a["job_id"] for a in result["adopted"]] == [good]
    assert [r["job_id"] for r in result["refused"]] == [bad]
    assert [v.outcome for v in _versions(project, good_name)] == ["adopted"]
    assert _versions(project, bad_name) == []
    assert not (project.root / "jobs" / f"{bad_name}.yaml").exists()
    assert {project.client.job(j).state for j in (good, bad)} == {"RUNNING"}
