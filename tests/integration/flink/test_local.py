"""The local cluster: idempotent up, status with logs, and a second cluster via the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from flinkops.cli import main
from flinkops.flink.local import ClusterInfo, LocalCluster, free_port


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


def test_up_again_reports_the_running_cluster(flink_cluster: ClusterInfo) -> None:
    again = LocalCluster(flink_cluster.dir).up(port=free_port(), slots=1)
    assert again.url == flink_cluster.url
    assert again.pids == flink_cluster.pids
    assert again.slots == flink_cluster.slots  # the running one, not the asked-for 1
    status = LocalCluster(flink_cluster.dir).status()
    assert status is not None and status.taskmanagers == 1
    assert status.logs["jobmanager"].is_file()
    assert "StandaloneSessionClusterEntrypoint" in status.logs["jobmanager"].read_text()


def test_cli_starts_a_second_cluster_beside_the_first_and_stops_it(
    flink_cluster: ClusterInfo, tmp_path: Path
) -> None:
    runner = CliRunner()
    port = free_port()
    d = tmp_path / "second"
    flink_home = os.environ.get("FLINKOPS_TEST_FLINK_HOME")
    args = ["local", "up", "--dir", str(d), "--port", str(port), "--slots", "1"]
    args += ["--format", "json"] + (["--flink-home", flink_home] if flink_home else [])
    try:
        up = runner.invoke(main, args)
        assert up.exit_code == 0, up.output
        info = json.loads(up.stdout)
        assert info["url"] == f"http://localhost:{port}"
        assert info["slots"] == 1
        pids = list(info["pids"].values())
        assert len(pids) == 2 and all(_alive(p) for p in pids)

        status = runner.invoke(main, ["local", "status", "--dir", str(d)])
        assert status.exit_code == 0
        assert f"http://localhost:{port}" in status.stdout
        assert "jobmanager.log" in status.stdout
    finally:
        down = runner.invoke(main, ["local", "down", "--dir", str(d)])
    assert down.exit_code == 0, down.output
    assert not any(_alive(p) for p in pids)
    assert LocalCluster(flink_cluster.dir).status() is not None  # the first one still runs
    gone = runner.invoke(main, ["local", "status", "--dir", str(d)])
    assert "No cluster runs" in gone.stdout
