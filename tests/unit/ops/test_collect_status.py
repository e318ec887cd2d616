"""collect_status and `status --watch` over recorded Flink REST payloads: what is
read, how often, and what a cluster that does not answer shows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from flinkops.flink.rest import FlinkClient
from flinkops.ops import build_status, collect_status
from flinkops.spec import JobSpec
from flinkops.store import Store
from tests.conftest import job_yaml
from tests.unit.ops.helpers import NOW, by_name, payload, version


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
        if path == "/jobs/x1":
            return httpx.Response(200, json={"jid": "x1", "name": "orders", "vertices": []})
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
        if seconds < 0.1:  # subprocess's own polling (git, for the project's id)
            return
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
