"""A project whose target is a closed port (the cluster "unreachable"), with a store
holding two versions and some events of ``job-a``; and an app over it, in process."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from flinkops.flink.local import free_port
from flinkops.flink.rest import FlinkClient
from flinkops.store import Store, VersionRecord
from flinkops.ui import UiConfig, create_app
from flinkops.workspace import open_workspace
from tests.conftest import JOB_SQL, job_yaml

SECRET = "hunter2-console"
EVIL = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'


def _version(root: Path, n: int, sql: str, parallelism: int) -> VersionRecord:
    with open_workspace(root, None) as ws:
        spec = ws.spec("job-a")
        assert spec is not None
        body = {**spec.to_json(), "parallelism": parallelism, "sql": sql}
        return VersionRecord(
            target="local", job="job-a", version=n, spec_hash=f"hash{n}", sql_hash=f"s{n}",
            config_hash=f"c{n}", spec=body, sql=sql, outcome="applied", message=f"v{n}",
        )  # fmt: skip


@pytest.fixture
def project(make_project: Callable[..., Path]) -> Path:
    """job-a (two versions, events, one with markup in it) on an unreachable target."""
    yaml = (
        "apiVersion: flinkops/v1\nkind: Project\njobs: [jobs/]\nstore: state.db\n"
        f"defaultTarget: local\ntargets:\n  local:\n    url: http://127.0.0.1:{free_port()}\n"
    )
    extra = f"state: running\nflinkConfiguration:\n  custom.password: {SECRET}\n"
    root = make_project({"jobs/a.yaml": job_yaml(extra=extra)}, project=yaml)
    with Store(str(root / "state.db")) as store:
        store.record_version(_version(root, 1, JOB_SQL, 1))
        store.record_version(_version(root, 2, JOB_SQL.replace("SUM(v)", "MAX(v)"), 2))
        store.add_event("local", "job-a", "submit", f"submitted; Flink said {EVIL}")
        store.add_event("local", "job-a", "submit", f"a log line leaked {SECRET}")
    return root


@pytest.fixture
def make_client(project: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., TestClient]:
    # a refused connection is final here: no retries with back-off (they take ~2 s a request)
    monkeypatch.setattr("flinkops.workspace.FlinkClient", functools.partial(FlinkClient, retries=0))

    def make(**config: object) -> TestClient:
        app = create_app(UiConfig(project_dir=project, reconnect_timeout=0, **config))  # type: ignore[arg-type]
        return TestClient(app, base_url="http://127.0.0.1:8088")

    return make


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()
