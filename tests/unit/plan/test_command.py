"""`flinkops plan`: exit codes, formats, the plan file, secrets and Flink's verdicts,
over a fake Flink REST API (``fake_flink``)."""

from __future__ import annotations

import json
import socket

import jsonschema
import pytest
from click.testing import CliRunner

import flinkops.workspace
from flinkops.cli import main as cli_main
from flinkops.flink.identity import JobIdentity
from flinkops.plan.observe import make_plan
from flinkops.spec import SCHEMA_DIR, load_project
from flinkops.store import Store
from tests.conftest import job_yaml
from tests.unit.plan.fakes import fake_flink, record_applied, run_plan, write_project

__all__ = ["fake_flink"]  # the fixture

PLAN_SCHEMA = SCHEMA_DIR / "plan.schema.json"

SECRET_SQL = """\
CREATE TABLE src (k INT, v INT) WITH (
  'connector' = 'datagen',
  'password' = 'inline-pass-778',
  'fields.v.kind' = '${{env:FLINKOPS_T_SEED}}'
);
CREATE TABLE snk (k INT, total INT) WITH (
  'connector' = 'filesystem', 'format' = 'csv', 'path' = '${{env:FLINKOPS_T_PATH}}'
);
INSERT INTO snk SELECT k, {agg}(v) FROM src GROUP BY k;
"""

READER_SQL = """\
CREATE TABLE totals (k INT, total INT) WITH (
  'connector' = 'filesystem', 'format' = 'csv', 'path' = '${env:FLINKOPS_T_PATH}'
);
CREATE TABLE out_t (k INT) WITH ('connector' = 'blackhole');
INSERT INTO out_t SELECT k FROM totals;
"""

SECRETS = {
    "FLINKOPS_T_SEED": "random-seed-secret-991",
    "FLINKOPS_T_PATH": "/data/s3cr3t-bucket-path",
    "FLINKOPS_T_KEY": "AKIA-super-secret-key",
}


def test_exit_code_2_when_there_are_changes(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    result = run_plan(project, "--no-compat")
    assert result.exit_code == 2, result.output
    assert "+ job-a" in result.output
    assert "Plan: 1 to create." in result.output


def test_exit_code_0_when_nothing_changes(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    (spec,) = load_project(project).jobs_for("local")
    record_applied(project, spec)
    fake_flink.add("job-a", "RUNNING", JobIdentity("job-a", 1, spec.spec_hash, "local"))
    fake_flink.add("adhoc", "RUNNING", None)
    result = run_plan(project, "--no-compat")
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("No changes. The cluster matches the specs.")
    assert "adhoc" in result.output  # listed as unmanaged


def test_a_job_of_another_target_is_unmanaged(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    (spec,) = load_project(project).jobs_for("local")
    fake_flink.add("job-a", "RUNNING", JobIdentity("job-a", 1, spec.spec_hash, "prod"))
    data = json.loads(run_plan(project, "--no-compat", "--format", "json").output)
    assert data["changes"][0]["action"] == "create"
    assert [j["name"] for j in data["unmanaged"]] == ["job-a"]


def test_unknown_job_name_is_an_error(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    result = run_plan(project, "--job", "nope")
    assert result.exit_code == 1
    assert "--job: no job named nope" in result.output


def test_unreachable_target_is_a_clear_error(tmp_path):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")}, url=f"http://127.0.0.1:{port}")
    result = run_plan(project)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert f"127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, AssertionError | KeyError | TypeError)


def test_json_and_plan_file_follow_the_schema(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a"), "b.yaml": job_yaml("job-b")})
    a, _ = load_project(project).jobs_for("local")
    failed = fake_flink.add("job-a", "FAILED", JobIdentity("job-a", 1, a.spec_hash, "local"))
    # apply records the job it submits: a plan reads a finished job the store knows
    record_applied(project, a, job_id=failed)
    out = tmp_path / "plan.json"
    result = run_plan(project, "--no-compat", "--format", "json", "--out", str(out))
    assert result.exit_code == 2
    data = json.loads(result.output)
    validator = jsonschema.Draft202012Validator(json.loads(PLAN_SCHEMA.read_text()))
    validator.validate(data)
    assert json.loads(out.read_text()) == data
    # job-a's applied version FAILED since (the fake lists no root cause): blocked
    assert [c["action"] for c in data["changes"]] == ["blocked", "create"]
    assert data["changes"][0]["blocked"]["job_id"] == "1".rjust(32, "0")


def test_secrets_never_appear_in_any_output(tmp_path, fake_flink, monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    job = job_yaml(
        "job-a",
        sql=SECRET_SQL.format(agg="SUM"),
        extra="flinkConfiguration:\n  s3.access-key: ${env:FLINKOPS_T_KEY}\n"
        "  fs.s3a.password: plain-config-pass-55\n",
    )
    project = write_project(tmp_path, {"a.yaml": job, "r.yaml": job_yaml("reader", sql=READER_SQL)})
    old = {s.name: s for s in load_project(project).jobs_for("local")}["job-a"]
    record_applied(project, old)
    fake_flink.add("job-a", "RUNNING", JobIdentity("job-a", 1, old.spec_hash, "local"))
    (project / "jobs" / "a.yaml").write_text(
        job.replace("SUM(v)", "MAX(v)").replace(
            "plain-config-pass-55", "plain-config-pass-55\n    parallelism.default: 2"
        )
    )
    secrets = [*SECRETS.values(), "inline-pass-778", "plain-config-pass-55"]
    outputs = {}
    for fmt in ("text", "markdown", "json"):
        out = tmp_path / f"plan-{fmt}.json"
        result = run_plan(project, "--no-compat", "--format", fmt, "--out", str(out))
        assert result.exit_code == 2, result.output
        outputs[fmt] = result.output
        outputs[f"file-{fmt}"] = out.read_text()
    data = json.loads(outputs["json"])
    change = next(c for c in data["changes"] if c["job"] == "job-a")
    # the outputs do carry the changed SQL, config and lineage, just not the secrets
    assert "+INSERT INTO snk SELECT k, MAX(v) FROM src GROUP BY k;" in change["sql_diff"]
    assert change["config_diff"] == ["flinkConfiguration[parallelism.default]: added '2'"]
    assert "```mermaid" in outputs["markdown"]
    assert change["downstream"] == ["reader"]
    for name, text in outputs.items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked into {name}"


def test_a_running_job_whose_identity_cannot_be_read_stops_the_plan(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    fake_flink.jobs.append(
        {"summary": {"jid": "e" * 32, "name": "job-a", "state": "RUNNING"}, "config": None}
    )
    fake_flink.hidden = {"e" * 32}
    result = run_plan(project, "--no-compat")
    assert result.exit_code == 1
    assert "cannot read the configuration of RUNNING job eeee" in result.output
    assert "Traceback" not in result.output


def test_a_stopped_job_whose_identity_cannot_be_read_is_unmanaged(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    fake_flink.jobs.append(
        {"summary": {"jid": "e" * 32, "name": "job-a", "state": "FINISHED"}, "config": None}
    )
    fake_flink.hidden = {"e" * 32}
    data = json.loads(run_plan(project, "--no-compat", "--format", "json").output)
    assert data["changes"][0]["action"] == "create"
    assert data["unmanaged"][0]["job_id"] == "e" * 32


def test_changed_sql_is_compiled_with_each_versions_configuration(tmp_path, fake_flink):
    old_job = job_yaml(
        "job-a", extra="flinkConfiguration:\n  table.exec.mini-batch.enabled: false\n"
    )
    project = write_project(tmp_path, {"a.yaml": old_job})
    (old,) = load_project(project).jobs_for("local")
    record_applied(project, old)
    fake_flink.add("job-a", "RUNNING", JobIdentity("job-a", 1, old.spec_hash, "local"))
    new_job = old_job.replace("SUM(v)", "MAX(v)").replace("enabled: false", "enabled: true")
    (project / "jobs" / "a.yaml").write_text(new_job)
    data = json.loads(run_plan(project, "--format", "json").output)
    (change,) = data["changes"]
    assert (change["action"], change["state"]) == ("update", "at-risk")
    assert change["state_reasons"] == [
        "GroupAggregate select list changed: SUM(v) -> MAX(v)",
    ]
    # Compiled in parallel: tell the two apart by their SQL, not by their order.
    (new,) = [c for c in fake_flink.compiled if "MAX(v)" in c["statements"][-1]]
    (old,) = [c for c in fake_flink.compiled if "SUM(v)" in c["statements"][-1]]
    assert len(fake_flink.compiled) == 2
    assert new["conf"]["table.exec.mini-batch.enabled"] == "true"
    assert old["conf"]["table.exec.mini-batch.enabled"] == "false"


def test_sql_flink_rejects_is_an_error_located_in_the_yaml(tmp_path, fake_flink):
    project = write_project(
        tmp_path,
        {
            "a.yaml": job_yaml("job-a"),
            "b.yaml": job_yaml("broken", sql="INSERT INTO nowhere SELECT 1;"),
        },
    )
    result = run_plan(project, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [c["action"] for c in data["changes"]] == ["rejected", "create"]
    assert data["warnings"] == []
    (error,) = data["errors"]
    # line 7 of b.yaml is "    INSERT INTO nowhere SELECT 1;": the table name at column 17
    assert error == {
        "job": "broken",
        "file": "jobs/b.yaml",
        "line": 7,
        "column": 17,
        "message": "SQL validation failed. Object 'nowhere' not found in: "
        "INSERT INTO nowhere SELECT 1",
    }
    assert data["changes"][0]["rejected"] == error
    assert data["changes"][0]["steps"] == []
    assert "/jars/" not in result.output


def test_no_compat_compiles_nothing(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    assert run_plan(project, "--no-compat").exit_code == 2
    assert fake_flink.compiled == []


def test_credentials_in_the_target_url_are_not_shown(tmp_path, fake_flink):
    url = "http://plan-user:url-pass-4711@flink.test:8081"
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")}, url=url)
    for fmt in ("text", "markdown", "json"):
        output = run_plan(project, "--format", fmt).output
        assert "url-pass-4711" not in output
    data = json.loads(run_plan(project, "--format", "json").output)
    assert data["url"] == "http://flink.test:8081"


def test_an_unwritable_plan_file_is_a_clear_error(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    result = run_plan(project, "--out", str(tmp_path / "no" / "such" / "dir" / "plan.json"))
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot write the plan file")


def test_flink_errors_quoting_a_secret_are_masked_in_the_plan(make_spec, fake_flink):
    spec = make_spec(
        "broken",
        sql="INSERT INTO nowhere SELECT 'tok-secret-123';",
        secrets=frozenset({"tok-secret-123"}),
    )
    client = flinkops.workspace.FlinkClient("http://flink.test:8081")
    with Store(":memory:") as store:
        plan = make_plan(client, store, target="local", url="http://flink.test:8081", specs=[spec])
    (error,) = plan.errors
    assert "Object 'nowhere' not found in: INSERT INTO nowhere SELECT '***'" in error.message
    assert "tok-secret-123" not in json.dumps(plan.to_json())


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("{not json", "Error: cannot read the plan file"),
        ('{"summary": {}}', "is not a plan file (no list of changes)"),
        ("[1, 2]", "is not a plan file (no list of changes)"),
    ],
)
def test_apply_of_a_file_that_is_no_plan_is_one_line(tmp_path, fake_flink, text, said):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    planfile = tmp_path / "plan.json"
    planfile.write_text(text)
    result = CliRunner().invoke(cli_main, ["apply", "--project", str(project), str(planfile)])
    assert result.exit_code == 1, result.output
    assert said in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_apply_of_an_unknown_job_is_refused_as_plan_refuses_it(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    args = ["--project", str(project), "--job", "nope"]
    planned = run_plan(project, "--job", "nope")
    applied = CliRunner().invoke(cli_main, ["apply", *args, "--auto-approve"])
    assert planned.exit_code == applied.exit_code == 1
    assert "--job: no job named nope" in applied.output
    assert applied.output == planned.output


def test_an_unknown_target_names_the_known_ones_at_the_targets_key(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    result = run_plan(project, "-t", "nosuch")
    assert result.exit_code == 1
    assert "flinkops.yaml:5:1: unknown target 'nosuch' (known: local)" in result.output
