"""A second TaskManager for a test's own local cluster, and killing the one a job runs on.

A test that kills a TaskManager starts its own cluster (``conftest.local_cluster``):
the session cluster's TaskManager serves every other test. ``extra_taskmanager`` starts
one more TaskManager of that cluster under a known resource id (Flink's
``taskmanager.resource-id``), so the TaskManager a job runs on
(``GET /jobs/:id/vertices/:v/taskmanagers``) is known by PID, and stops it by PID
whatever happens.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Iterator

from flinkops.flink.local import LocalCluster, find_flink_home, find_java
from flinkops.flink.local._process import (
    TM_CLASS,
    alive,
    flink_env,
    jvm_command,
    resource_params,
    start_detached,
    stop_pids,
)
from flinkops.flink.rest import FlinkClient
from tests.integration._wait import wait_until

__all__ = ["extra_taskmanager", "kill_taskmanager_of", "taskmanagers_of"]


@contextlib.contextmanager
def extra_taskmanager(cluster: LocalCluster, client: FlinkClient, name: str) -> Iterator[int]:
    """Start one more TaskManager of ``cluster`` with resource id ``name``; its PID.
    Waits until it registered; always stopped (by PID) on the way out."""
    java, _ = find_java()
    state = json.loads(cluster.state_file.read_text())
    home = find_flink_home(os.environ.get("FLINKOPS_TEST_FLINK_HOME") or state["flink_home"])
    jvm, dynamic = resource_params(java, home, cluster.conf_dir, "GET_TM_RESOURCE_PARAMS")
    log = cluster.log_dir / f"taskmanager-{name}.log"
    cmd = jvm_command(
        java, home, TM_CLASS, jvm, [*dynamic, "-D", f"taskmanager.resource-id={name}"],
        conf_dir=cluster.conf_dir, log_file=log,
    )  # fmt: skip
    pid = start_detached(
        cmd,
        env=flink_env(home, cluster.conf_dir, cluster.log_dir),
        out_file=cluster.log_dir / f"taskmanager-{name}.out",
        cwd=cluster.dir,
        role=f"taskmanager {name}",
    )
    try:
        wait_until(
            lambda: name in {tm.id for tm in client.taskmanagers()} or None,
            what=f"TaskManager {name} registered",
            timeout=120,
        )
        yield pid
    finally:
        stop_pids([pid], timeout=10)


def taskmanagers_of(client: FlinkClient, job_id: str) -> set[str]:
    """The resource ids of the TaskManagers that run ``job_id``'s tasks."""
    ids: set[str] = set()
    for vertex in client.job(job_id).vertices:
        data = client.get_json(f"/jobs/{job_id}/vertices/{vertex.id}/taskmanagers")
        ids |= {tm["taskmanager-id"] for tm in data.get("taskmanagers", [])}
    return ids


def kill_taskmanager_of(client: FlinkClient, job_id: str, pids: dict[str, int]) -> str:
    """SIGKILL the TaskManager (one of ``pids``, by resource id) that runs ``job_id``;
    the id of the one killed."""
    [running] = taskmanagers_of(client, job_id)
    pid = pids[running]
    assert alive(pid), f"TaskManager {running} (pid {pid}) is not running"
    os.kill(pid, signal.SIGKILL)
    return running
