"""status, show, savepoint, logs and diagnose against the session's real Flink cluster.

One project (target ``ops-it`` on the fixture cluster, target ``down`` on a
closed port) and one set of jobs for the module: running, suspended (stopped
with a savepoint, recorded so), cancelled, failing at runtime, and unmanaged.
Every job started here is cancelled at the end.
"""

from __future__ import annotations

import json
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from flinkops.cli import main
from flinkops.errors import FlinkError
from flinkops.flink.identity import JobIdentity
from flinkops.flink.local import ClusterInfo, free_port
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import build_run_body, submit_sql
from flinkops.workspace import open_workspace
from tests.integration._wait import wait_until
from tests.integration.conftest import deploy_managed, wait_state

TARGET = "ops-it"
TERMINAL = {"FAILED", "CANCELED", "FINISHED"}
SECRET = "hunter2-ops-it"

SRC = (
    "CREATE TABLE src (k INT, v BIGINT) WITH ('connector' = 'datagen', "
    "'rows-per-second' = '50', 'fields.k.min' = '1', 'fields.k.max' = '5');\n"
)
SUM_SQL = (
    SRC + "CREATE TABLE snk (k INT, total BIGINT) WITH ('connector' = 'blackhole');\n"
    "INSERT INTO snk SELECT k, SUM(v) FROM src GROUP BY k;\n"
)
SUM_COUNT = [
    SRC.rstrip(";\n"),
    "CREATE TABLE snk (k INT, total BIGINT, n BIGINT) WITH ('connector' = 'blackhole')",
    "INSERT INTO snk SELECT k, SUM(v), COUNT(*) FROM src GROUP BY k",
]
BAD_CAST_SQL = (
    "CREATE TABLE words (s STRING) WITH ('connector' = 'datagen', "
    "'rows-per-second' = '5', 'fields.s.length' = '6');\n"
    "CREATE TABLE nums (i INT) WITH ('connector' = 'blackhole');\n"
    "INSERT INTO nums SELECT CAST(s AS INT) FROM words;\n"
)


def _job(name: str, sql: str, state: str = "running", conf: dict[str, str] | None = None) -> str:
    conf = conf or {"pipeline.auto-watermark-interval": "200ms"}
    conf_lines = "".join(f"    {k}: {json.dumps(v)}\n" for k, v in conf.items())
    return (
        f"apiVersion: flinkops/v1\nkind: SqlJob\nmetadata:\n  name: {name}\n"
        f"  labels: {{suite: ops}}\nspec:\n  state: {state}\n  parallelism: 1\n"
        f"  flinkConfiguration:\n{conf_lines}"
        f"  sql: |\n{textwrap.indent(sql, '    ')}"
    )


@dataclass
class Jobs:
    root: Path
    ids: dict[str, str]
    savepoint: str


def _stop_with_savepoint(client: FlinkClient, job_id: str) -> str:
    def stopped() -> str | None:
        try:  # a savepoint needs every task RUNNING, which lags the job's state a little
            return client.wait_savepoint(job_id, client.stop_with_savepoint(job_id, None), 60)
        except FlinkError:
            return None

    location = wait_until(stopped, what=f"stop-with-savepoint of {job_id}", interval=1)
    wait_state(client, job_id, "FINISHED")
    return location


@pytest.fixture(scope="module")
def jobs(
    flink_cluster: ClusterInfo,
    flink_client: FlinkClient,
    runner_jar_id: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Jobs]:
    root = tmp_path_factory.mktemp("ops-project")
    (root / "flinkops.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: Project\njobs: [jobs/]\nstore: .flinkops/state.db\n"
        f"defaultTarget: {TARGET}\ntargets:\n"
        f"  {TARGET}:\n    url: {flink_cluster.url}\n"
        f"  down:\n    url: http://127.0.0.1:{free_port()}\n"
    )
    jobs_dir = root / "jobs"
    jobs_dir.mkdir()
    conf = {"execution.checkpointing.interval": "2s", "custom.password": SECRET}
    files = {
        "live": _job("live", SUM_SQL, conf=conf),
        "paused": _job("paused", SUM_SQL, state="suspended"),
        "stopped": _job("stopped", SUM_SQL, state="cancelled"),
        "failing": _job("failing", BAD_CAST_SQL, conf={"restart-strategy.type": "none"}),
        "evolving": _job("evolving", SUM_SQL, conf={"restart-strategy.type": "none"}),
    }
    for name, text in files.items():
        (jobs_dir / f"{name}.yaml").write_text(text)
    started: list[str] = []
    ws = open_workspace(root, TARGET)
    try:
        ids = {name: deploy_managed(ws, ws.spec(name), started) for name in files}
        unmanaged = flink_client.run_jar(
            runner_jar_id,
            build_run_body(job_name="adhoc-unmanaged", statements=SUM_COUNT, parallelism=1),
        )
        started.append(unmanaged)
        ids["unmanaged"] = unmanaged
        for name in ("live", "paused", "stopped", "evolving"):
            wait_state(flink_client, ids[name], "RUNNING")
        location = _stop_with_savepoint(flink_client, ids["paused"])
        ws.store.update_version(TARGET, "paused", 1, outcome="suspended", savepoint=location)
        ws.store.record_savepoint(
            TARGET, "paused", location, kind="suspend", job_id=ids["paused"], version=1
        )
        flink_client.cancel(ids["stopped"])
        wait_state(flink_client, ids["stopped"], "CANCELED")
        ws.store.update_version(TARGET, "stopped", 1, outcome="cancelled")
        wait_state(flink_client, ids["failing"], "FAILED")
        yield Jobs(root, ids, location)
    finally:
        for job_id in started:
            try:
                if flink_client.job(job_id).state not in TERMINAL:
                    flink_client.cancel(job_id)
            except FlinkError:
                pass
        ws.close()


def _cli(*args: str, root: Path, code: int = 0) -> tuple[str, str]:
    result = CliRunner().invoke(main, [*args, "--project", str(root)])
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    return result.stdout, result.stderr


def _json(*args: str, root: Path, code: int = 0) -> dict[str, Any]:
    out, _ = _cli(*args, "--format", "json", root=root, code=code)
    return json.loads(out)


def _status_once_restarts_are_reported(root: Path, job: str) -> dict[str, Any]:
    """``status --format json`` once Flink reports ``job``'s numRestarts.

    Flink's REST metrics come from its metric fetcher, which answers a job's first
    requests with nothing and refreshes every 10 s or so (later on a loaded machine):
    until then status rightly reports ``restarts: null``.
    """
    last: dict[str, Any] = {}

    def reported() -> dict[str, Any] | None:
        last.update(_json("status", root=root))
        row = next((j for j in last["jobs"] if j["name"] == job), None)
        return dict(last) if row and row["restarts"] is not None else None

    what = f"Flink reports numRestarts of {job}"
    return wait_until(reported, what=what, timeout=90, interval=2, describe=lambda: last)


def test_status_rows_and_counts(jobs: Jobs) -> None:
    status = _status_once_restarts_are_reported(jobs.root, "live")
    rows = {j["name"]: j for j in status["jobs"]}
    assert status["reachable"] is True and status["target"] == TARGET
    assert set(rows) == {"live", "paused", "stopped", "failing", "evolving"}
    live = rows["live"]
    assert (live["desired"], live["current"], live["in_sync"]) == ("running", "RUNNING", True)
    assert live["job_id"] == jobs.ids["live"] and live["version"] == 1
    assert live["job_type"] == "STREAMING" and live["uptime_ms"] > 0
    assert live["restarts"] == 0
    assert (rows["paused"]["desired"], rows["paused"]["current"]) == ("suspended", "SUSPENDED")
    assert rows["paused"]["in_sync"] is True
    assert rows["paused"]["last_savepoint"]["location"] == jobs.savepoint
    assert rows["stopped"]["current"] == "CANCELED" and rows["stopped"]["in_sync"] is True
    failing = rows["failing"]
    assert (failing["desired"], failing["current"], failing["in_sync"]) == (
        "running",
        "FAILED",
        False,
    )
    unmanaged = {u["job_id"]: u for u in status["unmanaged"]}
    assert unmanaged[jobs.ids["unmanaged"]]["name"] == "adhoc-unmanaged"
    assert not set(jobs.ids.values()) - {jobs.ids["unmanaged"]} & set(unmanaged)
    everything = [*status["jobs"], *status["unmanaged"]]
    counts = status["counts"]
    assert counts["total"] == len(everything)
    for key, current in (("RUNNING", "RUNNING"), ("FAILED", "FAILED"), ("CANCELED", "CANCELED")):
        assert counts[key] == sum(j["current"] == current for j in everything), key
    assert counts["FAILED"] >= 1 and counts["RUNNING"] >= 2 and counts["UNKNOWN"] == 0

    failed_only = _json("status", "--state", "failed", "--label", "suite=ops", root=jobs.root)
    assert [j["name"] for j in failed_only["jobs"]] == ["failing"]
    text, _ = _cli("status", root=jobs.root)
    assert "live" in text and "SUSPENDED" in text and "adhoc-unmanaged" in text


def test_status_unknown_when_the_cluster_is_down(jobs: Jobs) -> None:
    started = time.monotonic()
    status = _json("status", "-t", "down", "--reconnect-timeout", "1", root=jobs.root, code=1)
    assert time.monotonic() - started < 15
    assert status["reachable"] is False and "connection refused" in status["error"]
    assert {j["current"] for j in status["jobs"]} == {"UNKNOWN"}
    assert status["counts"]["UNKNOWN"] == len(status["jobs"]) == 5
    out, err = _cli("status", "-t", "down", "--reconnect-timeout", "2", root=jobs.root, code=1)
    assert "RECONNECTING" in err
    assert "UNREACHABLE" in out and "UNKNOWN" in out and "Traceback" not in out + err
    shown = _json("show", "live", "-t", "down", root=jobs.root, code=1)
    assert (shown["reachable"], shown["current"], shown["desired"]) == (False, "UNKNOWN", "running")
    assert "did not answer" in shown["message"]


def test_show_running_job_has_records_and_redacted_config(jobs: Jobs) -> None:
    def flowing() -> dict[str, Any] | None:
        # Flink refreshes vertex metrics about every 10 s; the job checkpoints every 2 s
        data = _json("show", "live", root=jobs.root)
        vertices = data["live"]["vertices"]
        moved = all(sum(v[k] for v in vertices) > 0 for k in ("records_out", "records_in"))
        checkpointed = data["live"]["checkpoints"]["counts"]["completed"] >= 1
        return data if moved and checkpointed else None

    data = wait_until(flowing, what="records in and out and a checkpoint", timeout=90, interval=2)
    vertices = data["live"]["vertices"]
    assert sum(v["records_out"] for v in vertices) > 0, vertices
    assert sum(v["records_in"] for v in vertices) > 0
    assert data["running"] is True and data["current"] == "RUNNING" and data["in_sync"] is True
    assert data["live"]["job_id"] == jobs.ids["live"]
    assert {v["parallelism"] for v in vertices} == {1}
    assert any("GroupAggregate" in v["name"] for v in vertices)
    assert {v["backpressure"] for v in vertices} <= {"ok", "low", "high", "unknown"}
    assert data["web_ui"].endswith(f"/#/job/running/{jobs.ids['live']}/overview")
    assert data["configuration"]["flinkConfiguration"]["custom.password"] == "***"
    assert data["live"]["checkpoints"]["counts"]["completed"] >= 1
    assert data["live"]["checkpoint_config"]["interval_ms"] == 2000
    assert data["versions"][0]["outcome"] == "applied"
    assert data["lineage"] is None or data["lineage"]["tables"][0]["sink"] == "snk"
    text, _ = _cli("show", "live", root=jobs.root)
    assert SECRET not in text and "Vertices:" in text and "GroupAggregate" in text


def test_show_a_suspended_job_from_the_store(jobs: Jobs) -> None:
    data = _json("show", "paused", root=jobs.root)
    assert data["running"] is False and data["current"] == "SUSPENDED"
    assert "not running" in data["message"]
    assert data["versions"][-1]["outcome"] == "suspended"
    assert [s["location"] for s in data["savepoints"]] == [jobs.savepoint]
    text, _ = _cli("show", "paused", root=jobs.root)
    assert "not running" in text and jobs.savepoint in text


def test_savepoint_keeps_the_job_running_and_is_recorded(
    jobs: Jobs, flink_client: FlinkClient
) -> None:
    data = _json("savepoint", "live", root=jobs.root)
    assert data["job_id"] == jobs.ids["live"] and "savepoint-" in data["location"]
    assert flink_client.job(jobs.ids["live"]).state == "RUNNING"
    shown = _json("show", "live", root=jobs.root)
    assert {"location": data["location"], "kind": "manual"}.items() <= shown["savepoints"][
        0
    ].items()
    assert any(e["step"] == "savepoint" for e in shown["events"])


PRINT_SQL = [
    "CREATE TABLE ticks (n INT) WITH ('connector' = 'datagen', 'rows-per-second' = '5', "
    "'fields.n.min' = '7000', 'fields.n.max' = '7009')",
    "CREATE TABLE shown (n INT) WITH ('connector' = 'print', 'print-identifier' = 'ticks')",
    "INSERT INTO shown SELECT n FROM ticks",
]


def test_logs_prints_the_jobs_lines_and_a_print_sinks_rows(
    jobs: Jobs, flink_client: FlinkClient, runner_jar_id: str
) -> None:
    printer = flink_client.run_jar(
        runner_jar_id, build_run_body(job_name="printer", statements=PRINT_SQL, parallelism=1)
    )
    try:
        wait_state(flink_client, printer, "RUNNING")
        out, err = _cli("logs", "live", "--tail", "20", root=jobs.root)
        assert jobs.ids["live"] in err
        lines = out.splitlines()
        assert lines and all(line.startswith(("[jobmanager] ", "[taskmanager ")) for line in lines)
        jm = [line for line in lines if line.startswith("[jobmanager] ")]
        assert 0 < len(jm) <= 20 and any(jobs.ids["live"] in line for line in jm)
        for other in (printer, jobs.ids["unmanaged"], jobs.ids["evolving"]):
            assert other not in out

        data = _json("logs", "live", root=jobs.root)
        assert (data["job"], data["job_id"]) == ("live", jobs.ids["live"])
        kinds = [s["kind"] for s in data["sources"]]
        assert kinds[0] == "jobmanager" and "taskmanager" in kinds, kinds

        def printed() -> dict[str, Any] | None:
            got = _json("logs", printer, "--stdout", root=jobs.root)
            rows = [x for s in got["sources"] for x in s["lines"] if x.startswith("ticks> +I[")]
            return got if rows else None

        shown = wait_until(printed, what="the print sink's rows in the .out file", timeout=60)
        assert shown["stdout"] is True and all(s["kind"] == "taskmanager" for s in shown["sources"])
        text, _ = _cli("logs", printer, "--stdout", "--tail", "5", root=jobs.root)
        assert "ticks> +I[70" in text and text.startswith("[taskmanager ")
        own, _ = _cli("logs", printer, "--tail", "0", root=jobs.root)
        assert printer in own and jobs.ids["live"] not in own
    finally:
        flink_client.cancel(printer)


def test_diagnose_names_a_failed_state_restore(
    jobs: Jobs, flink_client: FlinkClient, runner_jar_id: str
) -> None:
    ws = open_workspace(jobs.root, TARGET)
    try:
        spec = ws.spec("evolving")
        location = _stop_with_savepoint(flink_client, jobs.ids["evolving"])
        changed = submit_sql(
            flink_client,
            job_name="evolving",
            statements=SUM_COUNT,
            identity=JobIdentity("evolving", 2, "changed", TARGET, ws.project.project_id),
            parallelism=1,
            flink_configuration=spec.flink_configuration,
            savepoint_path=location,
        )
        try:
            wait_state(flink_client, changed, "FAILED", timeout=60)
        finally:
            if flink_client.job(changed).state not in TERMINAL:
                flink_client.cancel(changed)
    finally:
        ws.close()
    data = _json("diagnose", "evolving", root=jobs.root)
    assert data["job_id"] == changed and data["flink_state"] == "FAILED"
    assert data["ownership"] == "managed"
    rules = [f["rule"] for f in data["findings"]]
    assert rules[0] == "state-incompatible", data["findings"]
    assert data["findings"][0]["evidence"] and data["findings"][0]["next_step"]
    text, _ = _cli("diagnose", "evolving", root=jobs.root)
    assert "state could not be restored" in text and "next:" in text

    healthy = _json("diagnose", "live", root=jobs.root)
    assert healthy["flink_state"] == "RUNNING" and healthy["findings"] == []
