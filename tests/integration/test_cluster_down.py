"""A cluster that goes down for real: status says UNKNOWN with the reason, exit 1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from flinkops.flink.local import LocalCluster, free_port

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
        ("tick", "RUNNING", "UNKNOWN")
    ]
    assert data["counts"]["UNKNOWN"] == 1
    plan = _flinkops(root, "plan")
    assert plan.returncode == 1 and "Error:" in plan.stderr and "Traceback" not in plan.stderr
