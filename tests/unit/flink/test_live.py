"""The read model's decisions: ownership of each job, unreadable identities, newest run."""

from __future__ import annotations

import httpx
import pytest

from flinkops.errors import FlinkUnreachable, PlanError
from flinkops.flink.identity import JobIdentity
from flinkops.flink.live import (
    LiveJob,
    Ownership,
    newest_run,
    read_jobs,
    read_live,
    runs_by_name,
    runs_of,
)
from flinkops.flink.rest import FlinkClient


class Cluster:
    """``/jobs/overview`` and ``/jobs/:id/config`` of a few jobs; some configs fail."""

    def __init__(self) -> None:
        self.jobs: list[dict] = []
        self.configs: dict[str, dict] = {}
        self.failing: dict[str, int] = {}  # job id -> HTTP status of its config read
        self.refused: set[str] = set()  # job ids whose config read cannot connect
        self.reads: list[str] = []

    def add(self, jid: str, name: str, state: str, start: int, ident: JobIdentity | None) -> None:
        self.jobs.append({"jid": jid, "name": name, "state": state, "start-time": start})
        self.configs[jid] = {"user-config": ident.to_params() if ident else {}}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/jobs/overview":
            return httpx.Response(200, json={"jobs": self.jobs})
        jid = path.split("/")[2]
        self.reads.append(jid)
        if jid in self.refused:
            raise httpx.ConnectError("Connection refused")
        if jid in self.failing:
            return httpx.Response(self.failing[jid], json={"errors": ["Internal server error."]})
        return httpx.Response(200, json={"jid": jid, "execution-config": self.configs[jid]})

    def client(self) -> FlinkClient:
        return FlinkClient("http://flink", transport=httpx.MockTransport(self), retries=0)


@pytest.fixture
def cluster() -> Cluster:
    c = Cluster()
    c.add("m1", "agg", "RUNNING", 10, JobIdentity("agg", 2, "h2", "local"))
    c.add("p1", "agg", "RUNNING", 11, JobIdentity("agg", 9, "h9", "prod"))
    c.add("u1", "adhoc", "RUNNING", 12, None)
    c.add("x1", "agg", "RUNNING", 13, None)
    c.failing["x1"] = 500
    return c


def test_every_job_gets_one_ownership_and_nothing_raises(cluster: Cluster) -> None:
    jobs = {j.job_id: j for j in read_jobs(cluster.client(), "local")}
    assert {k: j.ownership for k, j in jobs.items()} == {
        "m1": Ownership.MANAGED,
        "p1": Ownership.OTHER_TARGET,
        "u1": Ownership.UNMANAGED,
        "x1": Ownership.UNKNOWN,
    }
    assert (jobs["m1"].managed_name, jobs["m1"].version, jobs["m1"].spec_hash) == ("agg", 2, "h2")
    assert jobs["p1"].managed_name is None and jobs["p1"].identity_target == "prod"
    assert "Internal server error" in (jobs["x1"].identity_error or "")
    assert jobs["x1"].unidentified and not jobs["u1"].unidentified


def test_plan_and_apply_refuse_an_active_job_of_unknown_identity(cluster: Cluster) -> None:
    with pytest.raises(PlanError, match=r"cannot read the configuration of RUNNING job x1"):
        read_live(cluster.client(), "local")
    # by name: the unreadable job is called 'agg' too, so apply's look-up refuses as well
    with pytest.raises(PlanError, match="x1"):
        read_live(cluster.client(), "local", name="agg")
    assert [j.job_id for j in read_live(cluster.client(), "local", name="adhoc")] == ["u1"]


def test_a_stopped_job_of_unknown_identity_does_not_block(cluster: Cluster) -> None:
    cluster.jobs[3]["state"] = "FINISHED"
    jobs = {j.job_id: j for j in read_live(cluster.client(), "local")}
    assert jobs["x1"].ownership is Ownership.UNKNOWN and not jobs["x1"].unidentified


def test_an_unreachable_cluster_is_not_an_unknown_identity(cluster: Cluster) -> None:
    cluster.refused.add("x1")
    with pytest.raises(FlinkUnreachable):
        read_jobs(cluster.client(), "local")


def test_name_or_id_reads_only_the_kept_jobs_configs(cluster: Cluster) -> None:
    assert [j.job_id for j in read_jobs(cluster.client(), "local", name_or_id="u1")] == ["u1"]
    assert cluster.reads == ["u1"]
    cluster.reads.clear()
    found = read_jobs(cluster.client(), "local", name_or_id="agg")
    assert sorted(j.job_id for j in found) == ["m1", "p1", "x1"]
    assert sorted(cluster.reads) == ["m1", "p1", "x1"]


def test_runs_of_a_job_and_the_jobs_that_may_be_it(cluster: Cluster) -> None:
    jobs = read_jobs(cluster.client(), "local")
    agg = runs_of(jobs, "agg")
    assert [r.job_id for r in agg.runs] == ["m1"]  # not prod's, not the unreadable one
    assert [j.job_id for j in agg.unidentified] == ["x1"]
    by_id = runs_of(jobs, "p1")
    assert (by_id.name, [r.job_id for r in by_id.runs]) == ("p1", ["p1"])
    assert runs_of(jobs, "m1").name == "agg"  # a managed job found by id keeps its name


def _job(jid: str, state: str, start: int | None) -> LiveJob:
    return LiveJob(jid, "agg", state, start_time=start, managed_name="agg", version=1)


def test_newest_run_prefers_the_newest_active_run() -> None:
    old_running = _job("a", "RUNNING", 1)
    newer_running = _job("b", "RESTARTING", 2)
    newest_failed = _job("c", "FAILED", 3)
    assert newest_run([old_running, newest_failed]) is old_running
    assert newest_run([newest_failed, newer_running, old_running]) is newer_running
    assert newest_run([_job("d", "FINISHED", None), newest_failed]) is newest_failed
    assert newest_run([]) is None


def test_runs_by_name_groups_like_runs_of(cluster: Cluster) -> None:
    jobs = read_jobs(cluster.client(), "local")
    grouped = runs_by_name(jobs)
    names = {j.managed_name for j in jobs if j.managed_name} | {
        j.name for j in jobs if j.unidentified
    }
    assert set(grouped) == names
    for name in names:
        assert grouped[name] == runs_of(jobs, name)
