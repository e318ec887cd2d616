"""build_plan when the cluster drifted from what flinkops applied: a job stopped outside
flinkops, gone, or running another version than the store's last applied one."""

from __future__ import annotations

import pytest

from flinkops.plan import Action, Compat, StateImpact
from tests.unit.conftest import FILTER_SQL, MAX_SQL
from tests.unit.plan.helpers import only_change, plan_of


@pytest.mark.parametrize("state", ["FAILED", "FINISHED", "CANCELED"])
def test_job_stopped_outside_flinkops_is_restarted_from_its_state(
    state, make_spec, make_live_job, make_applied
):
    spec = make_spec()
    live = make_live_job(spec, state=state, version=2)
    applied = make_applied(spec, version=2, savepoint="file:///chk/chk-7")
    change = only_change(plan_of([spec], [live], {"job-a": applied}))
    assert change.action is Action.RESTART
    assert change.action.symbol == "±"
    assert change.reason == f"drift: desired running, but the job is {state}"
    assert change.state is StateImpact.PRESERVED
    assert change.restore_from == "file:///chk/chk-7"
    assert change.version == 3


def test_restart_without_any_known_state_loses_it(make_spec, make_live_job, make_applied):
    spec = make_spec()
    change = only_change(
        plan_of([spec], [make_live_job(spec, state="FAILED")], {"job-a": make_applied(spec)})
    )
    assert change.action is Action.RESTART
    assert change.state is StateImpact.LOST
    assert change.restore_from is None


def test_job_gone_from_the_cluster_is_restarted(make_spec, make_applied):
    spec = make_spec()
    change = only_change(plan_of([spec], [], {"job-a": make_applied(spec, savepoint="s3://x/sp")}))
    assert change.action is Action.RESTART
    assert change.reason == "drift: desired running, but the job is gone from the cluster"


def test_restart_with_a_changed_spec_uses_the_planner_verdict(
    make_spec, make_live_job, make_applied
):
    old, new = make_spec(), make_spec(sql=MAX_SQL)
    applied = {"job-a": make_applied(old, savepoint="file:///sp/2")}
    live = [make_live_job(old, state="FAILED")]
    change = only_change(plan_of([new], live, applied))
    assert change.action is Action.RESTART
    assert change.reason.endswith("; SQL changed too")
    assert change.state is StateImpact.AT_RISK
    assert "unknown" in change.state_reasons[-1]
    verdict = Compat(StateImpact.AT_RISK, ("GroupAggregate select list changed: SUM(v) -> MAX(v)",))
    change = only_change(plan_of([new], live, applied, compat={"job-a": verdict}))
    assert "SUM(v) -> MAX(v)" in change.state_reasons[-1]


def test_stateless_restart_starts_empty(make_spec, make_live_job, make_applied):
    spec = make_spec(upgrade_mode="stateless")
    applied = {"job-a": make_applied(spec, savepoint="file:///sp/2")}
    change = only_change(plan_of([spec], [make_live_job(spec, state="FAILED")], applied))
    assert change.action is Action.RESTART
    assert change.state is StateImpact.LOST
    assert change.restore_from is None


def test_failed_job_unknown_to_the_store_restarts_empty(make_spec, make_live_job):
    spec = make_spec()
    change = only_change(plan_of([spec], [make_live_job(spec, state="FAILED")]))
    assert change.action is Action.RESTART
    assert change.state is StateImpact.LOST
    assert "no applied version" in change.reason


def test_live_identity_not_the_applied_version_is_restarted(make_spec, make_live_job, make_applied):
    spec = make_spec()
    live = make_live_job(spec, version=7, spec_hash="feedfacefeedface")
    change = only_change(plan_of([spec], [live], {"job-a": make_applied(spec, version=6)}))
    assert change.action is Action.RESTART
    assert change.reason.startswith("drift: the live job (version 7) is not the last applied")
    assert change.state is StateImpact.AT_RISK
    assert change.state_reasons[0].startswith("unknown:")
    assert change.version == 8


def test_drift_and_a_changed_spec_is_an_update(make_spec, make_live_job, make_applied):
    old, new = make_spec(), make_spec(sql=FILTER_SQL)
    live = make_live_job(old, spec_hash="feedfacefeedface")
    verdict = Compat(StateImpact.PRESERVED, ("stateful operators unchanged (GroupAggregate)",))
    change = only_change(
        plan_of([new], [live], {"job-a": make_applied(old)}, compat={"job-a": verdict})
    )
    assert change.action is Action.UPDATE
    assert change.reason.startswith("drift:") and change.reason.endswith("SQL changed")
    # what the live job runs is unknown, so the verdict on the applied SQL does not apply
    assert change.state is StateImpact.AT_RISK


def test_live_job_running_the_spec_is_noop_whatever_the_store_says(
    make_spec, make_live_job, make_applied
):
    old, new = make_spec(), make_spec(sql=FILTER_SQL)
    change = only_change(plan_of([new], [make_live_job(new)], {"job-a": make_applied(old)}))
    assert change.action is Action.NOOP
