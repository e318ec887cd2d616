"""Fixtures for tests against a real Flink cluster (one per test session: under
``make test``, one per pytest-xdist worker).

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
which a savepoint needs). ``deploy_managed(ws, spec, started)`` submits a spec as
flinkops would (carrying its identity) and records the version, without apply.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from flinkops.errors import FlinkError, LocalClusterError
from flinkops.flink.identity import JobIdentity
from flinkops.flink.local import ClusterInfo, LocalCluster, find_java, free_port
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import ensure_uploaded, submit_sql
from flinkops.spec import JobSpec
from flinkops.store import VersionRecord
from flinkops.workspace import Workspace

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
TERMINAL = {"FAILED", "CANCELED", "FINISHED"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.integration)


@contextmanager
def local_cluster(
    directory: Path,
    *,
    slots: int,
    prometheus: bool = False,
    adaptive: bool = False,
    session: pytest.Session | None = None,
    conf: dict[str, str] | None = None,
) -> Iterator[ClusterInfo]:
    """A local Flink cluster on free ports in ``directory``; always stopped (by PID).

    When ``session`` has failed tests by then, the cluster's logs are kept under
    ``.artifacts/flink-logs/`` (temporary directories do not outlive a few runs).
    """
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
        yield cluster.up(
            port=free_port(),
            slots=slots,
            flink_home=os.environ.get("FLINKOPS_TEST_FLINK_HOME") or None,
            timeout=180,
            prometheus=prometheus,
            adaptive_scheduler=adaptive,
            conf=conf,
        )
    finally:
        cluster.down()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if session is not None and session.testsfailed:
            keep_logs(directory)


def keep_logs(directory: Path) -> Path:
    """Copy a cluster's ``log/`` to ``.artifacts/flink-logs/<worker>-<dir name>/``."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    kept = REPO / ".artifacts" / "flink-logs" / f"{worker}-{directory.name}"
    shutil.copytree(directory / "log", kept, dirs_exist_ok=True)
    return kept


@pytest.fixture(scope="session")
def flink_cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ClusterInfo]:
    """One local Flink cluster for the whole session, on free ports; always stopped."""
    # Tests run up to ~7 small jobs at once (test_ops's fixture alone starts 6), and a
    # cancelled job frees its slot only a moment later: with too few slots a job whose
    # restart strategy is none fails with NoResourceAvailableException. The monitoring
    # tests scrape it with a real Prometheus.
    directory = tmp_path_factory.mktemp("flink-cluster")
    with local_cluster(directory, slots=12, prometheus=True, session=request.session) as info:
        yield info


@pytest.fixture(scope="session")
def adaptive_flink_cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ClusterInfo]:
    """A second cluster running the adaptive scheduler (in-place rescale); started only
    when a test asks for it, stopped at the end of the session."""
    directory = tmp_path_factory.mktemp("flink-adaptive")
    with local_cluster(directory, slots=4, adaptive=True, session=request.session) as info:
        yield info


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
    cancel_jobs(flink_client, jobs)


def cancel_jobs(client: FlinkClient, job_ids: list[str]) -> None:
    """Cancel those of ``job_ids`` that still run (teardown: errors are ignored)."""
    for job_id in job_ids:
        try:
            if client.job(job_id).state not in TERMINAL:
                client.cancel(job_id)
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


def deploy_managed(ws: Workspace, spec: JobSpec, started: list[str], version: int = 1) -> str:
    """Submit ``spec`` on ws's target carrying its identity (without a project id, as
    jobs submitted before projects had ids: the store's record of its id makes it the
    project's), record the version (no apply); the job id is appended to ``started``
    for the caller to cancel."""
    job_id = submit_sql(
        ws.client,
        job_name=spec.name,
        statements=spec.statements,
        identity=JobIdentity(spec.name, version, spec.spec_hash, ws.target),
        parallelism=1,
        flink_configuration=spec.flink_configuration,
    )
    started.append(job_id)
    ws.store.record_version(
        VersionRecord(
            target=ws.target,
            job=spec.name,
            version=version,
            spec_hash=spec.spec_hash,
            sql_hash=spec.sql_hash,
            config_hash=spec.config_hash,
            spec=spec.to_json(),
            sql=spec.sql,
            job_id=job_id,
            outcome="applied",
        )
    )
    return job_id
