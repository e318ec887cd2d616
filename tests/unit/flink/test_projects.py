"""Projects on one cluster: whose a job is by its project id, legacy jobs adopted by
the store that recorded them, what a plan reads, and unreadable jobs of others."""

from __future__ import annotations

import pytest

from flinkops.errors import PlanError
from flinkops.flink.identity import JobIdentity
from flinkops.flink.live import Ownership, Scope, read_jobs, read_live
from tests.unit.flink.test_live import Cluster


@pytest.fixture
def shared() -> Cluster:
    """Two projects' jobs of the same target and job name, a legacy job, an old run."""
    c = Cluster()
    c.add("a1", "agg", "RUNNING", 10, JobIdentity("agg", 1, "ha", "local", "team-a"))
    c.add("b1", "agg", "RUNNING", 11, JobIdentity("agg", 3, "hb", "local", "team-b"))
    c.add("l1", "legacy", "RUNNING", 12, JobIdentity("legacy", 2, "hl", "local"))
    c.add("f1", "agg", "FINISHED", 1, JobIdentity("agg", 1, "ha", "local", "team-a"))
    c.add("f2", "batch", "FINISHED", 2, None)
    return c


def _owners(jobs: list) -> dict[str, Ownership]:
    return {j.job_id: j.ownership for j in jobs}


def test_the_same_target_and_job_name_are_two_projects_jobs(shared: Cluster) -> None:
    a = {j.job_id: j for j in read_jobs(shared.client(), Scope("local", "team-a"))}
    assert a["a1"].ownership is Ownership.MANAGED and a["a1"].managed_name == "agg"
    assert a["b1"].ownership is Ownership.OTHER_PROJECT and a["b1"].managed_name is None
    assert a["b1"].identity_project == "team-b"
    assert a["b1"].to_json()["project"] == "team-b"
    b = _owners(read_jobs(shared.client(), Scope("local", "team-b")))
    assert (b["a1"], b["b1"]) == (Ownership.OTHER_PROJECT, Ownership.MANAGED)


def test_a_legacy_job_is_the_project_whose_store_recorded_it(shared: Cluster) -> None:
    recorded = _owners(read_jobs(shared.client(), Scope("local", "team-a", {"l1": "legacy"})))
    assert recorded["l1"] is Ownership.MANAGED
    other = {j.job_id: j for j in read_jobs(shared.client(), Scope("local", "team-b"))}
    assert other["l1"].ownership is Ownership.OTHER_PROJECT
    assert other["l1"].identity_project == ""  # no project id: not this one's
    # the store is the project's: a job it recorded is its own whatever id it carries
    # (a clone sharing the store whose id differs)
    shared_store = _owners(read_jobs(shared.client(), Scope("local", "team-c", {"b1": "agg"})))
    assert (shared_store["b1"], shared_store["a1"]) == (Ownership.MANAGED, Ownership.OTHER_PROJECT)
    # no project compared (a bare target): every job of the target is taken, as before
    assert _owners(read_jobs(shared.client(), "local"))["b1"] is Ownership.MANAGED


def test_a_plan_reads_active_and_recorded_jobs_only(shared: Cluster) -> None:
    scope = Scope("local", "team-a", {"f1": "agg"}, known_only=True)
    jobs = {j.job_id: j for j in read_jobs(shared.client(), scope)}
    assert sorted(shared.reads) == ["a1", "b1", "f1", "l1"]  # not f2: finished, unknown
    assert jobs["f2"].ownership is Ownership.NOT_READ
    assert jobs["f1"].ownership is Ownership.MANAGED


def test_an_unreadable_job_refuses_only_when_it_may_be_the_projects(shared: Cluster) -> None:
    shared.add("x1", "their-job", "RUNNING", 20, None)
    shared.failing["x1"] = 500
    mine = Scope("local", "team-a", {"a1": "agg"}, frozenset({"agg"}))
    jobs = {j.job_id: j for j in read_live(shared.client(), mine)}  # no PlanError
    assert jobs["x1"].unidentified
    with pytest.raises(PlanError, match="x1"):  # a job of that name may be this project's
        read_live(shared.client(), Scope("local", "team-a", names=frozenset({"their-job"})))
    with pytest.raises(PlanError, match="x1"):  # its id is one this project's store recorded
        read_live(shared.client(), Scope("local", "team-a", {"x1": "agg"}, frozenset()))
    with pytest.raises(PlanError, match="x1"):  # names unknown: any may be the project's
        read_live(shared.client(), Scope("local", "team-a"))


def test_the_project_id_travels_in_the_global_job_parameters() -> None:
    ident = JobIdentity("agg", 4, "h", "prod", "github.com/acme/jobs/flink")
    assert ident.to_params()["flinkops.project"] == "github.com/acme/jobs/flink"
    assert JobIdentity.from_user_config(ident.to_params()) == ident
    legacy = JobIdentity("agg", 4, "h", "prod")
    assert "flinkops.project" not in legacy.to_params()
    assert JobIdentity.from_user_config(legacy.to_params()) == legacy


def test_a_job_without_identity_the_store_recorded_is_the_projects_under_its_name() -> None:
    """One rule for every job the store recorded: an adopted job (`flinkops import`
    recorded its id; it carries no identity) is managed under the store's name, its
    version left to the store (plan.rescale); unrecorded or unreadable, it is not."""
    c = Cluster()
    c.add("i1", "insert-into_default.orders", "RUNNING", 1, None)
    c.add("i2", "someone-elses", "RUNNING", 2, None)
    jobs = {j.job_id: j for j in read_jobs(c.client(), Scope("local", "team-a", {"i1": "orders"}))}
    assert jobs["i1"].ownership is Ownership.MANAGED
    assert (jobs["i1"].managed_name, jobs["i1"].version) == ("orders", None)
    assert jobs["i2"].ownership is Ownership.UNMANAGED
    c.failing["i1"] = 500  # its configuration cannot be read: unknown, never taken for managed
    [unread] = [j for j in read_jobs(c.client(), Scope("local", "team-a", {"i1": "orders"}))
                if j.job_id == "i1"]  # fmt: skip
    assert unread.ownership is Ownership.UNKNOWN and unread.managed_name is None
