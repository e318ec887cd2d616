"""Fixtures for tests against a real Flink cluster (one per test session).

Every test under tests/integration gets the ``integration`` marker. The
session's cluster starts on a free REST port in a temporary directory and is
always stopped at the end (also when tests fail). Set FLINKOPS_TEST_FLINK_HOME
to run against another Flink distribution (e.g. 1.20, see
scripts/test-flink-1.20.sh). Without Java the tests are skipped, with a reason.

Fixtures: ``flink_cluster`` (ClusterInfo), ``adaptive_flink_cluster`` (a second
cluster with the adaptive scheduler, started on first use), ``flink_client`` (FlinkClient),
``runner_jar_id``, ``submitted_jobs`` (append job ids: cancelled at teardown),
``wait_for_state`` (``wait_for_state(job_id, "RUNNING", timeout=60)``),
``wait_for_tasks`` (``wait_for_tasks(job_id)``: the job and all its tasks RUNNING,
which a savepoint needs).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from flinkops.errors import FlinkError, LocalClusterError
from flinkops.flink.local import ClusterInfo, LocalCluster, find_java, free_port
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import ensure_uploaded

HERE = Path(__file__).resolve().parent
TERMINAL = {"FAILED", "CANCELED", "FINISHED"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def flink_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterInfo]:
    """One local Flink cluster for the whole session, on free ports; always stopped."""
    yield from _session_cluster(tmp_path_factory.mktemp("flink-cluster"))


@pytest.fixture(scope="session")
def adaptive_flink_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterInfo]:
    """A second cluster running the adaptive scheduler (in-place rescale); started only
    when a test asks for it, stopped at the end of the session."""
    yield from _session_cluster(tmp_path_factory.mktemp("flink-adaptive"), adaptive=True)


def _session_cluster(directory: Path, *, adaptive: bool = False) -> Iterator[ClusterInfo]:
    try:
        find_java()
    except LocalClusterError as exc:
        pytest.skip(f"integration tests need Java 11+: {exc}")
    cluster = LocalCluster(directory)
    # `timeout pytest ...` and CI cancellations send SIGTERM, which would end Python
    # without running finalizers; as an interrupt, pytest still tears this down.
    try:
        previous = signal.signal(signal.SIGTERM, _interrupt)
    except ValueError:  # not the main thread: leave signals alone
        previous = None
    try:
        info = cluster.up(
            port=free_port(),
            # Tests run up to ~7 small jobs at once (test_ops's fixture alone starts 6),
            # and a cancelled job frees its slot only a moment later: with too few slots
            # a job whose restart strategy is none fails with NoResourceAvailableException.
            slots=12 if not adaptive else 4,
            flink_home=os.environ.get("FLINKOPS_TEST_FLINK_HOME") or None,
            timeout=180,
            adaptive_scheduler=adaptive,
        )
        yield info
    finally:
        cluster.down()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}: stopping the test Flink cluster")


@pytest.fixture(scope="session")
def flink_client(flink_cluster: ClusterInfo) -> Iterator[FlinkClient]:
    with FlinkClient(flink_cluster.url, timeout=30.0) as client:
        yield client


@pytest.fixture(scope="session")
def runner_jar_id(flink_client: FlinkClient) -> str:
    return ensure_uploaded(flink_client)


@pytest.fixture
def submitted_jobs(flink_client: FlinkClient) -> Iterator[list[str]]:
    """Append the ids of jobs a test starts; those still running are cancelled after it."""
    jobs: list[str] = []
    yield jobs
    for job_id in jobs:
        try:
            if flink_client.job(job_id).state not in TERMINAL:
                flink_client.cancel(job_id)
        except FlinkError:
            pass


@pytest.fixture
def wait_for_state(flink_client: FlinkClient) -> Callable[..., str]:
    """``wait_for_state(job_id, *states, timeout=60)``: poll until the job is in one of states."""

    def wait(job_id: str, *states: str, timeout: float = 60.0) -> str:
        return wait_state(flink_client, job_id, *states, timeout=timeout)

    return wait


def wait_state(client: FlinkClient, job_id: str, *states: str, timeout: float = 60.0) -> str:
    """Poll until the job is in one of ``states``; fail fast when it ends elsewhere."""
    deadline = time.monotonic() + timeout
    state = ""
    while time.monotonic() < deadline:
        state = client.job(job_id).state
        if state in states:
            return state
        if state in TERMINAL:
            break
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} is {state}, expected one of {states}")


@pytest.fixture
def wait_for_tasks(flink_client: FlinkClient) -> Callable[..., None]:
    """``wait_for_tasks(job_id, timeout=60)``: poll until the job and all its tasks run."""

    def wait(job_id: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        details = flink_client.job(job_id)
        while time.monotonic() < deadline:
            details = flink_client.job(job_id)
            if details.tasks_running:
                return
            if details.state in TERMINAL:
                break
            time.sleep(0.2)
        statuses = {v.name: v.status for v in details.vertices}
        raise AssertionError(f"job {job_id} is {details.state} with tasks {statuses}")

    return wait
