"""A cluster that goes down for real: status says UNKNOWN with the reason, exit 1;
the monitor raises an UNKNOWN alert while it is down and resolves it when it is back."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

from flinkops.flink.local import LocalCluster, free_port
from flinkops.flink.rest import FlinkClient
from flinkops.monitor import Monitor, alert_records
from flinkops.spec import load_project
from flinkops.store import Store
from tests.integration.monitor.receivers import Receiver

SQL = """\
    CREATE TABLE src (k INT) WITH ('connector' = 'datagen', 'rows-per-second' = '1');
    CREATE TABLE snk (k INT) WITH ('connector' = 'blackhole');
    INSERT INTO snk SELECT k FROM src;
"""


def _flinkops(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flinkops", *args, "--project", str(root)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )


def test_status_after_the_cluster_is_stopped(tmp_path: Path) -> None:
    cluster = LocalCluster(tmp_path / "cluster")
    info = cluster.up(port=free_port(), slots=1)
    try:
        root = tmp_path / "project"
        (root / "jobs").mkdir(parents=True)
        (root / "flinkops.yaml").write_text(
            "apiVersion: flinkops/v1\nkind: Project\ndefaultTarget: here\n"
            f"targets:\n  here:\n    url: {info.url}\n    health: {{window: 1s}}\n"
        )
        (root / "jobs" / "tick.yaml").write_text(
            "apiVersion: flinkops/v1\nkind: SqlJob\nmetadata: {name: tick}\n"
            "spec:\n  upgradeMode: stateless\n  sql: |\n" + SQL
        )
        applied = _flinkops(root, "apply", "--auto-approve")
        assert applied.returncode == 0, applied.stdout + applied.stderr
        up = json.loads(_flinkops(root, "status", "--format", "json").stdout)
        assert [(j["name"], j["current"]) for j in up["jobs"]] == [("tick", "RUNNING")]
    finally:
        stopped = cluster.down()
    assert sorted(stopped) == sorted(info.pids.values())

    down = _flinkops(root, "status", "--reconnect-timeout", "2")
    assert down.returncode == 1
    assert "RECONNECTING" in down.stderr and "Traceback" not in down.stdout + down.stderr
    data = json.loads(
        _flinkops(root, "status", "--format", "json", "--reconnect-timeout", "1").stdout
    )
    assert data["reachable"] is False and data["error"]
    assert [(j["name"], j["desired"], j["current"]) for j in data["jobs"]] == [
        ("tick", "running", "UNKNOWN")
    ]
    assert data["counts"]["UNKNOWN"] == 1
    plan = _flinkops(root, "plan")
    assert plan.returncode == 1 and "Error:" in plan.stderr and "Traceback" not in plan.stderr


def test_monitor_fires_unknown_while_the_cluster_is_down_and_resolves_when_back(
    tmp_path: Path,
) -> None:
    """The monitor over a real cluster that is stopped and started again on its port:
    one UNKNOWN (unreachable) alert while it is down, resolved when it is back, both
    posted to a real webhook receiver, and no pass raises."""
    root = tmp_path / "project"
    (root / "jobs").mkdir(parents=True)
    (root / "jobs" / "tick.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: SqlJob\nmetadata: {name: tick}\n"
        "spec:\n  state: suspended\n  sql: |\n" + SQL
    )
    receiver = Receiver()
    hook = receiver.start()
    cluster = LocalCluster(tmp_path / "cluster")
    port = free_port()
    store = Store(root / "state.db")
    closing = contextlib.ExitStack()
    try:
        info = cluster.up(port=port, slots=1)
        (root / "flinkops.yaml").write_text(
            "apiVersion: flinkops/v1\nkind: Project\ndefaultTarget: here\n"
            f"targets:\n  here: {{url: '{info.url}'}}\n"
            "alerts:\n"
            f"  channels:\n    hook: {{type: webhook, url: '{hook}/hook', retries: 0}}\n"
            "  rules:\n    unreachable: {for: 0s}\n"
        )
        client = closing.enter_context(FlinkClient(info.url, retries=0, timeout=5))
        mon = Monitor(load_project(root, env={}), "here", client, store, url=info.url)
        closing.callback(mon.close)
        _outage(cluster, port, mon)
    finally:
        closing.close()
        store.close()
        cluster.down()
        receiver.stop()
    posted = [(r.path, r.body["status"]) for r in receiver.requests]
    assert posted == [("/hook", "firing"), ("/hook", "resolved")]
    assert receiver.requests[0].body["alerts"][0]["labels"]["alertname"] == "unreachable"
    with Store(root / "state.db") as again:
        [record] = alert_records(again, "here")
    assert record["state"] == "resolved" and record["evidence"]["error"]


def _outage(cluster: LocalCluster, port: int, mon: Monitor) -> None:
    """Up, down for two passes, up again: the unreachable alert fires once, then resolves."""
    assert mon.run_once(wait_deliveries=True)["reachable"] is True
    cluster.down()
    down = [mon.run_once(wait_deliveries=True) for _ in range(2)]
    assert [p["reachable"] for p in down] == [False, False]
    fired = [(t["status"], t["rule"]) for p in down for t in p["transitions"]]
    assert fired == [("firing", "unreachable")]  # once, not once per pass
    cluster.up(port=port, slots=1)
    back = mon.run_once(wait_deliveries=True)
    assert back["reachable"] is True
    assert [(t["status"], t["rule"]) for t in back["transitions"]] == [("resolved", "unreachable")]
