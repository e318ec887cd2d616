"""The SQL runner and FlinkClient against the session's real Flink cluster."""

from __future__ import annotations

import zipfile
from collections.abc import Callable

import pytest

from flinkops.errors import FlinkError
from flinkops.flink.identity import JobIdentity
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import (
    ENTRY_CLASS,
    compile_sql,
    ensure_runner_jar,
    runner_jar_name,
    submit_sql,
)
from tests.integration._wait import wait_until

DDL = [
    "CREATE TABLE src (k INT, v BIGINT) WITH ("
    "'connector' = 'datagen', 'rows-per-second' = '20',"
    " 'fields.k.min' = '1', 'fields.k.max' = '5')",
    "CREATE TABLE snk (k INT, n BIGINT, total BIGINT) WITH ('connector' = 'blackhole')",
]
AGG = [*DDL, "INSERT INTO snk SELECT k, COUNT(*), SUM(v) FROM src GROUP BY k"]


def _identity(version: int = 1) -> JobIdentity:
    return JobIdentity(name="orders-agg", version=version, spec_hash="h" * 12, target="local")


def _wait_restored(client: FlinkClient, job_id: str, timeout: float = 30.0):
    return wait_until(
        lambda: client.checkpoints(job_id).restored,
        what=f"job {job_id} reports a restore",
        timeout=timeout,
        interval=0.3,
    )


def test_submit_runs_with_identity_in_config(
    flink_client: FlinkClient,
    runner_jar_id: str,
    submitted_jobs: list[str],
    wait_for_state: Callable[..., str],
) -> None:
    job_id = submit_sql(
        flink_client,
        job_name="orders-agg",
        statements=AGG,
        identity=_identity(),
        parallelism=1,
        flink_configuration={"pipeline.global-job-parameters": "team:payments"},
    )
    submitted_jobs.append(job_id)
    assert wait_for_state(job_id, "RUNNING") == "RUNNING"

    config = flink_client.job_config(job_id)
    assert config.identity == _identity()
    assert config.user_config["team"] == "payments"  # the user's own parameter survives

    details = flink_client.job(job_id)
    assert details.name == "orders-agg"
    assert details.parallelism == 1
    assert any("GroupAggregate" in v.name for v in details.vertices)
    assert job_id in {j.id for j in flink_client.jobs()}

    flink_client.cancel(job_id)
    assert wait_for_state(job_id, "CANCELED") == "CANCELED"


def test_compile_returns_the_job_graph(flink_client: FlinkClient, runner_jar_id: str) -> None:
    graph = compile_sql(flink_client, job_name="compile-ok", statements=AGG, parallelism=2)
    descriptions = " ".join(n["description"] for n in graph["nodes"])
    assert "GroupAggregate(groupBy=[k]" in descriptions
    assert {n["parallelism"] for n in graph["nodes"]} == {2}
    assert not [j for j in flink_client.jobs() if j.name == "compile-ok"]  # nothing ran


def test_compile_reports_flinks_own_error(flink_client: FlinkClient, runner_jar_id: str) -> None:
    bad = [*DDL, "INSERT INTO nowhere SELECT k, COUNT(*), SUM(v) FROM src GROUP BY k"]
    with pytest.raises(FlinkError) as err:
        compile_sql(flink_client, job_name="compile-bad", statements=bad)
    message = str(err.value)
    assert "Cannot find table" in message and "nowhere" in message
    assert "compile-bad" in message
    assert "\tat " not in message  # the stack trace stays in flink_errors
    assert any("Cannot find table" in e for e in err.value.flink_errors)  # raw text kept


def test_both_statement_set_forms_make_one_job_with_two_sinks(
    flink_client: FlinkClient, runner_jar_id: str
) -> None:
    two = "CREATE TABLE snk2 (k INT, n BIGINT, total BIGINT) WITH ('connector' = 'blackhole')"
    ins1 = "INSERT INTO snk SELECT k, COUNT(*), SUM(v) FROM src GROUP BY k"
    ins2 = "INSERT INTO snk2 SELECT k, MAX(v), MIN(v) FROM src GROUP BY k"
    forms = [
        [*DDL, two, f"EXECUTE STATEMENT SET BEGIN\n{ins1};\n{ins2};\nEND"],
        [*DDL, two, "BEGIN STATEMENT SET", ins1, ins2, "END"],
    ]
    for statements in forms:
        graph = compile_sql(flink_client, job_name="two-sinks", statements=statements)
        text = " ".join(n["description"] for n in graph["nodes"])
        assert "snk[" in text and "snk2[" in text, text


def test_a_compiled_plan_is_the_job(
    flink_client: FlinkClient,
    runner_jar_id: str,
    submitted_jobs: list[str],
    wait_for_state: Callable[..., str],
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    """COMPILE PLAN writes the JSON plan, EXECUTE PLAN runs it as the job (FLIP-190)."""
    plan = tmp_path / "agg.json"
    compiled = [*DDL, f"COMPILE PLAN '{plan}' FOR {AGG[-1]}", f"EXECUTE PLAN '{plan}'"]
    job_id = submit_sql(
        flink_client, job_name="orders-agg", statements=compiled, identity=_identity(),
        parallelism=1,
    )  # fmt: skip
    submitted_jobs.append(job_id)
    assert wait_for_state(job_id, "RUNNING") == "RUNNING"
    assert (
        '"GroupAggregate"' in plan.read_text() or "stream-exec-group-aggregate" in plan.read_text()
    )
    with pytest.raises(FlinkError, match="cannot be mixed with INSERTs"):
        compile_sql(flink_client, job_name="two", statements=[*DDL, compiled[-1], AGG[-1]])


def test_set_statements_configure_the_planner(
    flink_client: FlinkClient, runner_jar_id: str
) -> None:
    for set_statement in (
        "SET 'table.exec.resource.default-parallelism' = '3'",
        "SET table.exec.resource.default-parallelism = 3",
    ):
        graph = compile_sql(flink_client, job_name="with-set", statements=[set_statement, *AGG])
        assert {n["parallelism"] for n in graph["nodes"]} == {3}, set_statement


def test_stop_with_savepoint_then_restore_from_it(
    flink_client: FlinkClient,
    runner_jar_id: str,
    submitted_jobs: list[str],
    wait_for_state: Callable[..., str],
    wait_for_tasks: Callable[..., None],
) -> None:
    first = submit_sql(
        flink_client, job_name="orders-agg", statements=AGG, identity=_identity(1), parallelism=1
    )
    submitted_jobs.append(first)
    wait_for_tasks(first)  # a savepoint needs every task running
    trigger = flink_client.stop_with_savepoint(first, None)
    progress: list[float] = []
    location = flink_client.wait_savepoint(first, trigger, timeout=60, on_progress=progress.append)
    assert "savepoint-" in location
    assert wait_for_state(first, "FINISHED") == "FINISHED"

    second = submit_sql(
        flink_client,
        job_name="orders-agg",
        statements=AGG,
        identity=_identity(2),
        parallelism=1,
        savepoint_path=location,
    )
    submitted_jobs.append(second)
    wait_for_state(second, "RUNNING")
    restored = _wait_restored(flink_client, second)
    assert restored.is_savepoint
    assert restored.external_path == location
    assert flink_client.job_config(second).identity == _identity(2)

    flink_client.cancel(second)
    assert wait_for_state(second, "CANCELED") == "CANCELED"


def test_failed_savepoint_raises_flinks_cause(
    flink_client: FlinkClient,
    runner_jar_id: str,
    submitted_jobs: list[str],
    wait_for_state: Callable[..., str],
    wait_for_tasks: Callable[..., None],
) -> None:
    job_id = submit_sql(
        flink_client, job_name="sp-fail", statements=AGG, identity=_identity(), parallelism=1
    )
    submitted_jobs.append(job_id)
    wait_for_tasks(job_id)
    trigger = flink_client.trigger_savepoint(job_id, "file:///proc/flinkops-cannot-write-here")
    with pytest.raises(FlinkError) as err:
        flink_client.wait_savepoint(job_id, trigger, timeout=60)
    assert "failed" in str(err.value)
    assert err.value.flink_errors  # Flink's stack trace is kept
    assert flink_client.job(job_id).state == "RUNNING"  # a failed savepoint leaves it running


def test_runtime_failure_shows_in_exceptions(
    flink_client: FlinkClient,
    runner_jar_id: str,
    submitted_jobs: list[str],
    wait_for_state: Callable[..., str],
) -> None:
    statements = [
        "CREATE TABLE words (s STRING) WITH ("
        "'connector' = 'datagen', 'rows-per-second' = '5', 'fields.s.length' = '6')",
        "CREATE TABLE nums (i INT) WITH ('connector' = 'blackhole')",
        "INSERT INTO nums SELECT CAST(s AS INT) FROM words",
    ]
    job_id = submit_sql(
        flink_client,
        job_name="bad-cast",
        statements=statements,
        identity=_identity(),
        flink_configuration={"restart-strategy.type": "none"},
    )
    submitted_jobs.append(job_id)
    assert wait_for_state(job_id, "FAILED", timeout=60) == "FAILED"
    exceptions = flink_client.exceptions(job_id)
    assert exceptions.history, "Flink reported no exception history"
    assert "NumberFormatException" in exceptions.root_cause
    assert "NumberFormatException" in (exceptions.root_exception or "")


def test_runner_jar_builds_without_flink_and_is_cached(tmp_path) -> None:  # type: ignore[no-untyped-def]
    jar = ensure_runner_jar(tmp_path)
    assert jar.name == runner_jar_name()
    with zipfile.ZipFile(jar) as zf:
        assert "flinkops/runner/SqlRunner.class" in zf.namelist()
        assert f"Main-Class: {ENTRY_CLASS}" in zf.read("META-INF/MANIFEST.MF").decode()
    mtime = jar.stat().st_mtime_ns
    assert ensure_runner_jar(tmp_path) == jar and jar.stat().st_mtime_ns == mtime
