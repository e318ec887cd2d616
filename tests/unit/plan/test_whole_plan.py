"""build_plan's plan as a whole: unmanaged jobs, several live jobs of one name,
``only``, the summary and what the plan observed."""

from __future__ import annotations

from flinkops.plan import Action
from tests.unit.plan.helpers import only_change, plan_of


def test_unmanaged_jobs_are_listed_and_never_changed(make_spec, make_live_job):
    other = make_live_job("someone-elses-job", managed=False)
    plan = plan_of([make_spec()], [other])
    assert plan.unmanaged == (other,)
    assert [c.job for c in plan.changes] == ["job-a"]


def test_unmanaged_job_of_the_same_name_is_warned_about(make_spec, make_live_job):
    plan = plan_of([make_spec()], [make_live_job("job-a", managed=False)])
    assert plan.change("job-a").action is Action.CREATE
    assert len(plan.warnings) == 1
    assert "unmanaged job of that name is RUNNING" in plan.warnings[0]


def test_two_live_jobs_with_one_identity(make_spec, make_live_job):
    spec = make_spec()
    a = make_live_job(spec, job_id="a" * 32, start_time=1)
    b = make_live_job(spec, job_id="b" * 32, start_time=2)
    plan = plan_of([spec], [a, b])
    assert plan.change("job-a").live == b
    assert "2 live jobs carry its identity" in plan.warnings[0]


def test_active_job_wins_over_a_newer_stopped_one(make_spec, make_live_job):
    spec = make_spec()
    running = make_live_job(spec, start_time=1)
    failed = make_live_job(spec, state="FAILED", start_time=2)
    assert only_change(plan_of([spec], [failed, running])).live == running


def test_only_limits_the_plan(make_spec):
    plan = plan_of([make_spec("a"), make_spec("b"), make_spec("c")], only=["b"])
    assert [c.job for c in plan.changes] == ["b"]


def test_summary_and_observed(make_spec, make_live_job, make_applied):
    a, b, c = make_spec("a"), make_spec("b"), make_spec("c", state="cancelled")
    live = [make_live_job(b), make_live_job(c, version=2)]
    applied = {"b": make_applied(b), "c": make_applied(c, version=2)}
    plan = plan_of([a, b, c], live, applied, url="http://x:8081", created_at="T")
    assert plan.summary() == {"create": 1, "cancel": 1, "noop": 1}
    assert plan.has_changes
    data = plan.to_json()
    assert data["format_version"] == 1
    assert data["summary"] == {"create": 1, "cancel": 1, "noop": 1}
    assert data["observed"]["a"] == {
        "job_id": None,
        "state": None,
        "live_spec_hash": None,
        "spec_hash": a.spec_hash,
        "applied_version": None,
        "version": 1,
    }
    assert data["observed"]["c"]["job_id"] == live[1].job_id
    assert data["observed"]["c"]["state"] == "RUNNING"
    assert data["observed"]["c"]["applied_version"] == 2
