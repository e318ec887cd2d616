"""build_plan: one change per job, with its action and what happens to its state.

Pure tests over every action (create, update, suspend, resume, cancel, delete,
restart, noop) and every state impact (preserved, lost, at-risk, none).
"""

from __future__ import annotations

import base64
import json
import socket
from pathlib import Path

import httpx
import jsonschema
import pytest
from click.testing import CliRunner

import flinkops.workspace
from flinkops.cli import main as cli_main
from flinkops.flink.identity import JobIdentity
from flinkops.flink.runner import runner_jar_name
from flinkops.observe import make_plan
from flinkops.plan import Action, Compat, StateImpact, build_plan, config_diff, sql_changed
from flinkops.spec import SCHEMA_DIR, JobSpec, load_project
from flinkops.store import Store
from flinkops.versions import reserve_version
from tests.conftest import job_yaml
from tests.unit.conftest import MAX_SQL, SUM_SQL

PLAN_SCHEMA = SCHEMA_DIR / "plan.schema.json"
GRAPHS = Path(__file__).parent / "data" / "flink_plans"

FILTER_SQL = SUM_SQL.replace("FROM src GROUP BY k", "FROM src WHERE v > 0 GROUP BY k")


def plan_of(specs, live=(), applied=None, **kw):
    applied = applied or {}
    kw.setdefault("target", "local")
    return build_plan(list(specs), list(live), applied, **kw)


def only_change(plan):
    assert len(plan.changes) == 1, plan.changes
    return plan.changes[0]


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


# ---------------------------------------------------------------- update


def test_sql_change_unchecked_is_at_risk_with_diff(make_spec, make_live_job, make_applied):
    old, new = make_spec(), make_spec(sql=MAX_SQL)
    live = make_live_job(old, version=1)
    change = only_change(plan_of([new], [live], {"job-a": make_applied(old)}))
    assert change.action is Action.UPDATE
    assert change.action.symbol == "~"
    assert change.state is StateImpact.AT_RISK
    assert change.state_reason.startswith("unknown:")
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
    assert change.state_reason == "GroupAggregate select list changed: SUM(v) -> MAX(v)"


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
    assert change.state_reason == (
        "restored from a savepoint; stateful operators unchanged (GroupAggregate)"
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
    assert "GroupAggregate removed" in change.state_reason
    assert "allowNonRestoredState: False -> True" in change.config_diff


def test_configuration_change_keeps_state(make_spec, make_live_job, make_applied):
    old = make_spec(flink_configuration={"execution.checkpointing.interval": "10s"})
    new = make_spec(
        parallelism=4,
        flink_configuration={"execution.checkpointing.interval": "30s", "table.exec.mini-batch": 1},
    )
    change = only_change(plan_of([new], [make_live_job(old)], {"job-a": make_applied(old)}))
    assert change.action is Action.UPDATE
    assert change.reason == "configuration changed"
    assert change.state is StateImpact.PRESERVED
    assert change.state_reason == "restored from a savepoint; SQL unchanged"
    assert change.sql_diff == ""
    assert change.config_diff == (
        "flinkConfiguration[execution.checkpointing.interval]: '10s' -> '30s'",
        "flinkConfiguration[table.exec.mini-batch]: added '1'",
        "parallelism: None -> 4",
    )


def test_stateless_upgrade_mode_loses_state(make_spec, make_live_job, make_applied):
    old = make_spec(upgrade_mode="stateless")
    new = make_spec(sql=FILTER_SQL, upgrade_mode="stateless")
    change = only_change(plan_of([new], [make_live_job(old)], {"job-a": make_applied(old)}))
    assert change.state is StateImpact.LOST
    assert "stateless" in change.state_reason
    assert change.restore_from is None
    assert not change.missing_savepoint_dir


def test_no_savepoint_directory_loses_state(make_spec, make_live_job, make_applied):
    old, new = make_spec(savepoint_dir=None), make_spec(sql=FILTER_SQL, savepoint_dir=None)
    args = ([new], [make_live_job(old)], {"job-a": make_applied(old)})
    change = only_change(plan_of(*args))
    assert change.state is StateImpact.LOST
    assert "no savepoint directory" in change.state_reason
    # the cluster's own state.savepoints.dir counts as a savepoint directory
    change = only_change(plan_of(*args, default_savepoint_dir="file:///cluster/sp"))
    assert change.state is StateImpact.AT_RISK


def test_last_state_restores_the_latest_checkpoint(make_spec, make_live_job, make_applied):
    old = make_spec(upgrade_mode="last-state", savepoint_dir=None)
    new = make_spec(upgrade_mode="last-state", savepoint_dir=None, parallelism=2)
    change = only_change(plan_of([new], [make_live_job(old)], {"job-a": make_applied(old)}))
    assert change.state is StateImpact.PRESERVED
    assert change.restore_from == "latest retained checkpoint"
    assert change.state_reason.startswith("restored from the latest checkpoint")
    assert not change.missing_savepoint_dir


def test_managed_job_unknown_to_the_store_is_updated_at_risk(make_spec, make_live_job):
    old, new = make_spec(), make_spec(sql=MAX_SQL)
    change = only_change(plan_of([new], [make_live_job(old, version=5)]))
    assert change.action is Action.UPDATE
    assert change.state is StateImpact.AT_RISK
    assert change.version == 6
    assert change.sql_diff == ""


# ---------------------------------------------------------------- restart (drift)


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
    assert "unknown" in change.state_reason
    verdict = Compat(StateImpact.AT_RISK, ("GroupAggregate select list changed: SUM(v) -> MAX(v)",))
    change = only_change(plan_of([new], live, applied, compat={"job-a": verdict}))
    assert "SUM(v) -> MAX(v)" in change.state_reason


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
    assert change.state_reason.startswith("unknown:")
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
    assert "unknown: the SQL changed while suspended" in change.state_reason
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


# ---------------------------------------------------------------- the plan as a whole


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


# ---------------------------------------------------------------- secrets and diffs


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


# ---------------------------------------------------------------- the command

PROJECT = """\
apiVersion: flinkops/v1
kind: Project
jobs: [jobs/]
defaultTarget: local
targets:
  local:
    url: {url}
"""

SECRET_SQL = """\
CREATE TABLE src (k INT, v INT) WITH (
  'connector' = 'datagen',
  'password' = 'inline-pass-778',
  'fields.v.kind' = '${{env:FLINKOPS_T_SEED}}'
);
CREATE TABLE snk (k INT, total INT) WITH (
  'connector' = 'filesystem', 'format' = 'csv', 'path' = '${{env:FLINKOPS_T_PATH}}'
);
INSERT INTO snk SELECT k, {agg}(v) FROM src GROUP BY k;
"""

READER_SQL = """\
CREATE TABLE totals (k INT, total INT) WITH (
  'connector' = 'filesystem', 'format' = 'csv', 'path' = '${env:FLINKOPS_T_PATH}'
);
CREATE TABLE out_t (k INT) WITH ('connector' = 'blackhole');
INSERT INTO out_t SELECT k FROM totals;
"""

SECRETS = {
    "FLINKOPS_T_SEED": "random-seed-secret-991",
    "FLINKOPS_T_PATH": "/data/s3cr3t-bucket-path",
    "FLINKOPS_T_KEY": "AKIA-super-secret-key",
}


class FakeFlink:
    """A Flink REST API serving fixed jobs, for the command's wiring (no compiling)."""

    def __init__(self, jobs: list[dict] | None = None) -> None:
        self.jobs = jobs or []
        self.hidden: set[str] = set()  # job ids whose config answers 500
        self.compiled: list[dict] = []  # bodies of jars/:id/plan requests

    def _plan(self, request: httpx.Request) -> httpx.Response:
        """Answer jars/:id/plan with a real Flink 2.3 graph chosen by the SQL sent."""
        body = json.loads(request.content)
        statements = json.loads(base64.b64decode(body["programArgsList"][1]))
        self.compiled.append({"statements": statements, "conf": body["flinkConfiguration"]})
        sql = " ".join(statements)
        if "nowhere" in sql:
            return httpx.Response(
                400,
                json={
                    "errors": [
                        "org.apache.flink.table.api.ValidationException: "
                        f"Cannot find table 'nowhere' in: {sql}"
                    ]
                },
            )
        name = "max" if "MAX(" in sql else ("sum_filter" if "WHERE" in sql else "sum")
        return httpx.Response(200, json={"plan": json.loads((GRAPHS / f"{name}.json").read_text())})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path in ("/overview", "/config"):
            return httpx.Response(200, json={"flink-version": "2.3.0"})
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

    def add(self, name: str, state: str, identity: JobIdentity | None) -> str:
        jid = f"{len(self.jobs) + 1:032x}"
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


def run_plan(project: Path, *args: str):
    return CliRunner().invoke(cli_main, ["plan", "--project", str(project), *args])


def write_project(root: Path, jobs: dict[str, str], url: str = "http://flink.test:8081") -> Path:
    (root / "jobs").mkdir(parents=True, exist_ok=True)
    (root / "flinkops.yaml").write_text(PROJECT.format(url=url))
    for name, text in jobs.items():
        (root / "jobs" / name).write_text(text)
    return root


def record_applied(project: Path, spec: JobSpec, version: int = 1) -> None:
    """Record ``spec`` as applied, the way apply stores it (portable, secrets masked)."""
    loaded = load_project(project)
    with Store(loaded.store_location) as store:
        reserve_version(store, "local", spec, version, None)
        store.update_version("local", spec.name, version, outcome="applied")


def test_exit_code_2_when_there_are_changes(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    result = run_plan(project, "--no-compat")
    assert result.exit_code == 2, result.output
    assert "+ job-a" in result.output
    assert "Plan: 1 to create." in result.output


def test_exit_code_0_when_nothing_changes(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    (spec,) = load_project(project).jobs_for("local")
    record_applied(project, spec)
    fake_flink.add("job-a", "RUNNING", JobIdentity("job-a", 1, spec.spec_hash, "local"))
    fake_flink.add("adhoc", "RUNNING", None)
    result = run_plan(project, "--no-compat")
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("No changes. The cluster matches the specs.")
    assert "adhoc" in result.output  # listed as unmanaged


def test_a_job_of_another_target_is_unmanaged(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    (spec,) = load_project(project).jobs_for("local")
    fake_flink.add("job-a", "RUNNING", JobIdentity("job-a", 1, spec.spec_hash, "prod"))
    data = json.loads(run_plan(project, "--no-compat", "--format", "json").output)
    assert data["changes"][0]["action"] == "create"
    assert [j["name"] for j in data["unmanaged"]] == ["job-a"]


def test_unknown_job_name_is_an_error(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    result = run_plan(project, "--job", "nope")
    assert result.exit_code == 1
    assert "--job: no job named nope" in result.output


def test_unreachable_target_is_a_clear_error(tmp_path):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")}, url=f"http://127.0.0.1:{port}")
    result = run_plan(project)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert f"127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, AssertionError | KeyError | TypeError)


def test_json_and_plan_file_follow_the_schema(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a"), "b.yaml": job_yaml("job-b")})
    a, _ = load_project(project).jobs_for("local")
    record_applied(project, a)
    fake_flink.add("job-a", "FAILED", JobIdentity("job-a", 1, a.spec_hash, "local"))
    out = tmp_path / "plan.json"
    result = run_plan(project, "--no-compat", "--format", "json", "--out", str(out))
    assert result.exit_code == 2
    data = json.loads(result.output)
    validator = jsonschema.Draft202012Validator(json.loads(PLAN_SCHEMA.read_text()))
    validator.validate(data)
    assert json.loads(out.read_text()) == data
    assert [c["action"] for c in data["changes"]] == ["restart", "create"]


def test_secrets_never_appear_in_any_output(tmp_path, fake_flink, monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    job = job_yaml(
        "job-a",
        sql=SECRET_SQL.format(agg="SUM"),
        extra="flinkConfiguration:\n  s3.access-key: ${env:FLINKOPS_T_KEY}\n"
        "  fs.s3a.password: plain-config-pass-55\n",
    )
    project = write_project(tmp_path, {"a.yaml": job, "r.yaml": job_yaml("reader", sql=READER_SQL)})
    old = {s.name: s for s in load_project(project).jobs_for("local")}["job-a"]
    record_applied(project, old)
    fake_flink.add("job-a", "RUNNING", JobIdentity("job-a", 1, old.spec_hash, "local"))
    (project / "jobs" / "a.yaml").write_text(
        job.replace("SUM(v)", "MAX(v)").replace(
            "plain-config-pass-55", "plain-config-pass-55\n    parallelism.default: 2"
        )
    )
    secrets = [*SECRETS.values(), "inline-pass-778", "plain-config-pass-55"]
    outputs = {}
    for fmt in ("text", "markdown", "json"):
        out = tmp_path / f"plan-{fmt}.json"
        result = run_plan(project, "--no-compat", "--format", fmt, "--out", str(out))
        assert result.exit_code == 2, result.output
        outputs[fmt] = result.output
        outputs[f"file-{fmt}"] = out.read_text()
    data = json.loads(outputs["json"])
    change = next(c for c in data["changes"] if c["job"] == "job-a")
    # the outputs do carry the changed SQL, config and lineage, just not the secrets
    assert "+INSERT INTO snk SELECT k, MAX(v) FROM src GROUP BY k;" in change["sql_diff"]
    assert change["config_diff"] == ["flinkConfiguration[parallelism.default]: added '2'"]
    assert "```mermaid" in outputs["markdown"]
    assert change["downstream"] == ["reader"]
    for name, text in outputs.items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked into {name}"


def test_a_running_job_whose_identity_cannot_be_read_stops_the_plan(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    fake_flink.jobs.append(
        {"summary": {"jid": "e" * 32, "name": "job-a", "state": "RUNNING"}, "config": None}
    )
    fake_flink.hidden = {"e" * 32}
    result = run_plan(project, "--no-compat")
    assert result.exit_code == 1
    assert "cannot read the configuration of RUNNING job eeee" in result.output
    assert "Traceback" not in result.output


def test_a_stopped_job_whose_identity_cannot_be_read_is_unmanaged(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    fake_flink.jobs.append(
        {"summary": {"jid": "e" * 32, "name": "job-a", "state": "FINISHED"}, "config": None}
    )
    fake_flink.hidden = {"e" * 32}
    data = json.loads(run_plan(project, "--no-compat", "--format", "json").output)
    assert data["changes"][0]["action"] == "create"
    assert data["unmanaged"][0]["job_id"] == "e" * 32


def test_cancelled_after_suspend_says_the_savepoint_is_kept(make_spec, make_applied):
    spec = make_spec(state="cancelled")
    applied = {"job-a": make_applied(spec, outcome="suspended", savepoint="file:///sp/s-2")}
    change = only_change(plan_of([spec], [], applied))
    assert change.action is Action.NOOP
    assert "state: running resumes from it (file:///sp/s-2)" in change.reason


def test_changed_sql_is_compiled_with_each_versions_configuration(tmp_path, fake_flink):
    old_job = job_yaml(
        "job-a", extra="flinkConfiguration:\n  table.exec.mini-batch.enabled: false\n"
    )
    project = write_project(tmp_path, {"a.yaml": old_job})
    (old,) = load_project(project).jobs_for("local")
    record_applied(project, old)
    fake_flink.add("job-a", "RUNNING", JobIdentity("job-a", 1, old.spec_hash, "local"))
    new_job = old_job.replace("SUM(v)", "MAX(v)").replace("enabled: false", "enabled: true")
    (project / "jobs" / "a.yaml").write_text(new_job)
    data = json.loads(run_plan(project, "--format", "json").output)
    (change,) = data["changes"]
    assert (change["action"], change["state"]) == ("update", "at-risk")
    assert change["state_reason"] == "GroupAggregate select list changed: SUM(v) -> MAX(v)"
    new, old = fake_flink.compiled
    assert "MAX(v)" in new["statements"][-1] and "SUM(v)" in old["statements"][-1]
    assert new["conf"]["table.exec.mini-batch.enabled"] == "true"
    assert old["conf"]["table.exec.mini-batch.enabled"] == "false"


def test_sql_flink_rejects_is_a_warning(tmp_path, fake_flink):
    project = write_project(
        tmp_path,
        {
            "a.yaml": job_yaml("job-a"),
            "b.yaml": job_yaml("broken", sql="INSERT INTO nowhere SELECT 1;"),
        },
    )
    data = json.loads(run_plan(project, "--format", "json").output)
    assert [c["action"] for c in data["changes"]] == ["create", "create"]
    assert len(data["warnings"]) == 1
    assert data["warnings"][0].startswith("broken: Flink rejects the SQL: compiling job 'broken'")
    assert "Cannot find table 'nowhere'" in data["warnings"][0]


def test_no_compat_compiles_nothing(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    assert run_plan(project, "--no-compat").exit_code == 2
    assert fake_flink.compiled == []


def test_credentials_in_the_target_url_are_not_shown(tmp_path, fake_flink):
    url = "http://plan-user:url-pass-4711@flink.test:8081"
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")}, url=url)
    for fmt in ("text", "markdown", "json"):
        output = run_plan(project, "--format", fmt).output
        assert "url-pass-4711" not in output
    data = json.loads(run_plan(project, "--format", "json").output)
    assert data["url"] == "http://flink.test:8081"


def test_an_unwritable_plan_file_is_a_clear_error(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    result = run_plan(project, "--out", str(tmp_path / "no" / "such" / "dir" / "plan.json"))
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot write the plan file")


def test_flink_errors_quoting_a_secret_are_masked_in_the_plan(make_spec, fake_flink):
    spec = make_spec(
        "broken",
        sql="INSERT INTO nowhere SELECT 'tok-secret-123';",
        secrets=frozenset({"tok-secret-123"}),
    )
    client = flinkops.workspace.FlinkClient("http://flink.test:8081")
    with Store(":memory:") as store:
        plan = make_plan(client, store, target="local", url="http://flink.test:8081", specs=[spec])
    assert "Cannot find table 'nowhere' in: INSERT INTO nowhere SELECT '***'" in plan.warnings[0]
    assert "tok-secret-123" not in json.dumps(plan.to_json())
