"""Status, show and their renderers, on recorded Flink REST payloads (no cluster)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from flinkops.flink.rest import FlinkClient
from flinkops.live import LiveJob, read_jobs
from flinkops.ops import (
    build_status,
    collect_status,
    current_state,
    filter_status,
    human_ms,
    render_status,
)
from flinkops.ops._rest import backpressure, watermarks
from flinkops.spec import JobSpec, load_project
from flinkops.store import SavepointRecord, Store, VersionRecord
from tests.conftest import job_yaml

DATA = Path(__file__).parent / "data" / "ops"
NOW = 1_795_274_600_000


def payload(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


@pytest.fixture
def specs(make_project: Callable[..., Path]) -> list[JobSpec]:
    root = make_project(
        {
            "jobs/a.yaml": job_yaml("orders"),
            "jobs/b.yaml": job_yaml("paused", extra="state: suspended\n"),
            "jobs/c.yaml": job_yaml("gone", extra="state: cancelled\n"),
            "jobs/d.yaml": job_yaml("broken"),
            "jobs/e.yaml": job_yaml("fresh"),
        }
    )
    return load_project(root).jobs_for("local")


def run(
    job_id: str,
    state: str,
    *,
    name: str = "",
    spec_hash: str = "",
    version: int = 1,
    start: int = NOW - 60_000,
    target: str = "local",
    job_type: str = "STREAMING",
    identity_error: str | None = None,
) -> LiveJob:
    ours = bool(name and spec_hash) and target == "local"
    return LiveJob(
        job_id=job_id,
        name=name or job_id,
        state=state,
        start_time=start,
        job_type=job_type,
        managed_name=name if ours else None,
        version=version if ours else None,
        spec_hash=spec_hash if ours else None,
        identity_target=target if name and spec_hash and not ours else None,
        identity_error=identity_error,
    )


def version(job: str, n: int, outcome: str, spec_hash: str = "h") -> VersionRecord:
    return VersionRecord("local", job, n, spec_hash, "s", "c", {}, "SELECT 1", outcome=outcome)


def by_name(status: dict) -> dict[str, dict]:
    return {j["name"]: j for j in status["jobs"]}


def test_status_rows_and_counts(specs: list[JobSpec]) -> None:
    h = {s.name: s.spec_hash for s in specs}
    live = [
        run("j1", "RUNNING", name="orders", spec_hash=h["orders"], version=3),
        run("j0", "FINISHED", name="orders", spec_hash="old", start=NOW - 999_000),
        run("j2", "FINISHED", name="paused", spec_hash=h["paused"]),
        run("j3", "CANCELED", name="gone", spec_hash=h["gone"]),
        run("j4", "FAILED", name="broken", spec_hash=h["broken"]),
        run("j5", "RUNNING", name="someone-elses"),  # unmanaged: no identity
        run("j6", "RUNNING", name="orders", spec_hash="x", target="prod"),  # other target
        run("j7", "FINISHED", job_type="BATCH"),
    ]
    status = build_status(
        target="local",
        url="http://localhost:8081",
        specs=specs,
        live=live,
        latest={
            "orders": version("orders", 3, "applied"),
            "paused": version("paused", 2, "suspended"),
            "gone": version("gone", 1, "cancelled"),
            "broken": version("broken", 1, "applied"),
        },
        savepoints={
            "paused": SavepointRecord(
                "local", "paused", "file:/sp/1", "suspend", "j2", 2, "2026-11-21T15:00:00.000Z"
            )
        },
        restarts={"j1": 2},
        checkpoint_acks={"j1": NOW - 5_000},
        now_ms=NOW,
    )
    rows = by_name(status)
    assert list(rows) == ["broken", "fresh", "gone", "orders", "paused"]
    assert (rows["orders"]["desired"], rows["orders"]["current"]) == ("RUNNING", "RUNNING")
    assert rows["orders"]["in_sync"] is True
    assert rows["orders"]["job_id"] == "j1"  # the active run, not the older finished one
    assert rows["orders"]["version"] == 3
    assert rows["orders"]["restarts"] == 2
    assert rows["orders"]["uptime_ms"] == 60_000
    assert rows["orders"]["last_checkpoint_age_ms"] == 5_000
    assert (rows["paused"]["desired"], rows["paused"]["current"]) == ("SUSPENDED", "SUSPENDED")
    assert rows["paused"]["in_sync"] is True
    assert rows["paused"]["last_savepoint"]["location"] == "file:/sp/1"
    assert rows["gone"]["current"] == "CANCELLED" and rows["gone"]["in_sync"] is True
    assert rows["broken"]["current"] == "FAILED" and rows["broken"]["in_sync"] is False
    assert rows["fresh"]["current"] == "NOT_DEPLOYED" and rows["fresh"]["in_sync"] is False
    assert {u["job_id"] for u in status["unmanaged"]} == {"j5", "j6", "j7"}
    c = status["counts"]
    assert c["total"] == 8
    assert (c["RUNNING"], c["FAILED"], c["CANCELED"], c["FINISHED"]) == (3, 1, 1, 1)
    assert (c["batch"], c["streaming"]) == (1, 6)  # "fresh" has no run, no type
    assert c["UNKNOWN"] == 0


def test_out_of_sync_when_live_hash_differs(specs: list[JobSpec]) -> None:
    status = build_status(
        target="local",
        url="u",
        specs=specs,
        live=[run("j1", "RUNNING", name="orders", spec_hash="stale")],
        latest={},
        savepoints={},
        now_ms=NOW,
    )
    row = by_name(status)["orders"]
    assert row["in_sync"] is False and row["live_spec_hash"] == "stale"


def test_suspended_never_started_is_in_sync_and_pruned_jobs_are_hidden(
    specs: list[JobSpec],
) -> None:
    status = build_status(
        target="local",
        url="u",
        specs=specs,
        live=[run("j9", "CANCELED", name="pruned", spec_hash="x")],
        latest={"pruned": version("pruned", 4, "deleted")},
        savepoints={},
        now_ms=NOW,
    )
    rows = by_name(status)
    assert (rows["paused"]["current"], rows["paused"]["in_sync"]) == ("NOT_DEPLOYED", True)
    assert "pruned" not in rows
    assert status["unmanaged"] == []


def test_transitioning_wins_and_unknown_when_unreachable(specs: list[JobSpec]) -> None:
    args = dict(target="local", url="u", specs=specs, latest={}, savepoints={}, now_ms=NOW)
    moving = build_status(
        live=[run("j1", "RUNNING", name="orders", spec_hash="x")],
        transitioning=["orders"],
        **args,
    )
    assert by_name(moving)["orders"]["current"] == "TRANSITIONING"
    down = build_status(live=[], reachable=False, error="connection refused", **args)
    assert {j["current"] for j in down["jobs"]} == {"UNKNOWN"}
    assert {j["in_sync"] for j in down["jobs"]} == {None}
    assert down["counts"]["UNKNOWN"] == len(specs) == down["counts"]["total"]
    assert all(j["reason"] == "connection refused" for j in down["jobs"])
    text = render_status(down)
    assert "UNREACHABLE: connection refused" in text and "UNKNOWN" in text


@pytest.mark.parametrize(
    ("flink", "outcome", "expected"),
    [
        ("RUNNING", "applied", "RUNNING"),
        ("RESTARTING", "applied", "RESTARTING"),
        ("INITIALIZING", "applied", "RUNNING"),
        ("FINISHED", "suspended", "SUSPENDED"),
        ("FINISHED", "applied", "FINISHED"),
        ("CANCELED", "applied", "CANCELLED"),
        ("FAILED", "rolled-back", "FAILED"),
        (None, "suspended", "SUSPENDED"),
        (None, None, "NOT_DEPLOYED"),
    ],
)
def test_current_state(flink: str | None, outcome: str | None, expected: str) -> None:
    r = run("j", flink, name="a", spec_hash="h") if flink else None
    v = version("a", 1, outcome) if outcome else None
    assert current_state(r, v, transitioning=False) == expected


def test_filter_by_state_and_label(specs: list[JobSpec]) -> None:
    status = build_status(
        target="local",
        url="u",
        specs=specs,
        live=[run("j5", "RUNNING", name="x")],
        latest={},
        savepoints={},
        now_ms=NOW,
    )
    status["jobs"][0]["labels"] = {"team": "payments"}
    only = filter_status(status, state="not_deployed", labels={"team": "payments"})
    assert [j["name"] for j in only["jobs"]] == [status["jobs"][0]["name"]]
    assert only["unmanaged"] == [] and only["counts"] == status["counts"]
    running = filter_status(status, state="running")
    assert running["jobs"] == [] and len(running["unmanaged"]) == 1


def test_render_status_golden() -> None:
    status = {
        "target": "local",
        "url": "http://localhost:8081",
        "flink_version": "2.3.0",
        "reachable": True,
        "error": None,
        "counts": {
            "total": 2,
            "batch": 0,
            "streaming": 2,
            "RUNNING": 1,
            "CANCELED": 0,
            "FAILED": 0,
            "RESTARTING": 0,
            "FINISHED": 0,
            "UNKNOWN": 0,
        },
        "jobs": [
            {
                "name": "orders",
                "desired": "RUNNING",
                "current": "RUNNING",
                "in_sync": False,
                "version": 4,
                "uptime_ms": 3_725_000,
                "restarts": 0,
                "last_checkpoint_age_ms": 4_000,
                "last_savepoint_age_ms": None,
            }
        ],
        "unmanaged": [
            {"name": "adhoc", "job_id": "ab12", "flink_state": "RUNNING", "uptime_ms": 61_000}
        ],
    }
    assert render_status(status) == (
        "Target local at http://localhost:8081 (Flink 2.3.0)\n"
        "total 2  batch 0  streaming 2  |  RUNNING 1  CANCELED 0  FAILED 0  RESTARTING 0"
        "  FINISHED 0  UNKNOWN 0\n"
        "\n"
        "JOB     DESIRED  CURRENT  IN SYNC  VERSION  UPTIME  RESTARTS  CHECKPOINT  SAVEPOINT\n"
        "orders  RUNNING  RUNNING  NO       v4       1h02m   0         4s ago      -\n"
        "\n"
        "Unmanaged jobs (not submitted by flinkops for this target):\n"
        "  NAME   JOB ID  STATE    UPTIME\n"
        "  adhoc  ab12    RUNNING  1m01s"
    )


def test_human_ms() -> None:
    assert [human_ms(x) for x in (None, 999, 59_000, 61_000, 7_200_000, 3 * 86_400_000)] == [
        "-", "0s", "59s", "1m01s", "2h00m", "3d00h",
    ]  # fmt: skip


# ---------------------------------------------------------------- collect_status over HTTP


def _handler(calls: list[str]) -> Callable[[httpx.Request], httpx.Response]:
    config = payload("config_running")
    jid = config["jid"]

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        calls.append(path)
        if path == "/jobs/overview":
            return httpx.Response(200, json=payload("jobs_overview_end"))
        if path == "/config":
            return httpx.Response(200, json={"flink-version": "2.3.0"})
        if path.endswith("/config"):
            other = path.split("/")[2]
            body = config if other == jid else {"jid": other, "execution-config": {}}
            return httpx.Response(200, json=body)
        if path.endswith("/metrics"):
            return httpx.Response(200, json=[{"id": "numRestarts", "value": "7"}])
        if path.endswith("/checkpoints"):
            return httpx.Response(200, json=payload("checkpoints_running"))
        return httpx.Response(404, json={"errors": ["Not found: " + path]})

    return handle


def test_collect_status_reads_cheaply(specs: list[JobSpec]) -> None:
    calls: list[str] = []
    overview = payload("jobs_overview_end")
    config = payload("config_running")
    # make the managed job active and name it after a spec
    for j in overview["jobs"]:
        if j["jid"] == config["jid"]:
            j["state"] = "RUNNING"
    config["execution-config"]["user-config"].update(
        {"flinkops.name": "orders", "flinkops.target": "local"}
    )

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/jobs/overview":
            calls.append(request.url.path)
            return httpx.Response(200, json=overview)
        if request.url.path == f"/jobs/{config['jid']}/config":
            calls.append(request.url.path)
            return httpx.Response(200, json=config)
        return _handler(calls)(request)

    client = FlinkClient("http://flink:8081", transport=httpx.MockTransport(handle))
    with Store(":memory:") as store:
        status = collect_status(client, store, target="local", url="http://flink:8081", specs=specs)
    n_jobs = len(overview["jobs"])
    assert calls.count("/jobs/overview") == 1
    assert sum(c.endswith("/config") and c != "/config" for c in calls) == n_jobs
    assert sum(c.endswith("/checkpoints") for c in calls) == 1  # only the active managed job
    assert sum(c.endswith("/metrics") for c in calls) == 1
    row = by_name(status)["orders"]
    assert row["current"] == "RUNNING" and row["restarts"] == 7
    assert row["last_checkpoint_age_ms"] is not None
    assert len(status["unmanaged"]) == n_jobs - 1


def test_collect_status_retries_for_a_bounded_time_then_unknown(specs: list[JobSpec]) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused")

    clock = [0.0]
    waits: list[tuple[float, str]] = []

    def sleep(s: float) -> None:
        clock[0] += s

    client = FlinkClient(
        "http://flink:8081", transport=httpx.MockTransport(refuse), retries=0, sleep=sleep
    )
    with Store(":memory:") as store:
        store.record_version(version("orders", 2, "applied"))
        status = collect_status(
            client,
            store,
            target="local",
            url="http://flink:8081",
            specs=specs,
            reconnect_timeout=5.0,
            on_reconnect=lambda elapsed, exc: waits.append((elapsed, str(exc))),
            sleep=sleep,
            clock=lambda: clock[0],
        )
    assert status["reachable"] is False
    assert "connection refused" in status["error"]
    assert len(waits) == 5 and clock[0] == pytest.approx(5.0)
    rows = by_name(status)
    assert {r["current"] for r in rows.values()} == {"UNKNOWN"}
    assert rows["orders"]["version"] == 2  # the store still answers


def test_a_read_the_cluster_broke_off_shows_no_live_rows(specs: list[JobSpec]) -> None:
    """The jobs were listed, then the cluster stopped answering until the retries ran out:
    status says so and shows nothing of the half-read (no stale job ids, states, counts)."""
    answered: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/config" or "/config" in answered:
            answered.append("/config")
            raise httpx.ConnectError("Connection refused")
        if path == "/jobs/overview":
            return httpx.Response(200, json=payload("jobs_overview_end"))
        if path.endswith("/config"):
            return httpx.Response(200, json={"jid": path.split("/")[2], "execution-config": {}})
        return httpx.Response(404, json={"errors": ["Not found: " + path]})

    clock = [0.0]

    def sleep(s: float) -> None:
        clock[0] += s

    client = FlinkClient("http://flink:8081", transport=httpx.MockTransport(handle), retries=0)
    with Store(":memory:") as store:
        status = collect_status(
            client,
            store,
            target="local",
            url="u",
            specs=specs,
            reconnect_timeout=2.0,
            sleep=sleep,
            clock=lambda: clock[0],
        )
    assert status["reachable"] is False and "refused" in status["error"].lower()
    assert status["unmanaged"] == [] and status["unidentified"] == []
    assert {r["current"] for r in status["jobs"]} == {"UNKNOWN"}
    assert status["counts"]["total"] == status["counts"]["UNKNOWN"] == len(specs)


# ---------------------------------------------------------------- REST helpers


def test_rest_helpers_parse_flinks_answers() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/jobs/overview":
            return httpx.Response(200, json=payload("jobs_overview_end"))
        if path.endswith("/backpressure"):
            body = payload("bp2_1")
            body["subtasks"][0].update({"ratio": 0.8, "backpressureLevel": "high"})
            body["backpressureLevel"] = "high"
            return httpx.Response(200, json=body)
        if path.endswith("/watermarks"):
            return httpx.Response(
                200,
                json=[
                    {"id": "0.currentInputWatermark", "value": "1795274590000"},
                    {"id": "1.currentInputWatermark", "value": str(-(2**63))},
                ],
            )
        return httpx.Response(404)

    client = FlinkClient("http://flink:8081", transport=httpx.MockTransport(handle))
    jobs = read_jobs(client, "local")
    assert {j.job_type for j in jobs} == {"STREAMING"}
    assert jobs[0].start_time >= jobs[-1].start_time
    bp = backpressure(client, "j", "v")
    assert bp == {"level": "high", "max_ratio": 0.8, "max_busy_ratio": 1.0, "subtasks": 1}
    assert watermarks(client, "j", "v") == 1795274590000


# ---------------------------------------------------------------- show text


def _show_doc() -> dict:
    vertex = {
        "name": "Source: src[1]",
        "parallelism": 2,
        "status": "RUNNING",
        "records_in": 0,
        "records_out": 42450,
        "records_in_per_second": 0.0,
        "records_out_per_second": 50.0,
        "bytes_in": 0,
        "bytes_out": 1_400_850,
        "backpressure": "ok",
        "watermark_lag_ms": 2_000,
    }
    ref = {
        "id": 12,
        "path": "file:/cp/chk-12",
        "latest_ack_timestamp": 1_795_274_579_040,
        "trigger_timestamp": 1_795_274_579_000,
        "restore_timestamp": None,
        "failure_message": None,
    }
    return {
        "name": "orders",
        "target": "local",
        "managed": True,
        "desired": "RUNNING",
        "current": "RUNNING",
        "running": True,
        "message": None,
        "version": 3,
        "in_sync": True,
        "web_ui": "http://flink/#/job/running/j1/overview",
        "configuration": {"state": "running", "flinkConfiguration": {"custom.password": "***"}},
        "live": {
            "job_id": "j1",
            "flink_state": "RUNNING",
            "job_type": "STREAMING",
            "start_time": 1_795_274_557_410,
            "duration_ms": 24_000,
            "vertices": [vertex],
            "checkpoints": {
                "counts": {"completed": 12, "failed": 0, "in_progress": 0},
                "latest_completed": ref,
                "latest_savepoint": None,
                "latest_failed": None,
                "restored_from": None,
            },
            "exceptions": {"root_cause": None, "history": []},
        },
        "versions": [
            {
                "version": 3,
                "outcome": "applied",
                "applied_at": "2026-11-21T15:22:37Z",
                "git_commit": "abc123",
            }
        ],
        "savepoints": [],
        "events": [
            {"at": "2026-11-21T15:22:37Z", "level": "info", "step": "submit", "message": "ok"}
        ],
        "lineage": {"tables": [{"job": "orders", "sink": "snk", "sources": ["src"]}]},
    }


def test_render_show_golden() -> None:
    from flinkops.ops import render_show

    assert render_show(_show_doc()).splitlines() == [
        "Job orders on local",
        "  desired RUNNING  current RUNNING  version v3  in sync yes",
        "  job id j1  Flink state RUNNING  type STREAMING  started 2026-11-21 15:22:37Z  "
        "duration 24s",
        "  web UI http://flink/#/job/running/j1/overview",
        "",
        "Vertices:",
        "  VERTEX          PAR  STATUS   REC IN  REC OUT  REC/S IN/OUT  BYTES IN/OUT  "
        "BACKPRESSURE  WM LAG",
        "  Source: src[1]  2    RUNNING  0       42.5K    0/50          0B/1.4MB      "
        "ok            2s",
        "",
        "Checkpoints: completed 12  failed 0  in_progress 0",
        "  latest completed: #12 2026-11-21 15:22:59Z file:/cp/chk-12",
        "",
        "Configuration (as applied):",
        "  state: running",
        "  custom.password: ***",
        "",
        "Versions:",
        "  v3  applied     2026-11-21T15:22:37Z  abc123",
        "",
        "Events:",
        "  2026-11-21T15:22:37Z  info    submit: ok",
        "",
        "Lineage:",
        "  src -> snk",
    ]


def test_render_show_not_running() -> None:
    from flinkops.ops import render_show

    doc = _show_doc()
    doc.update(running=False, current="SUSPENDED", live=None, web_ui=None, in_sync=None)
    doc["message"] = "job 'orders' is not running on 'local' (suspended); what flinkops recorded"
    text = render_show(doc)
    assert "not running" in text.splitlines()[2]
    assert "Vertices:" not in text and "Versions:" in text


def test_watch_redraws_until_ctrl_c(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    import flinkops.cli.ops as cli_ops
    from flinkops.cli import main

    root = make_project({"jobs/a.yaml": job_yaml("orders")})
    reads: list[int] = []

    def fake_collect(*args: object, **kwargs: object) -> dict:
        reads.append(1)
        return build_status(
            target="local", url="u", specs=[], live=[], latest={}, savepoints={}, now_ms=NOW
        )

    def fake_sleep(seconds: float) -> None:
        assert seconds == 0.5
        if len(reads) == 3:
            raise KeyboardInterrupt

    import flinkops.ops

    # cli/ops.py imports it when the command runs (lazy CLI): patch it where it lives
    monkeypatch.setattr(flinkops.ops, "collect_status", fake_collect)
    monkeypatch.setattr(cli_ops.time, "sleep", fake_sleep)
    result = CliRunner().invoke(
        main, ["status", "--project", str(root), "--watch", "--interval", "0.5"]
    )
    assert result.exit_code == 0, result.output
    assert len(reads) == 3
    assert result.stdout.count("Target local at u") == 3


def test_job_type_comes_from_the_plan_when_the_overview_has_none() -> None:
    """Flink 1.20's /jobs/overview has no job type; its /jobs/:id/plan does."""
    import httpx

    from flinkops.flink.rest import FlinkClient

    plans: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/config"):
            return httpx.Response(200, json={"execution-config": {}, "flink-version": "1.20"})
        if request.url.path == "/jobs/overview":
            return httpx.Response(
                200,
                json={
                    "jobs": [
                        {"jid": "a1", "name": "agg", "state": "RUNNING", "start-time": 1},
                        {
                            "jid": "b2",
                            "name": "new",
                            "state": "RUNNING",
                            "start-time": 2,
                            "job-type": "BATCH",
                        },
                    ]
                },
            )
        plans.append(request.url.path)
        return httpx.Response(200, json={"plan": {"jid": "a1", "type": "STREAMING"}})

    client = FlinkClient("http://flink", transport=httpx.MockTransport(answer))
    with Store(":memory:") as store:
        status = collect_status(client, store, target="local", url="u", specs=[])
    assert [(r["job_id"], r["job_type"]) for r in status["unmanaged"]] == [
        ("b2", "BATCH"),
        ("a1", "STREAMING"),
    ]
    assert plans == ["/jobs/a1/plan"]  # only for the row without a type


# ---------------------------------------------------------------- the version that runs


def test_status_reports_the_running_version_with_the_rolled_back_one_beside_it(
    specs: list[JobSpec],
) -> None:
    h = {s.name: s.spec_hash for s in specs}
    history = [
        version("orders", 1, "applied", "h1"),
        version("orders", 2, "applied", "h2"),
        *(version("orders", n, "rolled-back", h["orders"]) for n in (3, 4, 5, 6)),
    ]
    status = build_status(
        target="local",
        url="u",
        specs=specs,
        live=[run("j2", "RUNNING", name="orders", spec_hash="h2", version=2)],
        latest={"orders": history[-1]},
        versions={"orders": history},
        savepoints={},
        now_ms=NOW,
    )
    row = by_name(status)["orders"]
    assert (row["version"], row["version_source"]) == (2, "cluster")
    assert row["newer_version"]["version"] == 6
    assert row["newer_version"]["outcome"] == "rolled-back"
    assert row["newer_version"]["blocked"] is True  # the spec still has v6's hash
    assert "v2 (v6 rolled back, blocked)" in render_status(status)


def test_version_view_cases(make_spec) -> None:
    from flinkops.ops._versions import VersionSource, version_view

    spec = make_spec()
    live = run("j", "RUNNING", name="job-a", spec_hash="h2", version=2)
    failed_run = run("j", "FAILED", name="job-a", spec_hash="h3", version=3)
    v = [version("job-a", 1, "applied", "h1"), version("job-a", 2, "applied", "h2")]
    changed = version("job-a", 3, "rolled-back", "other")  # the spec changed since: not blocked
    view = version_view(live, [*v, changed], spec)
    assert (view.version, view.source, view.newer.version, view.blocked) == (
        2, VersionSource.CLUSTER, 3, False,
    )  # fmt: skip
    assert version_view(live, v, spec).newer is None
    stopped = version_view(failed_run, [*v, version("job-a", 3, "failed", spec.spec_hash)], spec)
    assert (stopped.version, stopped.source, stopped.newer.outcome) == (
        2, VersionSource.STORE, "failed",
    )  # fmt: skip
    assert version_view(failed_run, [], spec).source is VersionSource.LAST_RUN
    assert version_view(None, [], spec).to_json() == {
        "version": None,
        "version_source": None,
        "newer_version": None,
    }


def test_version_label() -> None:
    from flinkops.ops import version_label

    newer = {"version": 6, "outcome": "rolled-back", "blocked": False}
    assert version_label({"version": 2, "newer_version": newer}) == "v2 (v6 rolled back)"
    assert version_label({"version": 2, "newer_version": None}) == "v2"
    assert version_label({"version": None}) == "-"


def test_render_show_names_the_newer_version() -> None:
    from flinkops.ops import render_show

    doc = _show_doc()
    doc.update(version=2, newer_version={"version": 6, "outcome": "rolled-back", "blocked": True})
    assert "version v2 (v6 rolled back, blocked)" in render_show(doc).splitlines()[1]


# ---------------------------------------------------------------- unreadable identity


def test_status_shows_an_unidentified_job_and_the_job_it_may_be(specs: list[JobSpec]) -> None:
    h = {s.name: s.spec_hash for s in specs}
    status = build_status(
        target="local",
        url="u",
        specs=specs,
        live=[
            run("x1", "RUNNING", name="orders", identity_error="500 Internal server error"),
            run("j1", "CANCELED", name="orders", spec_hash=h["orders"], start=NOW - 99_000),
        ],
        latest={"orders": version("orders", 1, "applied")},
        savepoints={},
        now_ms=NOW,
    )
    row = by_name(status)["orders"]
    assert (row["current"], row["in_sync"]) == ("UNKNOWN", None)  # not CANCELLED: x1 may be it
    assert row["unidentified_job_ids"] == ["x1"]
    assert status["unmanaged"] == []  # never silently unmanaged
    assert [u["job_id"] for u in status["unidentified"]] == ["x1"]
    assert status["unidentified"][0]["identity_error"] == "500 Internal server error"
    text = render_status(status)
    assert "Unidentified jobs" in text and "500 Internal server error" in text
    assert filter_status(status, state="running")["unidentified"] == status["unidentified"]


def test_show_and_savepoint_of_a_job_that_may_be_running_unidentified() -> None:
    from flinkops.errors import FlinkError
    from flinkops.ops import collect_show, render_show, take_savepoint

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/jobs/overview":
            job = {"jid": "x1", "name": "orders", "state": "RUNNING", "start-time": NOW}
            return httpx.Response(200, json={"jobs": [job]})
        return httpx.Response(503, json={"errors": ["Service temporarily unavailable"]})

    client = FlinkClient("http://flink", transport=httpx.MockTransport(handle), retries=0)
    with Store(":memory:") as store:
        store.record_version(version("orders", 1, "applied"))
        data = collect_show(
            client, store, target="local", url="u", name="orders", spec=None, redact=lambda x: x
        )
        with pytest.raises(FlinkError, match="may be running on target 'local' as x1"):
            take_savepoint(client, store, target="local", name="orders", spec=None)
    assert (data["current"], data["running"], data["live"]) == ("UNKNOWN", False, None)
    assert data["unidentified"][0]["job_id"] == "x1"
    assert "may be running as x1 (RUNNING)" in render_show(data)


def test_collect_status_never_calls_an_unreadable_job_unmanaged(specs: list[JobSpec]) -> None:
    from flinkops.ops import job_logs

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/jobs/overview":
            jobs = [
                {"jid": "x1", "name": "orders", "state": "RUNNING", "start-time": NOW},
                {"jid": "u1", "name": "adhoc", "state": "RUNNING", "start-time": NOW},
            ]
            return httpx.Response(200, json={"jobs": jobs})
        if path == "/jobs/x1/config":
            return httpx.Response(500, json={"errors": ["Internal server error."]})
        if path == "/jobs/u1/config":
            return httpx.Response(200, json={"jid": "u1", "execution-config": {}})
        if path == "/jobmanager/log":
            return httpx.Response(200, text="log line\n")
        return httpx.Response(404, json={"errors": ["Not found: " + path]})

    client = FlinkClient("http://flink", transport=httpx.MockTransport(handle), retries=0)
    with Store(":memory:") as store:
        status = collect_status(client, store, target="local", url="u", specs=specs)
    assert [u["job_id"] for u in status["unmanaged"]] == ["u1"]
    assert [u["job_id"] for u in status["unidentified"]] == ["x1"]
    row = by_name(status)["orders"]
    assert (row["current"], row["unidentified_job_ids"]) == ("UNKNOWN", ["x1"])
    assert status["counts"]["total"] == len(status["jobs"]) + 2
    assert job_logs(client, target="local", name="orders")["job_ids"] == ["x1"]
