from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from flinkops.errors import SpecError
from flinkops.spec import inspect_project, load_project, parse_duration
from flinkops.spec._yaml import load_documents
from tests.conftest import PROJECT_YAML, REPO, job_yaml


def problems_of(root: Path, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_project(root, env=env or {})
    return [str(p) for p in info.value.problems]


def test_repo_examples_load() -> None:
    project = load_project(REPO, env={})
    names = sorted(j.name for j in project.jobs)
    assert names == ["clean-orders", "customer-revenue", "orders-per-minute", "top-orders"]
    clean = next(j for j in project.jobs if j.name == "clean-orders")
    assert clean.sql_path.name == "clean-orders.sql" and clean.sql_line == 1
    assert "INSERT INTO clean_orders" in clean.sql


def test_repo_examples_validate_with_plain_jsonschema() -> None:
    schemas = {
        kind: json.loads((REPO / "schemas" / f"{kind}.schema.json").read_text())
        for kind in ("job", "test")
    }
    for path in sorted((REPO / "jobs").glob("*.yaml")):
        schema = schemas["test" if path.name.endswith(".test.yaml") else "job"]
        for doc in yaml.safe_load_all(path.read_text()):
            jsonschema.Draft202012Validator(schema).validate(doc)
        assert path.read_text().startswith("# yaml-language-server: $schema=../schemas/")
    project_schema = json.loads((REPO / "schemas" / "project.schema.json").read_text())
    data = yaml.safe_load((REPO / "flinkops.yaml").read_text())
    jsonschema.Draft202012Validator(project_schema).validate(data)


def test_team_project_example_validates_with_its_targets_overrides_and_lineage() -> None:
    from flinkops.sql.lineage import project_lineage

    root = REPO / "examples" / "team-project"
    project = load_project(root, env={})  # the staging token is only needed on staging
    assert set(project.targets) == {"local", "staging"}
    assert {j.name: j.labels["team"] for j in project.jobs} == {
        "orders-enriched": "payments",
        "payments-deduplicated": "payments",
        "revenue-per-channel": "analytics",
        "shipping-times": "analytics",
    }
    enriched = next(j for j in project.jobs if j.name == "orders-enriched")
    assert enriched.sql_path.name == "orders-enriched.sql"
    staging = {j.name: j for j in project.jobs_for("staging")}
    assert staging["orders-enriched"].parallelism == 2
    assert (
        staging["orders-enriched"].flink_configuration["execution.checkpointing.interval"] == "30s"
    )
    assert project.unresolved["/targets/staging"]  # the secret, by reference
    edges = project_lineage([(j.name, j.sql) for j in project.jobs]).jobs
    assert [(e.from_job, e.to_job) for e in edges] == [("orders-enriched", "revenue-per-channel")]
    for path in sorted(root.rglob("*.yaml")):
        schema = "project" if path.name == "flinkops.yaml" else "job"
        schema = "test" if path.name.endswith(".test.yaml") else schema
        depth = len(path.relative_to(REPO).parts) - 1
        modeline = f"# yaml-language-server: $schema={'../' * depth}schemas/{schema}.schema.json"
        assert path.read_text().startswith(modeline), path


def test_inline_sql_lines_map_into_yaml(make_project) -> None:
    root = make_project({"jobs/a.yaml": "# comment\n" + job_yaml()})
    job = load_project(root, env={}).jobs[0]
    lines = (root / "jobs/a.yaml").read_text().splitlines()
    assert lines[job.sql_line - 1].strip().startswith("CREATE TABLE src")
    assert job.sql_col == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("key: [unclosed\n", "jobs/a.yaml:2:1: malformed YAML"),
        (job_yaml(extra="parallelism: two\n"), "jobs/a.yaml:6:16: 'two' is not of type 'integer'"),
        (
            job_yaml(extra="paralelism: 2\n"),
            "jobs/a.yaml:6:3: unknown key 'paralelism'; did you mean 'parallelism'?",
        ),
        (
            "apiVersion: flinkops/v1\nkind: SqlJob\nmetadata: {name: x}\nspec: {state: running}\n",
            "jobs/a.yaml:4:7: missing SQL: give sql (inline) or sqlFile (at /spec)",
        ),
        (
            job_yaml(extra="state: paused\n"),
            "'paused' is not one of: running, suspended, cancelled (at /spec/state)",
        ),
        (job_yaml(extra="targets: [staging]\n"), "unknown target 'staging'"),
        (job_yaml(extra="sqlFile: nope.sql\n"), "give either sql or sqlFile, not both"),
        (job_yaml(name="Bad_Name"), "bad job name 'Bad_Name'"),
        (job_yaml(extra="overrides: {prod: {sql: x}}\n"), "unknown key 'sql'"),
        (job_yaml(extra="state: running\nstate: suspended\n"), "duplicate key 'state'"),
    ],
)
def test_bad_specs_are_located(make_project, text: str, expected: str) -> None:
    root = make_project({"jobs/a.yaml": text})
    found = problems_of(root)
    assert any(expected in p for p in found), found


def test_duplicate_names_across_files(make_project) -> None:
    root = make_project({"jobs/a.yaml": job_yaml("same"), "jobs/b.yaml": job_yaml("same")})
    found = problems_of(root)
    assert any("duplicate job name 'same' (also in jobs/a.yaml:4:9)" in p for p in found), found
    assert found[0].startswith("jobs/b.yaml:4:9:")


def test_duplicate_name_points_at_the_name_line_of_a_later_document(make_project) -> None:
    """Issue 22: the first occurrence was located at line 1 of its file."""
    two = job_yaml("first") + "---\n" + job_yaml("same")
    root = make_project({"jobs/a.yaml": "# header\n" + two, "jobs/b.yaml": job_yaml("same")})
    lines = (root / "jobs/a.yaml").read_text().splitlines()
    name_line = lines.index("  name: same") + 1
    found = problems_of(root)
    assert f"(also in jobs/a.yaml:{name_line}:9)" in found[0], found


def test_every_problem_is_reported_not_just_the_first(make_project) -> None:
    root = make_project(
        {
            "jobs/a.yaml": job_yaml("a", extra="paralelism: 1\n"),
            "jobs/b.yaml": job_yaml("b", extra="upgradeMode: fast\n"),
        }
    )
    found = problems_of(root)
    assert len(found) == 2 and found[0].startswith("jobs/a.yaml") and found[1].startswith("jobs/b")


def test_sql_file_relative_to_spec(make_project) -> None:
    spec = job_yaml().split("  sql: |")[0] + "  sqlFile: ../sql/a.sql\n"
    root = make_project({"jobs/a.yaml": spec, "sql/a.sql": "INSERT INTO t SELECT 1;\n"})
    job = load_project(root, env={}).jobs[0]
    assert job.sql == "INSERT INTO t SELECT 1;\n" and job.sql_path == (root / "sql/a.sql")
    (root / "sql/a.sql").unlink()
    assert any("sqlFile '../sql/a.sql' not found" in p for p in problems_of(root))


def test_env_vars_resolve_and_are_secret(make_project) -> None:
    sql = (
        "CREATE TABLE t (a INT) WITH ('connector' = 'jdbc', 'password' = 'hunter2-in-sql', "
        "'url' = '${env:DB_URL}');\nINSERT INTO t SELECT 1;\n"
    )
    root = make_project(
        {
            "jobs/a.yaml": job_yaml(
                sql=sql, extra="flinkConfiguration: {s3.access-token: '${env:TOKEN}'}\n"
            )
        }
    )
    job = load_project(root, env={"TOKEN": "tok-123", "DB_URL": "jdbc:pg://db"}).jobs[0]
    assert job.flink_configuration["s3.access-token"] == "tok-123"
    assert {"tok-123", "jdbc:pg://db", "hunter2-in-sql"} <= job.secrets
    dumped = json.dumps(job.to_json())
    assert "tok-123" not in dumped and "hunter2-in-sql" not in dumped and "jdbc:pg" not in dumped


def test_unset_env_var_names_file_line_and_variable(make_project) -> None:
    root = make_project({"jobs/a.yaml": job_yaml(extra="savepointDir: '${env:SP_DIR}'\n")})
    found = problems_of(root)
    assert found == [
        "jobs/a.yaml:6:17: environment variable SP_DIR is not set "
        "(referenced as ${env:SP_DIR}) (at /spec/savepointDir)"
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x00\x01\x02binary", "not a text file"),
        (b"\xff\xfe bad", "not UTF-8 text"),
        (b"a: 1\n" * 300_000, "specs are limited to"),
    ],
)
def test_binary_and_huge_files(make_project, content: bytes, expected: str) -> None:
    root = make_project({"jobs/a.yaml": content})
    found = problems_of(root)
    assert any(expected in p for p in found), found


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("!!int abc", "bad value: 'abc' is not a valid !!int"),
        ("!!float nope", "bad value: 'nope' is not a valid !!float"),
        ("!!timestamp nope", "bad value: 'nope' is not a valid !!timestamp"),
        ("!!timestamp 2020-13-45", "bad value: '2020-13-45' is not a valid !!timestamp"),
        ("!!bool nope", "bad value: 'nope' is not a valid !!bool"),
        ("!!int ''", "bad value: '' is not a valid !!int"),
        ("!!float ''", "bad value: '' is not a valid !!float"),
    ],
)
def test_tagged_scalars_that_do_not_convert_are_located(
    make_project, value: str, expected: str
) -> None:
    _docs, problems = load_documents("x.yaml", f"a: 1\nx: {value}\n".encode())
    assert [str(p) for p in problems] == [f"x.yaml:2:4: {expected} (at /x)"]
    root = make_project({"jobs/a.yaml": job_yaml(extra=f"parallelism: {value}\n")})
    assert f"jobs/a.yaml:6:16: {expected} (at /spec/parallelism)" in problems_of(root)


def test_schema_errors_of_one_document_come_in_source_order(make_project) -> None:
    """jsonschema walks additionalProperties as a set: the order must not follow the hash seed."""
    labels = "{" + ", ".join(f"{k}: {i}" for i, k in enumerate("hgfedcba")) + "}"
    spec = job_yaml().replace("metadata:\n", f"metadata:\n  labels: {labels}\n")
    _project, problems = inspect_project(make_project({"jobs/a.yaml": spec}), env={})
    assert [(p.col, p.pointer) for p in problems] == [
        (15 + 6 * i, f"/metadata/labels/{k}") for i, k in enumerate("hgfedcba")
    ]


def test_overrides_per_target(make_project) -> None:
    root = make_project(
        {
            "jobs/a.yaml": job_yaml(
                extra=(
                    "parallelism: 1\nflinkConfiguration: {a: '1', b: '2'}\n"
                    "overrides:\n  prod: {parallelism: 8, flinkConfiguration: {b: '3'}}\n"
                )
            )
        }
    )
    project = load_project(root, env={})
    local = project.jobs_for("local")[0]
    prod = project.jobs_for("prod")[0]
    assert (local.parallelism, prod.parallelism) == (1, 8)
    assert prod.flink_configuration == {"a": "1", "b": "3"}
    assert prod.savepoint_dir == "s3://bucket/savepoints" and local.savepoint_dir is None
    assert local.spec_hash != prod.spec_hash and local.sql_hash == prod.sql_hash


def test_overridden_says_what_the_target_override_changed(make_project) -> None:
    root = make_project(
        {
            "jobs/a.yaml": job_yaml(
                extra=(
                    "parallelism: 1\nflinkConfiguration: {a: '1', b: '2'}\n"
                    "overrides:\n  prod: {parallelism: 8, upgradeMode: savepoint,\n"
                    "    flinkConfiguration: {a: '1', b: '3', c: x}}\n"
                )
            )
        }
    )
    project = load_project(root, env={})
    assert project.jobs_for("local")[0].overridden == {}
    # upgradeMode savepoint is the default: set again, not changed
    assert project.jobs_for("prod")[0].overridden == {
        "parallelism": 1,
        "flink_configuration": {"added": ["c"], "changed": ["b"]},
    }


def test_savepoint_policy_merges_project_job_and_target(make_project) -> None:
    project_yaml = PROJECT_YAML + "savepoints: {schedule: 1h, retain: {count: 5, maxAge: 7d}}\n"
    extra = (
        "savepoints: {retain: {count: 2}}\n"
        "overrides:\n  prod: {savepoints: {schedule: '0 3 * * *', retain: {maxAge: 2d}}}\n"
    )
    root = make_project({"jobs/a.yaml": job_yaml(extra=extra)}, project=project_yaml)
    project = load_project(root, env={})
    local = project.jobs_for("local")[0].savepoint_policy
    prod = project.jobs_for("prod")[0].savepoint_policy
    assert (local.schedule, local.retain.count, local.retain.max_age) == ("1h", 2, "7d")
    assert (prod.schedule, prod.retain.count, prod.retain.max_age_seconds) == (
        "0 3 * * *",
        2,
        2 * 86400,
    )
    plain = make_project({"jobs/a.yaml": job_yaml()})
    policy = load_project(plain, env={}).jobs_for("local")[0].savepoint_policy
    assert policy.schedule is None and policy.retain is None


@pytest.mark.parametrize(
    ("project_extra", "job_extra", "expected"),
    [
        (
            "",
            "savepoints: {schedule: '61 * * * *'}\n",
            "jobs/a.yaml:6:26: cron minute field '61' is out of range 0-59 "
            "(at /spec/savepoints/schedule)",
        ),
        (
            "",
            "overrides:\n  prod: {savepoints: {schedule: '* * * 0 *'}}\n",
            "cron month field '0' is out of range 1-12 "
            "(at /spec/overrides/prod/savepoints/schedule)",
        ),
        (
            "savepoints:\n  schedule: '* * * * mon'\n",
            "",
            "flinkops.yaml:12:13: cron day of week field 'mon' is not a number",
        ),
        ("", "savepoints: {retain: {count: 0}}\n", "jobs/a.yaml:6:32: 0 is less than the minimum"),
    ],
)
def test_bad_savepoint_schedules_are_located(
    make_project, project_extra: str, job_extra: str, expected: str
) -> None:
    root = make_project(
        {"jobs/a.yaml": job_yaml(extra=job_extra)}, project=PROJECT_YAML + project_extra
    )
    found = problems_of(root)
    assert any(expected in p for p in found), found


def test_hash_ignores_desired_state_but_not_sql(make_project) -> None:
    def hashes(extra: str, sql: str | None = None) -> tuple[str, str]:
        root = make_project({"jobs/a.yaml": job_yaml(extra=extra, **({"sql": sql} if sql else {}))})
        job = load_project(root, env={}).jobs[0]
        return job.spec_hash, job.sql_hash

    assert hashes("state: running\n") == hashes("state: suspended\n")
    assert hashes("")[1] != hashes("", sql="INSERT INTO snk SELECT 1, 2;\n")[1]


def test_durations() -> None:
    assert parse_duration("500ms") == 0.5 and parse_duration("2min") == 120
    assert parse_duration(3) == 3.0
    assert parse_duration("7d") == 7 * 86400 and parse_duration("1 day") == 86400
    with pytest.raises(ValueError):
        parse_duration("soon")


# ---- the JSON schema and the pydantic models agree -------------------------------------


def test_portable_form_keeps_env_refs_and_masks_literal_secrets(make_project) -> None:
    from flinkops.redact import MASK
    from flinkops.spec import resolve_env_refs

    sql = (
        "CREATE TABLE t (a INT) WITH ('connector' = 'jdbc', 'password' = 'lit-secret', "
        "'username' = '${env:DB_USER}');\nINSERT INTO t SELECT 1;\n"
    )
    root = make_project({"jobs/a.yaml": job_yaml(sql=sql)})
    job = load_project(root, env={"DB_USER": "alice-the-admin"}).jobs[0]
    stored = job.portable(job.sql)
    assert "${env:DB_USER}" in stored and "alice-the-admin" not in stored
    assert "lit-secret" not in stored and MASK in stored
    again = resolve_env_refs(stored, {"DB_USER": "alice-the-admin"})
    assert "'username' = 'alice-the-admin'" in again


def test_unknown_target_is_located_at_the_targets_key(make_project) -> None:
    """Issue 22: `plan -t nosuch` was located at flinkops.yaml:1:1."""
    root = make_project({"jobs/a.yaml": job_yaml()})
    line = PROJECT_YAML.splitlines().index("targets:") + 1
    with pytest.raises(SpecError) as info:
        load_project(root, env={}).target("nosuch")
    assert str(info.value) == (
        f"{root / 'flinkops.yaml'}:{line}:1: unknown target 'nosuch' (known: local, prod) "
        "(at /targets)"
    )


def test_compiled_plan_pin_per_spec_or_project(make_project) -> None:
    files = {
        "jobs/a.yaml": job_yaml("job-a"),
        "jobs/b.yaml": job_yaml("job-b", extra="compiledPlan: recompile\n"),
    }
    root = make_project(files, project=PROJECT_YAML + "compiledPlan: pin\n")
    project = load_project(root)
    pins = {s.name: s.pins_plan for s in project.jobs_for(project.target(None)[0])}
    assert pins == {"job-a": True, "job-b": False}  # the spec's own setting wins
    root = make_project({"jobs/a.yaml": job_yaml("job-a", extra="compiledPlan: pin\n")})
    project = load_project(root)  # no project default: jobs/b.yaml is still there
    pins = {s.name: s.pins_plan for s in project.jobs_for(project.target(None)[0])}
    assert pins == {"job-a": True, "job-b": False}
