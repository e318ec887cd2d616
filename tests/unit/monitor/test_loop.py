"""The monitor's passes over a cluster that goes away and comes back (MockTransport:
a refused connection on demand is a fault a real cluster cannot produce on cue)."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx

from flinkops.flink.rest import FlinkClient
from flinkops.monitor import Monitor, alert_records
from flinkops.spec import load_project
from flinkops.store import Store

PROJECT = """\
apiVersion: flinkops/v1
kind: Project
targets:
  t: {url: "http://flink"}
alerts:
  consoleUrl: http://console:9000
  channels:
    dead: {type: webhook, url: "http://127.0.0.1:PORT/hook", retries: 1, backoff: 0, timeout: 1s}
  rules:
    unreachable: {for: 20s}
    notDesired: {for: 0s}
"""
JOB = """\
apiVersion: flinkops/v1
kind: SqlJob
metadata: {name: orders}
spec:
  sql: "INSERT INTO x SELECT 1"
"""


def _closed_port() -> int:
    with socket.socket() as sock:  # bound, never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_cluster_fires_unknown_once_and_resolves_when_back(tmp_path: Path) -> None:
    (tmp_path / "flinkops.yaml").write_text(PROJECT.replace("PORT", str(_closed_port())))
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "orders.yaml").write_text(JOB)
    project = load_project(tmp_path, env={})
    up = {"value": True}

    def answer(request: httpx.Request) -> httpx.Response:
        if not up["value"]:
            raise httpx.ConnectError("refused", request=request)
        if request.url.path == "/jobs/overview":
            return httpx.Response(200, json={"jobs": []})
        return httpx.Response(404, json={"errors": ["not found"]})

    client = FlinkClient("http://flink", transport=httpx.MockTransport(answer), retries=0)
    store = Store(":memory:")
    mon = Monitor(project, "t", client, store, url="http://flink")
    try:
        first = mon.run_once(now=1000.0, wait_deliveries=True)
        assert first["reachable"] and first["jobs"] == {"orders": "NOT_DEPLOYED"}
        assert [t["rule"] for t in first["transitions"]] == ["notDesired"]
        up["value"] = False
        passes = [mon.run_once(now=1000.0 + 10 * i, wait_deliveries=True) for i in range(1, 5)]
        assert [p["reachable"] for p in passes] == [False] * 4
        fired = [(p["at"], t) for p in passes for t in p["transitions"]]
        assert fired == [
            (1030, {"status": "firing", "rule": "unreachable", "job": "", "id": fired[0][1]["id"]})
        ]
        up["value"] = True
        back = mon.run_once(now=1050.0, wait_deliveries=True)
        assert [(t["status"], t["rule"]) for t in back["transitions"]] == [
            ("resolved", "unreachable")
        ]
        records = alert_records(store, "t")
        by_rule = {r["rule"]: r for r in records}
        assert by_rule["unreachable"]["state"] == "resolved"
        assert by_rule["unreachable"]["link"] == "http://console:9000/"
        assert "refused" in by_rule["unreachable"]["evidence"]["error"]
        # the job's alert stayed open through the outage: it never resolved or refired
        assert by_rule["notDesired"]["state"] == "firing"
        assert by_rule["notDesired"]["link"] == "http://console:9000/jobs/orders"
        assert len(records) == 2
        # the channel is dead: every transition was tried twice, recorded, and passes went on
        sent = by_rule["unreachable"]["deliveries"]
        assert [(d["status"], d["attempt"], d["ok"]) for d in sent] == [
            ("firing", 1, False),
            ("firing", 2, False),
            ("resolved", 1, False),
            ("resolved", 2, False),
        ]
        assert "Connect" in by_rule["unreachable"]["deliveries"][0]["detail"]
    finally:
        mon.close()
        client.close()
        store.close()


def test_each_pass_runs_the_savepoint_scheduler_for_jobs_with_a_schedule(tmp_path: Path) -> None:
    (tmp_path / "flinkops.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: Project\ntargets:\n  t: {url: 'http://flink'}\n"
    )
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "orders.yaml").write_text(JOB + "  savepoints: {schedule: 1h}\n")
    (tmp_path / "jobs" / "plain.yaml").write_text(JOB.replace("orders", "plain"))

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/jobs/overview":
            return httpx.Response(200, json={"jobs": []})
        return httpx.Response(404, json={"errors": ["not found"]})

    client = FlinkClient("http://flink", transport=httpx.MockTransport(answer), retries=0)
    mon = Monitor(load_project(tmp_path, env={}), "t", client, Store(":memory:"), url="x")
    try:
        report = mon.run_once(now=1000.0)
    finally:
        mon.close()
    scheduled = report["savepoints"]
    assert scheduled is not None and scheduled["target"] == "t"
    # only the job with a schedule is considered; it is not running, so none is taken
    assert [(r["job"], r["taken"]) for r in scheduled["savepoints"]] == [("orders", False)]
    assert scheduled["deletions"] == []


def test_a_firing_alert_is_sent_to_alertmanager_again_every_minute(tmp_path: Path) -> None:
    am = f"http://127.0.0.1:{_closed_port()}"
    (tmp_path / "flinkops.yaml").write_text(
        PROJECT.replace("type: webhook", "type: alertmanager").replace(
            "http://127.0.0.1:PORT/hook", am
        )
    )
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "orders.yaml").write_text(JOB)
    project = load_project(tmp_path, env={})

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/jobs/overview":
            return httpx.Response(200, json={"jobs": []})
        return httpx.Response(404, json={"errors": ["not found"]})

    client = FlinkClient("http://flink", transport=httpx.MockTransport(answer), retries=0)
    store = Store(":memory:")
    mon = Monitor(project, "t", client, store, url="http://flink")
    try:
        for now in (1000.0, 1030.0, 1070.0, 1100.0, 1130.0):
            mon.run_once(now=now, wait_deliveries=True)
        [record] = alert_records(store, "t")
        assert (record["rule"], record["state"]) == ("notDesired", "firing")
        sent = sorted((d["status"], d["attempt"]) for d in record["deliveries"])
        # the transition (tried twice), then re-sends at 1070 and 1130: the Alertmanager is
        # down, so each fails, and the last failed re-send is kept
        assert sent == [("firing", 1), ("firing", 2), ("resend", 1)]
        assert not any(d["ok"] for d in record["deliveries"])
        assert "Connect" in record["deliveries"][0]["detail"]
    finally:
        mon.close()
        client.close()
        store.close()
