"""The SQL and configuration diffs of a change: secrets never reach them."""

from __future__ import annotations

from flinkops.plan import Action, config_diff, sql_changed
from tests.unit.conftest import SUM_SQL
from tests.unit.plan.helpers import only_change, plan_of


def test_secrets_never_reach_diffs(make_spec, make_live_job, make_applied):
    secret = "hunter2-secret"
    sql = SUM_SQL.replace("'datagen'", f"'datagen', 'password' = '{secret}'")
    conf = {"s3.secret-key": secret, "x.endpoint": secret}
    old = make_spec(
        sql=sql, flink_configuration=conf, secrets=frozenset({secret}), env_refs=(("PW", secret),)
    )
    new = make_spec(
        sql=sql.replace("SUM", "MAX"),
        flink_configuration={**conf, "parallelism.default": "2"},
        secrets=frozenset({secret}),
        env_refs=(("PW", secret),),
    )
    applied = make_applied(old)
    assert secret not in applied.sql  # the store keeps ${env:PW}
    assert not sql_changed(old, applied)
    assert sql_changed(new, applied)
    change = only_change(plan_of([new], [make_live_job(old)], {"job-a": applied}))
    assert secret not in str(change.to_json())
    assert change.config_diff == ("flinkConfiguration[parallelism.default]: added '2'",)
    assert "'password' = '***'" in change.sql_diff


def test_a_changed_secret_alone_is_an_update_without_a_diff(make_spec, make_live_job, make_applied):
    sql = SUM_SQL.replace("'datagen'", "'datagen', 'password' = '{pw}'")
    old = make_spec(sql=sql.format(pw="old-secret"), secrets=frozenset({"old-secret"}))
    new = make_spec(sql=sql.format(pw="new-secret"), secrets=frozenset({"new-secret"}))
    change = only_change(plan_of([new], [make_live_job(old)], {"job-a": make_applied(old)}))
    assert change.action is Action.UPDATE
    assert change.reason == "spec changed (only in values not shown, such as secrets)"
    assert change.sql_diff == ""
    assert "secret" not in str(change.to_json()).replace("such as secrets", "")


def test_config_diff_of_nothing_applied_is_empty():
    assert config_diff(None, {"parallelism": 2}) == ()
