"""`flinkops ui` served for real: a subprocess on a free port over a project whose
jobs run on the session's Flink cluster, and headless Chromium driving it.

Jobs (target ``ui-it``): ``ui-live`` running with checkpoints, ``ui-paused``
stopped with a savepoint (suspended), ``ui-failing`` FAILED with markup in its
exception text, and an unmanaged job whose name is markup. The console, its jobs
and the browser are set up once for every module here (one worker runs them all:
tests/xdist_groups.py), in file order. Every process and job started here is
stopped at the end, also when a test fails. Screenshots go to
.artifacts/screenshots/ (gitignored).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from flinkops.flink.local import ClusterInfo, free_port
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import build_run_body, ensure_uploaded
from flinkops.workspace import open_workspace
from tests.conftest import REPO
from tests.integration.conftest import cancel_jobs, deploy_managed, local_cluster, wait_state
from tests.integration.test_ops import SUM_SQL, _job, _stop_with_savepoint

TARGET = "ui-it"
CHROMIUM = "/usr/bin/chromium"
SHOTS = REPO / ".artifacts" / "screenshots"
EVIL_NAME = '<script>window.__xss="name"</script><img src=x onerror="window.__xss=\'img\'">'
EVIL_TEXT = "<img src=x onerror=window.__xss=1>"
# the cast fails on a value that holds markup, so Flink's exception text carries it
EVIL_SQL = (
    f"CREATE TABLE words (s STRING) WITH ('connector' = 'datagen', 'rows-per-second' = '5', "
    f"'fields.s.length' = '3');\n"
    "CREATE TABLE nums (i INT) WITH ('connector' = 'blackhole');\n"
    f"INSERT INTO nums SELECT CAST(CONCAT('{EVIL_TEXT}', s) AS INT) FROM words;\n"
)
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@dataclass
class Console:
    url: str
    root: Path
    ids: dict[str, str]
    pid: int


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"flinkops ui exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"flinkops ui did not listen on {port} within {timeout}s")


@pytest.fixture(scope="package")
def flink_cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ClusterInfo]:
    """The console's own cluster: the overview counts every job a cluster lists (Flink keeps
    ended jobs for an hour), so its counts are exact only on a cluster no other module used."""
    directory = tmp_path_factory.mktemp("ui-cluster")
    with local_cluster(directory, slots=6, session=request.session) as info:
        yield info


@pytest.fixture(scope="package")
def flink_client(flink_cluster: ClusterInfo) -> Iterator[FlinkClient]:
    with FlinkClient(flink_cluster.url, timeout=30.0) as client:
        yield client


@pytest.fixture(scope="package")
def runner_jar_id(flink_client: FlinkClient) -> str:
    return ensure_uploaded(flink_client)


@pytest.fixture(scope="package")
def serve() -> Iterator[Any]:
    """``serve(*args) -> (url, process)``: `flinkops ui ARGS` on a free port; stopped after."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(*args: str, host: str = "127.0.0.1") -> tuple[str, subprocess.Popen[bytes]]:
        port = free_port()
        exe = Path(sys.executable).with_name("flinkops")
        cmd = [str(exe), "ui", "--host", host, "--port", str(port), *args]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        procs.append(proc)
        _wait_port(port, proc)
        return f"http://127.0.0.1:{port}", proc

    try:
        yield start
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _project(root: Path, url: str) -> None:
    (root / "flinkops.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: Project\njobs: [jobs/]\nstore: .flinkops/state.db\n"
        f"defaultTarget: {TARGET}\ntargets:\n  {TARGET}:\n    url: {url}\n"
        "    health: {window: 2s}\n"
    )
    jobs = root / "jobs"
    jobs.mkdir()
    conf = {"execution.checkpointing.interval": "1s"}
    (jobs / "ui-live.yaml").write_text(_job("ui-live", SUM_SQL, conf=conf))
    (jobs / "ui-paused.yaml").write_text(_job("ui-paused", SUM_SQL, state="suspended"))
    failing = {"restart-strategy.type": "none"}
    (jobs / "ui-failing.yaml").write_text(_job("ui-failing", EVIL_SQL, conf=failing))


@pytest.fixture(scope="package")
def console(
    flink_cluster: ClusterInfo,
    flink_client: FlinkClient,
    runner_jar_id: str,
    tmp_path_factory: pytest.TempPathFactory,
    serve: Any,
) -> Iterator[Console]:
    root = tmp_path_factory.mktemp("ui-project")
    _project(root, flink_cluster.url)
    started: list[str] = []
    ws = open_workspace(root, TARGET)
    try:
        ids = {
            name: deploy_managed(ws, ws.spec(name), started)
            for name in ("ui-live", "ui-paused", "ui-failing")
        }
        body = build_run_body(
            job_name=EVIL_NAME, statements=SUM_SQL.split(";\n")[:3], parallelism=1
        )
        ids["unmanaged"] = flink_client.run_jar(runner_jar_id, body)
        started.append(ids["unmanaged"])
        for name in ("ui-live", "ui-paused", "unmanaged"):
            wait_state(flink_client, ids[name], "RUNNING")
        location = _stop_with_savepoint(flink_client, ids["ui-paused"])
        ws.store.update_version(TARGET, "ui-paused", 1, outcome="suspended", savepoint=location)
        ws.store.record_savepoint(
            TARGET, "ui-paused", location, kind="suspend", job_id=ids["ui-paused"], version=1
        )
        wait_state(flink_client, ids["ui-failing"], "FAILED")
        url, proc = serve("--project", str(root), "--allow-actions", "--refresh", "1")
        yield Console(url, root, ids, proc.pid)
    finally:
        cancel_jobs(flink_client, started)
        ws.close()


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM) and not shutil.which("chromium"):
        pytest.skip(f"browser tests need the Debian chromium package ({CHROMIUM} not found)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    try:
        yield page
    finally:
        context.close()


def shot(page: Any, name: str) -> Path:
    """Keep a screenshot of the page as a test artifact."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
