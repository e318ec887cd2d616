"""The fault suite's world: its own local Flink cluster (a test kills and restarts its
JobManager), a fault proxy in front of its REST port per test, and a project whose
target is that proxy, running a stateful job that checkpoints every second."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from flinkops.flink.live import read_live
from flinkops.flink.local import ClusterInfo, LocalCluster
from flinkops.flink.rest import FlinkClient
from tests.integration._wait import wait_until
from tests.integration.apply.conftest import Project, stateful_sql
from tests.integration.conftest import local_cluster
from tests.integration.faults.proxy import FaultProxy

JOB = "agg"
#: a stateful job (datagen -> GROUP BY) checkpointing every second, so a retained
#: checkpoint exists soon after it runs
EXTRA = "  flinkConfiguration:\n    execution.checkpointing.interval: 1s\n"


@dataclass
class FaultCluster:
    """The suite's cluster; ``restart`` brings it back on the same port and directory."""

    info: ClusterInfo
    client: FlinkClient
    started: list[int] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.info.url.rsplit(":", 1)[1])

    def kill(self, role: str) -> None:
        """kill -9 one of the cluster's processes, by its PID."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.info.pids[role], signal.SIGKILL)

    def restart(self) -> None:
        """Kill what is left of the cluster (by PID) and start it again: same port, same
        directory (its checkpoints and savepoints), no jobs (no HA)."""
        for role in ("jobmanager", "taskmanager"):
            self.kill(role)
        # SIGKILL is asynchronous: the port listens until the killed JobManager is gone
        wait_until(
            lambda: not _listening(self.port), what=f"port {self.port} to stop listening"
        )
        home = os.environ.get("FLINKOPS_TEST_FLINK_HOME") or None
        self.info = LocalCluster(self.info.dir).up(
            port=self.port, slots=4, flink_home=home, timeout=180
        )


def _listening(port: int) -> bool:
    """Whether something still listens on ``port`` on loopback: the check `local up` makes.
    (Not a bind test: the killed server's connections sit in TIME_WAIT for a minute, and a
    bind without SO_REUSEADDR fails on them although the JVM would bind fine.)"""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def fault_cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FaultCluster]:
    directory = tmp_path_factory.mktemp("flink-faults")
    with local_cluster(directory, slots=4, session=request.session) as info:
        client = FlinkClient(info.url, timeout=30.0)
        cluster = FaultCluster(info, client)
        yield cluster
        client.close()
        LocalCluster(directory).down()  # a restarted cluster too, by its PIDs


@dataclass
class FaultWorld:
    project: Project
    proxy: FaultProxy
    cluster: FaultCluster
    env: dict[str, str] = field(default_factory=dict)

    @property
    def client(self) -> FlinkClient:
        return self.cluster.client

    def apply(self, *extra: str) -> tuple[int, str]:
        done = self.project.apply(*extra, env=self.env)
        return done.returncode, done.stdout + done.stderr

    def history(self) -> list[dict]:
        done = self.project.run("history", JOB, "--format", "json", env=self.env)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def write(self, rate: int) -> None:
        self.project.write_job(JOB, stateful_sql(rate=rate), extra=EXTRA)

    def runs(self) -> list:
        return [j for j in read_live(self.client, self.project.target) if j.managed_name == JOB]

    def running(self) -> list:
        return [j for j in self.runs() if j.state == "RUNNING"]

    def wait_checkpoint(self, job_id: str) -> str:
        """The path of a completed checkpoint of ``job_id``, waited for."""

        def probe() -> str | None:
            done = self.client.checkpoints(job_id).latest.completed
            return done.external_path if done else None

        return wait_until(probe, what=f"a completed checkpoint of {job_id}", timeout=60)


@pytest.fixture
def world(tmp_path: Path, fault_cluster: FaultCluster) -> Iterator[FaultWorld]:
    """A project whose target is a fault proxy in front of the suite's cluster."""
    proxy = FaultProxy(fault_cluster.port)
    target = f"f{tmp_path.name[-12:].lower().replace('_', '-')}".strip("-")
    (tmp_path / "jobs").mkdir()
    (tmp_path / "flinkops.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: Project\n"
        f"defaultTarget: {target}\ntargets:\n  {target}:\n    url: {proxy.url}\n"
        "    health: {window: 2s, timeout: 60s}\n"
    )
    project = Project(tmp_path, target, fault_cluster.client)
    yield FaultWorld(project, proxy, fault_cluster)
    proxy.close()
    for job in read_live(fault_cluster.client, target):  # never leave a job running
        if job.managed_name and job.active:
            with contextlib.suppress(Exception):
                fault_cluster.client.cancel(job.job_id)
