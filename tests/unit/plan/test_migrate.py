"""A job moved to a new cluster, planned as a migration (plan/_migrate.py, and which jobs
moved: plan/_migrate_observe.py's ``moved_jobs``). Pure."""

from __future__ import annotations

from dataclasses import replace

from flinkops.flink.models import Overview
from flinkops.plan import (
    Action,
    Compat,
    Migration,
    Observation,
    StateImpact,
    Verdicts,
    build_plan,
)
from flinkops.plan._migrate_observe import moved_jobs
from flinkops.plan.render import plan_text
from flinkops.plan.steps import FROM_STOP, StopWithSavepoint, Submit, WaitHealthy, after_failure

OLD, NEW = "http://old:8081", "http://new:8081"


def _migration(**changes: object) -> Migration:
    base = Migration(
        from_url=OLD, from_flink_version="2.3.0", to_url=NEW, to_flink_version="2.3.0",
        reachable=True, jobs=("job-a",), savepoint_dir="file:///tmp/savepoints",
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def _observation(applied, old_live=(), migration=None, version="2.3.0") -> Observation:
    return Observation(
        target="local",
        url=NEW,
        overview=Overview.from_json({"flink-version": version}),
        applied={a_name: a for a_name, a in applied.items()},
        migration=migration,
        old_live=tuple(old_live),
    )


def test_a_job_running_on_the_old_cluster_is_stopped_there_and_submitted_here(
    make_spec, make_applied, make_live_job
) -> None:
    spec = make_spec()
    applied = replace(make_applied(spec), cluster_url=OLD, flink_version="2.3.0")
    old = make_live_job(spec)
    plan = build_plan([spec], _observation({"job-a": applied}, [old], _migration()))
    change = plan.change("job-a")
    assert change.action is Action.MIGRATE and change.state is StateImpact.PRESERVED
    assert change.version == 2 and change.migrate_from == OLD and change.live == old
    stop, submit, wait, _record = change.steps
    assert stop == StopWithSavepoint(old.job_id, "file:///tmp/savepoints", cluster=OLD)
    assert submit == Submit(2, FROM_STOP) and submit.cluster is None
    assert isinstance(wait, WaitHealthy) and wait.cluster is None
    assert plan.to_json()["migration"]["from_url"] == OLD
    text = plan_text(plan.to_json())
    assert f"Migration: 1 job moves from {OLD} (Flink 2.3.0) to {NEW}" in text
    assert "stop with savepoint on the old cluster → submit v2 from savepoint" in text


def test_a_failed_new_job_resumes_the_old_one_on_the_old_cluster(
    make_spec, make_applied, make_live_job
) -> None:
    spec = make_spec()
    applied = replace(make_applied(spec), cluster_url=OLD)
    plan = build_plan([spec], _observation({"job-a": applied}, [make_live_job(spec)], _migration()))
    steps = plan.change("job-a").steps
    then = after_failure(
        steps[2], steps, version=2, rollback_to=1, new_job_id="new", restore="file:///sp"
    )
    assert [(s.name, getattr(s, "cluster", None)) for s in then] == [
        ("rollback-cancel", None),  # the new job, here
        ("rollback-submit", OLD),
        ("rollback-wait", OLD),
        ("rollback-record", None),
    ]
    assert then[1] == Submit(1, "file:///sp", name="rollback-submit", cluster=OLD)


def test_with_the_old_cluster_gone_the_newest_snapshot_is_restored(make_spec, make_applied) -> None:
    spec = make_spec()
    applied = replace(make_applied(spec, savepoint="file:///sp/chk-7"), cluster_url=OLD)
    gone = _migration(reachable=False)
    change = build_plan([spec], _observation({"job-a": applied}, (), gone)).change("job-a")
    assert change.action is Action.MIGRATE and change.restore_from == "file:///sp/chk-7"
    assert [s.kind for s in change.steps] == ["submit", "wait", "record"]
    assert change.steps[0] == Submit(2, "file:///sp/chk-7")
    assert "the old cluster is gone" in change.reason


def test_a_migration_is_blocked_while_the_savepoint_storage_is_not_shared(
    make_spec, make_applied, make_live_job
) -> None:
    spec = make_spec()
    applied = replace(make_applied(spec), cluster_url=OLD)
    problem = _migration(storage=("savepoint directory file:///nowhere does not exist",))
    obs = _observation({"job-a": applied}, [make_live_job(spec)], problem)
    change = build_plan([spec], obs).change("job-a")
    assert change.action is Action.BLOCKED and change.steps == ()
    assert "both clusters must reach the savepoint storage" in change.reason


def test_a_move_to_an_older_flink_is_blocked(make_spec, make_applied, make_live_job) -> None:
    spec = make_spec()
    applied = replace(make_applied(spec), cluster_url=OLD, flink_version="2.3.0")
    down = _migration(from_flink_version="2.3.0", to_flink_version="1.20.1")
    obs = _observation({"job-a": applied}, [make_live_job(spec)], down, version="1.20.1")
    change = build_plan([spec], obs).change("job-a")
    assert change.action is Action.BLOCKED and "newer version" in change.reason


def test_an_upgrade_is_at_risk_and_says_why(make_spec, make_applied, make_live_job) -> None:
    spec = make_spec()
    applied = replace(make_applied(spec), cluster_url=OLD, flink_version="1.20.1")
    up = _migration(from_flink_version="1.20.1")
    obs = _observation({"job-a": applied}, [make_live_job(spec)], up)
    change = build_plan([spec], obs).change("job-a")
    assert change.action is Action.MIGRATE and change.state is StateImpact.AT_RISK
    assert any("1.20.1 -> 2.3.0" in r for r in change.state_reasons)


def test_moved_jobs_are_those_recorded_elsewhere_and_not_running_here(
    make_spec, make_applied, make_live_job
) -> None:
    a, b, c, d = (make_spec(n) for n in ("a", "b", "c", "d"))
    applied = {
        "a": replace(make_applied(a), cluster_url=OLD),  # moved
        "b": replace(make_applied(b), cluster_url=NEW + "/"),  # here already
        "c": make_applied(c),  # recorded before clusters were: only with --from-url
        "d": replace(make_applied(d), cluster_url=NEW, flink_version="1.20.1"),  # upgraded
    }
    found = moved_jobs(applied, [], url=NEW, flink_version="2.3.0", from_url=None)
    assert found == ["a", "d"]
    given = moved_jobs(applied, [], url=NEW, flink_version="2.3.0", from_url=OLD)
    assert given == ["a", "c"]
    running_here = [make_live_job(a)]
    assert moved_jobs(applied, running_here, url=NEW, flink_version="2.3.0", from_url=OLD) == ["c"]


def test_an_upgrade_whose_graphs_were_compared_takes_their_verdict(
    make_spec, make_applied, make_live_job
) -> None:
    spec = make_spec()
    applied = replace(make_applied(spec), cluster_url=OLD, flink_version="1.20.1")
    obs = _observation(
        {"job-a": applied}, [make_live_job(spec)], _migration(from_flink_version="1.20.1")
    )
    refused = Compat(StateImpact.INCOMPATIBLE, ("GroupAggregate operator id changed",))
    change = build_plan([spec], obs, Verdicts(upgrade={"job-a": refused})).change("job-a")
    assert change.action is Action.MIGRATE and change.state is StateImpact.INCOMPATIBLE
    assert change.state_reasons[0] == "GroupAggregate operator id changed"
    same = Compat(StateImpact.PRESERVED, ("stateful operators unchanged (GroupAggregate)",))
    change = build_plan([spec], obs, Verdicts(upgrade={"job-a": same})).change("job-a")
    assert change.state is StateImpact.PRESERVED


def test_a_pinned_plan_is_kept_or_compiled_anew(make_spec, make_applied, make_live_job) -> None:
    from tests.unit.conftest import MAX_SQL

    spec = make_spec(compiled_plan="pin")
    applied = replace(make_applied(spec), cluster_url=OLD)
    obs = _observation({"job-a": applied}, [make_live_job(spec)], _migration())
    change = build_plan([spec], obs).change("job-a")
    assert "submitted from the plan kept for this SQL" in change.state_reasons[-1]
    changed = make_spec(compiled_plan="pin", sql=MAX_SQL)
    change = build_plan([changed], obs).change("job-a")
    assert "the SQL is new, so apply compiles a new plan" in change.state_reasons[-1]
