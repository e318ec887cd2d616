"""The `flinkops plan` command's seams in tests: a Flink REST API serving fixed jobs
(``fake_flink``), a project on disk, a version recorded as applied."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

import flinkops.workspace
from flinkops.apply.versions import reserve_version
from flinkops.cli import main as cli_main
from flinkops.flink.identity import JobIdentity
from flinkops.flink.runner import runner_jar_name
from flinkops.spec import JobSpec, load_project
from flinkops.store import Store

__all__ = ["FakeFlink", "fake_flink", "record_applied", "run_plan", "write_project"]

GRAPHS = Path(__file__).parent.parent / "data" / "flink_plans"

PROJECT = """\
apiVersion: flinkops/v1
kind: Project
jobs: [jobs/]
defaultTarget: local
targets:
  local:
    url: {url}
project: unit
"""


def _rejected(statements: list[str]) -> httpx.Response:
    """What Flink 2.3 answers when the SQL runner's statement naming ``nowhere`` fails
    validation (the shape seen on a real cluster: the runner's mark, Flink's
    statement-relative position); the message quotes the statement, as some of Flink's do."""
    index = next(i for i, s in enumerate(statements) if "nowhere" in s)
    statement = statements[index]
    before = statement[: statement.index("nowhere")]
    line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
    where = f"From line {line}, column {col} to line {line}, column {col + 6}"
    text = f"SQL validation failed. {where}: Object 'nowhere' not found in: {statement}"
    trace = (
        "<Exception on server side:\n"
        "org.apache.flink.client.program.ProgramInvocationException: The main method caused "
        f"an error: flinkops statement {index}: {text}\n"
        "\tat flinkops.runner.SqlRunner.main(SqlRunner.java:62)\n"
        f"Caused by: java.lang.IllegalStateException: flinkops statement {index}: {text}\n"
        f"Caused by: org.apache.flink.table.api.ValidationException: {text}\n"
        "\nEnd of exception on server side>"
    )
    return httpx.Response(500, json={"errors": ["Internal server error.", trace]})


class FakeFlink:
    """A Flink REST API serving fixed jobs, for the command's wiring (no compiling)."""

    def __init__(self, jobs: list[dict] | None = None) -> None:
        self.jobs = jobs or []
        self.hidden: set[str] = set()  # job ids whose config answers 500
        self.compiled: list[dict] = []  # bodies of jars/:id/plan requests
        self.flink_version = "2.3.0"  # what /overview and /config say

    def _plan(self, request: httpx.Request) -> httpx.Response:
        """Answer jars/:id/plan with a real Flink 2.3 graph chosen by the SQL sent."""
        body = json.loads(request.content)
        statements = json.loads(base64.b64decode(body["programArgsList"][1]))
        self.compiled.append({"statements": statements, "conf": body["flinkConfiguration"]})
        sql = " ".join(statements)
        if "nowhere" in sql:
            return _rejected(statements)
        name = "max" if "MAX(" in sql else ("sum_filter" if "WHERE" in sql else "sum")
        return httpx.Response(200, json={"plan": json.loads((GRAPHS / f"{name}.json").read_text())})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path in ("/overview", "/config"):
            return httpx.Response(200, json={"flink-version": self.flink_version})
        if path == "/jobmanager/config":
            return httpx.Response(
                200, json=[{"key": "state.savepoints.dir", "value": "file:///sp"}]
            )
        if path == "/jars":
            return httpx.Response(
                200, json={"files": [{"id": "runner.jar", "name": runner_jar_name()}]}
            )
        if path == "/jars/runner.jar/plan":
            return self._plan(request)
        if path == "/jobs/overview":
            return httpx.Response(200, json={"jobs": [dict(j["summary"]) for j in self.jobs]})
        for job in self.jobs:
            if (
                path == f"/jobs/{job['summary']['jid']}/config"
                and job["summary"]["jid"] in self.hidden
            ):
                return httpx.Response(500, json={"errors": ["Internal server error."]})
            if path == f"/jobs/{job['summary']['jid']}/config":
                return httpx.Response(
                    200, json={"jid": job["summary"]["jid"], "execution-config": job["config"]}
                )
        return httpx.Response(404, json={"errors": [f"Not found: {path}"]})

    def add(
        self, name: str, state: str, identity: JobIdentity | None, *, project: str = "unit"
    ) -> str:
        """A job; its identity carries ``project`` (the test project's id) unless it
        names its own (``project=""``: a job submitted before projects had ids)."""
        jid = f"{len(self.jobs) + 1:032x}"
        if identity is not None and not identity.project:
            identity = replace(identity, project=project)
        user = identity.to_params() if identity else {}
        self.jobs.append(
            {
                "summary": {"jid": jid, "name": name, "state": state, "start-time": 1000},
                "config": {"user-config": user},
            }
        )
        return jid


@pytest.fixture
def fake_flink(monkeypatch) -> FakeFlink:
    fake = FakeFlink()
    real = flinkops.workspace.FlinkClient

    def client(url: str, **kw):
        return real(url, transport=httpx.MockTransport(fake), retries=0, **kw)

    monkeypatch.setattr(flinkops.workspace, "FlinkClient", client)
    return fake


def run_plan(project: Path, *args: str) -> Result:
    return CliRunner().invoke(cli_main, ["plan", "--project", str(project), *args])


def write_project(root: Path, jobs: dict[str, str], url: str = "http://flink.test:8081") -> Path:
    (root / "jobs").mkdir(parents=True, exist_ok=True)
    (root / "flinkops.yaml").write_text(PROJECT.format(url=url))
    for name, text in jobs.items():
        (root / "jobs" / name).write_text(text)
    return root


def record_applied(
    project: Path, spec: JobSpec, version: int = 1, job_id: str | None = None
) -> None:
    """Record ``spec`` as applied, the way apply stores it (portable, secrets masked),
    with the id of the job it submitted (``job_id``) when given."""
    loaded = load_project(project)
    with Store(loaded.store_location) as store:
        reserve_version(store, "local", spec, version, None)
        store.update_version("local", spec.name, version, outcome="applied", job_id=job_id)
