"""build_plan's update of a live job that is not the spec: the reason, the diffs and
what happens to the state, by the planner's verdict, upgrade mode and savepoint dir."""

from __future__ import annotations

from flinkops.plan import Action, Compat, StateImpact
from tests.unit.conftest import FILTER_SQL, MAX_SQL
from tests.unit.plan.helpers import only_change, plan_of


def test_sql_change_unchecked_is_at_risk_with_diff(make_spec, make_live_job, make_applied):
    old, new = make_spec(), make_spec(sql=MAX_SQL)
    live = make_live_job(old, version=1)
    change = only_change(plan_of([new], [live], {"job-a": make_applied(old)}))
    assert change.action is Action.UPDATE
    assert change.action.symbol == "~"
    assert change.state is StateImpact.AT_RISK
    assert change.state_reasons[0].startswith("unknown:")
    assert change.reason == "SQL changed"
    assert "-INSERT INTO snk SELECT k, SUM(v) FROM src GROUP BY k;" in change.sql_diff
    assert "+INSERT INTO snk SELECT k, MAX(v) FROM src GROUP BY k;" in change.sql_diff
    assert change.sql_diff.startswith("--- job-a (applied)\n+++ job-a (spec)\n")
    assert change.config_diff == ()
    assert change.version == 2
    assert change.applied_version == 1
    assert change.restore_from == "savepoint taken when stopping"
    assert not change.missing_savepoint_dir  # the spec has one
    assert change.live == live


def test_sql_change_judged_by_the_planner(make_spec, make_live_job, make_applied):
    old, new = make_spec(), make_spec(sql=MAX_SQL)
    verdict = Compat(StateImpact.AT_RISK, ("GroupAggregate select list changed: SUM(v) -> MAX(v)",))
    change = only_change(
        plan_of(
            [new], [make_live_job(old)], {"job-a": make_applied(old)}, compat={"job-a": verdict}
        )
    )
    assert change.state is StateImpact.AT_RISK
    assert change.state_reasons == ("GroupAggregate select list changed: SUM(v) -> MAX(v)",)


def test_sql_change_the_planner_accepts_is_preserved(make_spec, make_live_job, make_applied):
    old, new = make_spec(), make_spec(sql=FILTER_SQL)
    verdict = Compat(StateImpact.PRESERVED, ("stateful operators unchanged (GroupAggregate)",))
    change = only_change(
        plan_of(
            [new], [make_live_job(old)], {"job-a": make_applied(old)}, compat={"job-a": verdict}
        )
    )
    assert change.action is Action.UPDATE
    assert change.state is StateImpact.PRESERVED
    assert change.state_reasons == (
        "restored from a savepoint",
        "stateful operators unchanged (GroupAggregate)",
    )


def test_dropping_an_operator_with_allow_non_restored_state_is_lost(
    make_spec, make_live_job, make_applied
):
    old = make_spec()
    new = make_spec(sql=FILTER_SQL, allow_non_restored_state=True)
    verdict = Compat(StateImpact.LOST, ("GroupAggregate removed (1): its state is dropped",))
    change = only_change(
        plan_of(
            [new], [make_live_job(old)], {"job-a": make_applied(old)}, compat={"job-a": verdict}
        )
    )
    assert change.state is StateImpact.LOST
    assert "GroupAggregate removed" in change.state_reasons[0]
    assert "allowNonRestoredState: False -> True" in change.config_diff


def test_configuration_change_in_neutral_keys_keeps_state(make_spec, make_live_job, make_applied):
    old = make_spec(flink_configuration={"execution.checkpointing.interval": "10s"})
    new = make_spec(
        parallelism=4,
        flink_configuration={
            "execution.checkpointing.interval": "30s",
            "restart-strategy.type": "fixed-delay",
        },
    )
    change = only_change(plan_of([new], [make_live_job(old)], {"job-a": make_applied(old)}))
    assert change.action is Action.UPDATE
    assert change.reason == "configuration changed"
    assert change.state is StateImpact.PRESERVED
    assert change.state_reasons == (
        "restored from a savepoint",
        "SQL unchanged",
        "execution.checkpointing.interval, restart-strategy.type changed: reaches neither "
        "the plan nor the state",
    )
    assert change.sql_diff == ""
    assert change.config_diff == (
        "flinkConfiguration[execution.checkpointing.interval]: '10s' -> '30s'",
        "flinkConfiguration[restart-strategy.type]: added 'fixed-delay'",
        "parallelism: None -> 4",
    )


def test_configuration_change_the_planner_reads_is_judged(make_spec, make_live_job, make_applied):
    """A key that reaches the planner is judged like a SQL change: without Flink's
    verdict (--no-compat) it is at-risk, never preserved."""
    old = make_spec()
    new = make_spec(flink_configuration={"table.exec.mini-batch.enabled": "true"})
    change = only_change(plan_of([new], [make_live_job(old)], {"job-a": make_applied(old)}))
    assert change.state is StateImpact.AT_RISK
    assert change.state_reasons == (
        "unknown: the SQL or configuration changed and its state compatibility was not checked",
    )


def test_stateless_upgrade_mode_loses_state(make_spec, make_live_job, make_applied):
    old = make_spec(upgrade_mode="stateless")
    new = make_spec(sql=FILTER_SQL, upgrade_mode="stateless")
    change = only_change(plan_of([new], [make_live_job(old)], {"job-a": make_applied(old)}))
    assert change.state is StateImpact.LOST
    assert "stateless" in change.state_reasons[0]
    assert change.restore_from is None
    assert not change.missing_savepoint_dir


def test_no_savepoint_directory_loses_state(make_spec, make_live_job, make_applied):
    old, new = make_spec(savepoint_dir=None), make_spec(sql=FILTER_SQL, savepoint_dir=None)
    args = ([new], [make_live_job(old)], {"job-a": make_applied(old)})
    change = only_change(plan_of(*args))
    assert change.state is StateImpact.LOST
    assert "no savepoint directory" in change.state_reasons[0]
    # the cluster's own state.savepoints.dir counts as a savepoint directory
    change = only_change(plan_of(*args, default_savepoint_dir="file:///cluster/sp"))
    assert change.state is StateImpact.AT_RISK


def test_last_state_restores_the_latest_checkpoint(make_spec, make_live_job, make_applied):
    old = make_spec(upgrade_mode="last-state", savepoint_dir=None)
    new = make_spec(upgrade_mode="last-state", savepoint_dir=None, parallelism=2)
    change = only_change(plan_of([new], [make_live_job(old)], {"job-a": make_applied(old)}))
    assert change.state is StateImpact.PRESERVED
    assert change.restore_from == "latest retained checkpoint"
    assert change.state_reasons[0] == "restored from the latest checkpoint"
    assert not change.missing_savepoint_dir


def test_managed_job_unknown_to_the_store_is_updated_at_risk(make_spec, make_live_job):
    old, new = make_spec(), make_spec(sql=MAX_SQL)
    change = only_change(plan_of([new], [make_live_job(old, version=5)]))
    assert change.action is Action.UPDATE
    assert change.state is StateImpact.AT_RISK
    assert change.version == 6
    assert change.sql_diff == ""
