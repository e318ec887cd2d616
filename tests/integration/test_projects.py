"""Two projects on one session cluster (the session's real Flink): the same target
name and the same job names, separate stores; each leaves the other's jobs alone.

Project ``first`` sets ``project: team-a``; project ``second`` keeps the default id
(its folder's name: it is not in git). A job submitted before projects had ids
(``deploy_managed``: no ``flinkops.project``) and recorded in the first project's
store is the first's. The one fault a real cluster cannot produce on demand, a job
configuration that cannot be read, comes from an ``httpx`` transport wrapped around
the real one. Every job started here is cancelled at the end.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from flinkops.cli import main
from flinkops.errors import PlanError
from flinkops.flink.live import ACTIVE_STATES, Scope, read_live
from flinkops.flink.local import ClusterInfo
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import build_run_body
from flinkops.plan.observe import make_plan
from flinkops.workspace import open_workspace
from tests.integration.conftest import cancel_jobs, deploy_managed, wait_state

TARGET = "shared"
SQL = (
    "CREATE TABLE src (k INT, v BIGINT) WITH ('connector' = 'datagen', "
    "'rows-per-second' = '20', 'fields.k.min' = '1', 'fields.k.max' = '5');\n"
    "CREATE TABLE snk (k INT, total BIGINT) WITH ('connector' = 'blackhole');\n"
    "INSERT INTO snk SELECT k, SUM(v) FROM src GROUP BY k;\n"
)

STATEMENTS = [s.strip() for s in SQL.split(";\n") if s.strip()]


def _job(name: str, state: str = "running") -> str:
    return (
        f"apiVersion: flinkops/v1\nkind: SqlJob\nmetadata:\n  name: {name}\nspec:\n"
        f"  state: {state}\n  parallelism: 1\n  sql: |\n{textwrap.indent(SQL, '    ')}"
    )


def _project(root: Path, url: str, jobs: dict[str, str], head: str = "") -> Path:
    (root / "jobs").mkdir(parents=True)
    (root / "flinkops.yaml").write_text(
        f"apiVersion: flinkops/v1\nkind: Project\n{head}jobs: [jobs/]\n"
        f"store: .flinkops/state.db\ndefaultTarget: {TARGET}\n"
        f"targets:\n  {TARGET}:\n    url: {url}\n    health: {{window: 1s, timeout: 90s}}\n"
    )
    for name, text in jobs.items():
        (root / "jobs" / f"{name}.yaml").write_text(text)
    return root


def cli(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--project", str(root)])


@dataclass
class Projects:
    first: Path
    second: Path
    xa: str  # the first project's xa-agg, applied
    legacy: str  # a job without a project id, recorded in the first project's store


@pytest.fixture(scope="module")
def projects(
    flink_cluster: ClusterInfo, flink_client: FlinkClient, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Projects]:
    base = tmp_path_factory.mktemp("projects")
    first = _project(
        base / "first",
        flink_cluster.url,
        {"xa-agg": _job("xa-agg"), "old-agg": _job("old-agg")},
        head="project: team-a\n",
    )
    # the second project: no xa-agg spec (so --prune would delete a job of its own of
    # that name) and a cancelled one, so applying it starts nothing
    second = _project(base / "second", flink_cluster.url, {"xb-agg": _job("xb-agg", "cancelled")})
    started: list[str] = []
    try:
        with open_workspace(first, TARGET) as ws:
            legacy = deploy_managed(ws, ws.spec("old-agg"), started)  # carries no project id
        applied = cli(first, "apply", "--auto-approve", "--job", "xa-agg")
        assert applied.exit_code == 0, applied.output
        [xa] = [
            j.job_id
            for j in read_live(flink_client, Scope(TARGET, "team-a"))
            if j.managed_name == "xa-agg" and j.active
        ]
        started.append(xa)
        wait_state(flink_client, legacy, "RUNNING")
        yield Projects(first, second, xa, legacy)
    finally:
        cancel_jobs(flink_client, started)


def test_the_second_projects_prune_never_touches_the_firsts_jobs(
    projects: Projects, flink_client: FlinkClient
) -> None:
    planned = cli(projects.second, "plan", "--prune", "--format", "json")
    assert planned.exit_code == 0, planned.output  # xb-agg: not started, nothing to do
    plan = json.loads(planned.output)
    assert [(c["job"], c["action"]) for c in plan["changes"]] == [("xb-agg", "noop")]
    foreign = {j["job_id"]: j for j in plan["unmanaged"]}
    assert foreign[projects.xa]["project"] == "team-a"
    assert foreign[projects.legacy]["project"] == ""  # no id, and not in this store
    text = cli(projects.second, "plan", "--prune").output
    assert f"{projects.xa}  xa-agg  RUNNING  (project team-a)" in text
    applied = cli(projects.second, "apply", "--prune", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    for job_id in (projects.xa, projects.legacy):
        assert flink_client.job(job_id).state == "RUNNING"  # left alone

    status = json.loads(cli(projects.second, "status", "--format", "json").output)
    assert [j["name"] for j in status["jobs"]] == ["xb-agg"]
    owners = {u["job_id"]: u.get("project") for u in status["unmanaged"]}
    assert (owners[projects.xa], owners[projects.legacy]) == ("team-a", "")
    refused = cli(projects.second, "savepoint", "xa-agg")
    assert refused.exit_code == 1 and "not running" in refused.output


def test_a_job_of_the_same_name_in_the_second_project_is_its_own(
    projects: Projects, tmp_path: Path, flink_cluster: ClusterInfo
) -> None:
    other = _project(tmp_path / "second-xa", flink_cluster.url, {"xa-agg": _job("xa-agg")})
    plan = json.loads(cli(other, "plan", "--format", "json", "--no-compat").output)
    [change] = plan["changes"]
    assert (change["job"], change["action"]) == ("xa-agg", "create")  # not the first's run
    assert any(
        f"project team-a's job of that name is RUNNING ({projects.xa})" in w
        for w in plan["warnings"]
    ), plan["warnings"]


def test_the_first_project_still_owns_its_jobs_and_adopts_the_legacy_one(
    projects: Projects,
) -> None:
    plan = json.loads(cli(projects.first, "plan", "--prune", "--format", "json").output)
    actions = {c["job"]: (c["action"], c["live"]["job_id"]) for c in plan["changes"]}
    assert actions == {
        "old-agg": ("noop", projects.legacy),  # adopted: its id is in this store
        "xa-agg": ("noop", projects.xa),
    }
    assert projects.xa not in {j["job_id"] for j in plan["unmanaged"]}
    status = json.loads(cli(projects.first, "status", "--format", "json").output)
    rows = {j["name"]: j for j in status["jobs"]}
    assert rows["old-agg"]["job_id"] == projects.legacy and rows["old-agg"]["in_sync"]


class _Unreadable(httpx.BaseTransport):
    """The real cluster, except that one job's configuration answers 500; records
    every configuration read."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.real = httpx.HTTPTransport()
        self.configs: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "jobs" and parts[2] == "config":
            self.configs.append(parts[1])
            if parts[1] == self.job_id:
                return httpx.Response(500, json={"errors": ["Internal server error."]})
        return self.real.handle_request(request)


def test_an_unreadable_foreign_job_is_a_warning_and_finished_ones_are_not_read(
    projects: Projects,
    flink_cluster: ClusterInfo,
    flink_client: FlinkClient,
    runner_jar_id: str,
) -> None:
    ended = flink_client.run_jar(  # a finished job no project's store knows
        runner_jar_id,
        build_run_body(job_name="adhoc-ended", statements=STATEMENTS),
    )
    try:
        wait_state(flink_client, ended, "RUNNING")
    finally:
        flink_client.cancel(ended)
    wait_state(flink_client, ended, "CANCELED")
    fault = _Unreadable(projects.xa)
    client = FlinkClient(flink_cluster.url, transport=fault, retries=0)
    with open_workspace(projects.second, TARGET) as ws:
        plan = make_plan(
            client, ws.store, target=TARGET, url=ws.url, specs=ws.specs,
            check_compat=False, project=ws.project.project_id,
        )  # fmt: skip
        recorded = set(ws.store.job_ids(TARGET))
    [warning] = [w for w in plan.warnings if projects.xa in w]
    assert "could not be read" in warning and "taken for another's" in warning
    active = {s.id for s in flink_client.jobs() if s.state in ACTIVE_STATES}
    assert ended not in fault.configs
    assert set(fault.configs) <= active | recorded, "a plan read a finished foreign job"
    with open_workspace(projects.first, TARGET) as ws, pytest.raises(PlanError, match=projects.xa):
        make_plan(  # the first project's own job: it may not act beside it
            client, ws.store, target=TARGET, url=ws.url, specs=ws.specs,
            check_compat=False, project=ws.project.project_id,
        )  # fmt: skip
    client.close()


def test_savepoints_are_recorded_with_the_flink_that_wrote_them(
    projects: Projects, flink_client: FlinkClient
) -> None:
    """Last in the module: it suspends the adopted legacy job."""
    taken = cli(projects.first, "savepoint", "xa-agg", "--format", "json")
    assert taken.exit_code == 0, taken.output
    (projects.first / "jobs" / "old-agg.yaml").write_text(_job("old-agg", "suspended"))
    suspended = cli(projects.first, "apply", "--auto-approve", "--job", "old-agg")
    assert suspended.exit_code == 0, suspended.output
    version = flink_client.version()
    with open_workspace(projects.first, TARGET) as ws:
        [manual] = ws.store.savepoints(TARGET, "xa-agg")
        [stop] = ws.store.savepoints(TARGET, "old-agg")
    assert (manual.kind, manual.flink_version) == ("manual", version)
    assert (stop.kind, stop.flink_version) == ("suspend", version)
    # the same Flink reads it: resuming is planned, not blocked
    (projects.first / "jobs" / "old-agg.yaml").write_text(_job("old-agg"))
    plan = json.loads(cli(projects.first, "plan", "--job", "old-agg", "--format", "json").output)
    [change] = plan["changes"]
    assert (change["action"], change["restore_from"]) == ("resume", stop.location)
