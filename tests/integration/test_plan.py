"""`flinkops plan` against the session's real Flink cluster.

Each test plans for its own target name, so jobs other tests leave on the shared
cluster (another target in their identity) are unmanaged here and change nothing.
State compatibility comes from compiling both SQL versions with the cluster's
own planner (``jars/:id/plan``), as ``make_plan`` does.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from flinkops.cli import main as cli_main
from flinkops.flink.identity import JobIdentity
from flinkops.flink.live import read_live
from flinkops.flink.local import ClusterInfo
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import submit_sql
from flinkops.spec import SCHEMA_DIR, JobSpec, load_project
from flinkops.store import Store
from tests.conftest import version_record

SUM_SQL = """\
CREATE TABLE src (k INT, v BIGINT) WITH (
  'connector' = 'datagen', 'rows-per-second' = '10', 'fields.k.min' = '1', 'fields.k.max' = '5'
);
CREATE TABLE snk (k INT, total BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO snk SELECT k, SUM(v) FROM src WHERE v < 1000 GROUP BY k;
"""
PLAN_SCHEMA = jsonschema.Draft202012Validator(
    json.loads((SCHEMA_DIR / "plan.schema.json").read_text())
)
SUM_COUNT_SQL = SUM_SQL.replace("SUM(v) FROM", "SUM(v) + COUNT(*) FROM")
FILTER_SQL = SUM_SQL.replace("FROM src GROUP BY k", "FROM src WHERE v > 0 GROUP BY k")


def write_project(root: Path, target: str, url: str, jobs: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "flinkops.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: Project\njobs: [jobs/]\n"
        f"defaultTarget: {target}\ntargets:\n  {target}:\n    url: {url}\n"
        f"    savepointDir: file://{root / 'savepoints'}\n"
    )
    (root / "jobs").mkdir(exist_ok=True)
    for name, sql in jobs.items():
        (root / "jobs" / f"{name}.yaml").write_text(
            "apiVersion: flinkops/v1\nkind: SqlJob\n"
            f"metadata:\n  name: {name}\nspec:\n  parallelism: 1\n  sql: |\n"
            + textwrap.indent(sql, "    ")
        )
    return root


def spec_of(project: Path, target: str, name: str) -> JobSpec:
    return next(s for s in load_project(project).jobs_for(target) if s.name == name)


def plan_json(project: Path, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(
        cli_main, ["plan", "--project", str(project), "--format", "json", *args]
    )
    assert result.exit_code in (0, 1, 2), result.output
    data = json.loads(result.output)
    PLAN_SCHEMA.validate(data)  # every plan these tests read follows the schema
    return result.exit_code, data


def start_applied(
    client: FlinkClient, project: Path, target: str, name: str, submitted: list[str]
) -> str:
    """Submit the spec as apply would (identity carried) and record it as applied."""
    spec = spec_of(project, target, name)
    job_id = submit_sql(
        client,
        job_name=name,
        statements=spec.statements,
        identity=JobIdentity(name, 1, spec.spec_hash, target),
        parallelism=1,
    )
    submitted.append(job_id)
    with Store(load_project(project).store_location) as store:
        store.record_version(version_record(spec, target, job_id=job_id))
    return job_id


@pytest.fixture
def project_at(tmp_path: Path, flink_cluster: ClusterInfo) -> Callable[..., Path]:
    def make(target: str, jobs: dict[str, str]) -> Path:
        return write_project(tmp_path / "project", target, flink_cluster.url, jobs)

    return make


def test_create_plan_on_an_empty_target(project_at, runner_jar_id: str) -> None:
    project = project_at(
        "plan-create", {"totals": SUM_SQL, "broken": "INSERT INTO nowhere SELECT 1;"}
    )
    code, plan = plan_json(project)
    assert code == 1  # an error: Flink's own planner rejects the broken job's SQL
    assert [(c["job"], c["action"], c["state"]) for c in plan["changes"]] == [
        ("broken", "rejected", "none"),
        ("totals", "create", "none"),
    ]
    assert plan["flink_version"].startswith(("1.", "2."))
    assert plan["summary"] == {"create": 1, "rejected": 1}
    assert plan["warnings"] == []
    (error,) = plan["errors"]
    # "    INSERT INTO nowhere SELECT 1;" is line 8 of broken.yaml; Flink names no position
    # for a missing sink table, so the error is at the start of the statement
    assert (error["job"], error["file"], error["line"], error["column"]) == (
        "broken",
        "jobs/broken.yaml",
        8,
        5,
    )
    assert error["message"] == (
        "Cannot find table '`default_catalog`.`default_database`.`nowhere`' in any of the "
        "catalogs [default_catalog], nor as a temporary table."
    )
    text = CliRunner().invoke(cli_main, ["plan", "--project", str(project), "--job", "totals"])
    assert text.exit_code == 2
    assert "+ totals  create   state none  new job" in text.output
    assert "Plan: 1 to create." in text.output


def test_drift_after_the_job_is_cancelled_outside_flinkops(
    project_at,
    flink_client: FlinkClient,
    submitted_jobs: list[str],
    wait_for_state: Callable[..., str],
) -> None:
    project = project_at("plan-drift", {"totals": SUM_SQL})
    job_id = start_applied(flink_client, project, "plan-drift", "totals", submitted_jobs)
    wait_for_state(job_id, "RUNNING")
    code, plan = plan_json(project)
    assert code == 0
    assert plan["changes"][0]["action"] == "noop"
    assert plan["observed"]["totals"]["job_id"] == job_id

    flink_client.cancel(job_id)
    wait_for_state(job_id, "CANCELED")
    code, plan = plan_json(project)
    assert code == 2
    (change,) = plan["changes"]
    assert change["action"] == "restart"
    assert change["reason"] == "drift: desired running, but the job is CANCELED"
    assert change["state"] == "lost"  # no checkpoint or savepoint was ever taken
    assert change["live"]["job_id"] == job_id
    assert change["version"] == 2


def test_stateful_change_incompatible_and_filter_preserved(
    project_at,
    flink_client: FlinkClient,
    submitted_jobs: list[str],
    wait_for_state: Callable[..., str],
) -> None:
    project = project_at("plan-compat", {"totals": SUM_SQL})
    job_id = start_applied(flink_client, project, "plan-compat", "totals", submitted_jobs)
    wait_for_state(job_id, "RUNNING")
    spec_file = project / "jobs" / "totals.yaml"
    original = spec_file.read_text()

    spec_file.write_text(original.replace("SUM(v) FROM", "SUM(v) + COUNT(*) FROM"))
    code, plan = plan_json(project)
    assert code == 2
    (change,) = plan["changes"]
    assert (change["action"], change["state"]) == ("update", "incompatible")
    assert change["state_reasons"] == [
        "GroupAggregate aggregate calls added (COUNT(*)): its accumulators change shape and "
        "Flink will refuse to restore its state",
        "GroupAggregate select list changed: SUM(v) -> SUM(v), COUNT(*)",
    ]
    assert (
        "+INSERT INTO snk SELECT k, SUM(v) + COUNT(*) FROM src WHERE v < 1000 GROUP BY k;"
        in (change["sql_diff"])
    )

    # A filter narrowed on the aggregate's key keeps the graph's shape, so the operator
    # ids and the state map, and each key it keeps had all its rows counted before.
    spec_file.write_text(original.replace("WHERE v < 1000", "WHERE v < 1000 AND k > 0"))
    code, plan = plan_json(project)
    (change,) = plan["changes"]
    assert (change["action"], change["state"]) == ("update", "preserved")
    assert change["state_reasons"][:2] == [
        "restored from a savepoint",
        "stateful operators unchanged (GroupAggregate)",
    ]
    assert change["state_reasons"][2].startswith(
        "filter before GroupAggregate narrowed on its keys only: "
    )
    assert change["restore_from"] == "savepoint taken when stopping"

    md = CliRunner().invoke(cli_main, ["plan", "--project", str(project), "--format", "markdown"])
    assert md.exit_code == 2
    assert "| preserved | `~` | `totals` | update | v1 → v2 |" in md.output
    assert "```diff" in md.output


TOP_N = (
    "INSERT INTO snk SELECT k, v FROM (SELECT *, ROW_NUMBER() OVER "
    "(PARTITION BY k ORDER BY v DESC) AS rn FROM src) WHERE rn <= {n}"
)
MINI_BATCH = {
    "table.exec.mini-batch.enabled": "true",
    "table.exec.mini-batch.allow-latency": "1s",
    "table.exec.mini-batch.size": "100",
}


@pytest.mark.parametrize(
    ("old", "new", "conf", "impact", "reason"),
    [
        (
            TOP_N.format(n=3),
            TOP_N.format(n=5),
            {},
            "at-risk",
            "Rank rankRange changed: rankStart=1, rankEnd=3 -> rankStart=1, rankEnd=5 "
            "(the restored state holds only the old range's rows of each partition)",
        ),
        (
            "INSERT INTO snk SELECT k, SUM(v) FROM src GROUP BY k",
            "INSERT INTO snk SELECT k, SUM(v) FROM src GROUP BY k",
            MINI_BATCH,
            "incompatible",  # Flink refuses it: tests/integration/apply/test_verdict_levels.py
            "GlobalGroupAggregate added (1): its state starts empty",
        ),
        (
            "INSERT INTO snk SELECT k, SUM(v) FROM src WHERE v < 100 GROUP BY k",
            "INSERT INTO snk SELECT k, SUM(v) FROM src WHERE v < 100 AND k > 2 GROUP BY k",
            {},
            "preserved",
            "stateful operators unchanged (GroupAggregate)",
        ),
    ],
    ids=["top-n-range", "mini-batch-on", "filter-changed"],
)
def test_compat_of_real_graphs(
    flink_client: FlinkClient, runner_jar_id: str, old, new, conf, impact, reason
) -> None:
    from flinkops.flink.runner import compile_sql
    from flinkops.plan.compat import compare_graphs

    ddl = [
        "CREATE TABLE src (k INT, v BIGINT) WITH ('connector' = 'datagen')",
        "CREATE TABLE snk (k INT, v BIGINT) WITH ('connector' = 'blackhole')",
    ]
    before = compile_sql(flink_client, job_name="compat", statements=[*ddl, old])
    after = compile_sql(
        flink_client, job_name="compat", statements=[*ddl, new], flink_configuration=conf
    )
    verdict = compare_graphs(before, after)
    assert verdict.impact.value == impact
    assert reason in verdict.reasons


def test_plan_file_applied_then_noop_and_the_file_is_stale(
    project_at, flink_client: FlinkClient, submitted_jobs: list[str]
) -> None:
    project = project_at("plan-apply", {"totals": SUM_SQL})
    config = project / "flinkops.yaml"
    config.write_text(config.read_text() + "    health:\n      window: 1s\n")
    plan_file = project / "plan.json"
    runner = CliRunner()
    made = runner.invoke(cli_main, ["plan", "--project", str(project), "--out", str(plan_file)])
    assert made.exit_code == 2, made.output
    saved = json.loads(plan_file.read_text())
    (saved_change,) = saved["changes"]
    assert [s["kind"] for s in saved_change["steps"]] == ["submit", "wait", "record"]

    # Steps that are not what apply would run now make the file stale.
    edited = project / "edited.json"
    saved_change["steps"][1]["window"] = 99
    edited.write_text(json.dumps(saved))
    refused = runner.invoke(cli_main, ["apply", str(edited), "--project", str(project)])
    assert refused.exit_code == 1
    assert "totals: the plan's steps are not what apply would run now" in refused.output
    assert not [j for j in read_live(flink_client, "plan-apply") if j.managed_name]  # none ran

    applied = runner.invoke(cli_main, ["apply", str(plan_file), "--project", str(project)])
    live = [j for j in flink_client.jobs() if j.name == "totals" and j.state == "RUNNING"]
    submitted_jobs.extend(j.id for j in live)
    assert applied.exit_code == 0, applied.output

    # The store and the journal hold what the plan file said: its version, its steps.
    (planned,) = json.loads(plan_file.read_text())["changes"]
    with Store(load_project(project).store_location) as store:
        [version] = store.versions("plan-apply", "totals")
        [transition] = store.transitions("plan-apply", "totals")
    assert version.version == planned["version"] == 1 and version.outcome == "applied"
    assert transition.plan["steps"] == planned["steps"]
    ran = [e.step for e in transition.steps if e.phase == "end"]
    assert ran == [s["name"] for s in planned["steps"]]

    code, plan = plan_json(project)
    assert code == 0
    (change,) = plan["changes"]
    assert change["action"] == "noop"
    assert change["live"]["version"] == 1
    text = runner.invoke(cli_main, ["plan", "--project", str(project)])
    assert text.exit_code == 0
    assert text.output.rstrip().endswith("No changes. The cluster matches the specs.")

    again = runner.invoke(cli_main, ["apply", str(plan_file), "--project", str(project)])
    assert again.exit_code == 1
    assert "stale" in again.output
