"""build_plan's actions when the spec is not an update: create, noop, suspend, resume,
cancel and delete, each with what happens to the job's state."""

from __future__ import annotations

from flinkops.plan import Action, StateImpact
from tests.unit.conftest import MAX_SQL
from tests.unit.plan.helpers import only_change, plan_of

# ---------------------------------------------------------------- create


def test_new_job_is_created_with_empty_state(make_spec):
    spec = make_spec()
    change = only_change(plan_of([spec]))
    assert change.action is Action.CREATE
    assert change.action.symbol == "+"
    assert change.state is StateImpact.NONE
    assert change.reason == "new job"
    assert change.version == 1
    assert change.spec_hash == spec.spec_hash
    assert change.restore_from is None


def test_job_cancelled_by_flinkops_is_created_again(make_spec, make_live_job, make_applied):
    spec = make_spec()
    applied = make_applied(spec, version=3, outcome="cancelled")
    live = make_live_job(spec, state="CANCELED", version=3)
    change = only_change(plan_of([spec], [live], {"job-a": applied}))
    assert change.action is Action.CREATE
    assert change.reason == "start again after it was cancelled"
    assert change.version == 4


# ---------------------------------------------------------------- noop


def test_running_job_in_sync_is_noop(make_spec, make_live_job, make_applied):
    spec = make_spec()
    plan = plan_of([spec], [make_live_job(spec)], {"job-a": make_applied(spec)})
    change = only_change(plan)
    assert change.action is Action.NOOP
    assert change.state is StateImpact.NONE
    assert not plan.has_changes
    assert plan.summary() == {"noop": 1}


def test_suspended_job_with_savepoint_stays_suspended(make_spec, make_live_job, make_applied):
    spec = make_spec(state="suspended")
    applied = make_applied(spec, outcome="suspended", savepoint="file:///sp/1")
    live = make_live_job(spec, state="FINISHED")
    change = only_change(plan_of([spec], [live], {"job-a": applied}))
    assert change.action is Action.NOOP
    assert "file:///sp/1" in change.reason


def test_job_never_started_and_not_wanted_is_noop(make_spec):
    change = only_change(plan_of([make_spec(state="cancelled")]))
    assert change.action is Action.NOOP
    assert change.reason == "not started (desired state: cancelled)"


def test_cancelled_after_suspend_says_the_savepoint_is_kept(make_spec, make_applied):
    spec = make_spec(state="cancelled")
    applied = {"job-a": make_applied(spec, outcome="suspended", savepoint="file:///sp/s-2")}
    change = only_change(plan_of([spec], [], applied))
    assert change.action is Action.NOOP
    assert "state: running resumes from it (file:///sp/s-2)" in change.reason


# ---------------------------------------------------------------- suspend / resume


def test_suspend_takes_a_savepoint(make_spec, make_live_job, make_applied):
    spec = make_spec(state="suspended")
    change = only_change(
        plan_of([spec], [make_live_job(spec)], {"job-a": make_applied(spec, version=4)})
    )
    assert change.action is Action.SUSPEND
    assert change.action.symbol == "-"
    assert change.state is StateImpact.PRESERVED
    assert not change.missing_savepoint_dir
    assert change.version == 4


def test_suspend_without_savepoint_directory_loses_state(make_spec, make_live_job):
    spec = make_spec(state="suspended", savepoint_dir=None)
    change = only_change(plan_of([spec], [make_live_job(spec)]))
    assert change.action is Action.SUSPEND
    assert change.state is StateImpact.LOST


def test_resume_restores_the_suspend_savepoint(make_spec, make_live_job, make_applied):
    spec = make_spec()
    applied = make_applied(spec, version=2, outcome="suspended", savepoint="file:///sp/s-1")
    live = make_live_job(spec, state="FINISHED", version=2)
    change = only_change(plan_of([spec], [live], {"job-a": applied}))
    assert change.action is Action.RESUME
    assert change.action.symbol == "+"
    assert change.state is StateImpact.PRESERVED
    assert change.restore_from == "file:///sp/s-1"
    assert change.reason == "desired state is running"
    assert change.version == 3


def test_resume_with_changed_sql_is_at_risk(make_spec, make_applied):
    old, new = make_spec(), make_spec(sql=MAX_SQL)
    applied = {"job-a": make_applied(old, outcome="suspended", savepoint="file:///sp/s-1")}
    change = only_change(plan_of([new], [], applied))
    assert change.action is Action.RESUME
    assert change.reason == "desired state is running (with changes)"
    assert change.state is StateImpact.AT_RISK
    assert "unknown: the SQL or configuration changed while suspended" in change.state_reasons
    assert change.sql_diff


def test_resume_without_savepoint_loses_state(make_spec, make_applied):
    spec = make_spec()
    applied = {"job-a": make_applied(spec, outcome="suspended", savepoint=None)}
    change = only_change(plan_of([spec], [], applied))
    assert change.action is Action.RESUME
    assert change.state is StateImpact.LOST


# ---------------------------------------------------------------- cancel / delete


def test_cancel_loses_state(make_spec, make_live_job, make_applied):
    spec = make_spec(state="cancelled")
    change = only_change(
        plan_of([spec], [make_live_job(spec)], {"job-a": make_applied(spec, version=2)})
    )
    assert change.action is Action.CANCEL
    assert change.state is StateImpact.LOST
    assert change.version == 2


def test_removed_spec_is_deleted_only_with_prune(make_spec, make_live_job, make_applied):
    gone = make_spec("old-job")
    live = [make_live_job(gone, version=3)]
    applied = {"old-job": make_applied(gone, version=3)}
    change = only_change(plan_of([], live, applied, prune=True))
    assert change.action is Action.DELETE
    assert change.job == "old-job"
    assert change.state is StateImpact.LOST
    assert change.applied_version == 3
    assert change.version == 3
    change = only_change(plan_of([], live, applied))
    assert change.action is Action.NOOP
    assert "--prune" in change.reason


def test_removed_spec_whose_job_stopped_is_not_planned(make_spec, make_live_job):
    live = [make_live_job(make_spec("old-job"), state="CANCELED")]
    assert plan_of([], live, prune=True).changes == ()
