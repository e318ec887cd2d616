"""build_plan: version numbers that count failed attempts, blocked specs, steps in the plan,
and a saved plan file checked against what apply would run now."""

from __future__ import annotations

import pytest

from flinkops.apply import Applier, saved_plan, stale_reasons
from flinkops.flink.rest import FlinkClient
from flinkops.plan import (
    Action,
    Attempt,
    Rehearsal,
    RehearsalOutcome,
    RehearseSettings,
    StateImpact,
)
from flinkops.plan.render import plan_text
from flinkops.plan.steps import Record, Rehearse, StopWithSavepoint, Submit, WaitHealthy
from flinkops.store import Store
from tests.unit.conftest import MAX_SQL
from tests.unit.plan.helpers import only_change, plan_of


def _update(
    make_spec, make_live_job, make_applied, *, attempt=None, retry=False, sql=MAX_SQL,
    rehearse=None,
):  # fmt: skip
    old, new = make_spec("agg"), make_spec("agg", sql=sql)
    live = make_live_job(old, job_id="a" * 32)
    attempts = {"agg": attempt(new) if attempt else None}
    plan = plan_of(
        [new],
        [live],
        {"agg": make_applied(old)},
        attempts={k: v for k, v in attempts.items() if v},
        retry_failed=retry,
        rehearse=rehearse,
    )
    return plan, new


def test_the_plan_carries_its_steps_and_the_version_it_records(
    make_spec, make_live_job, make_applied
):
    plan, spec = _update(make_spec, make_live_job, make_applied)
    [change] = plan.changes
    assert (change.action, change.version) == (Action.UPDATE, 2)
    assert list(change.steps) == [
        StopWithSavepoint("a" * 32, "file:///tmp/savepoints"),
        Submit(2, "@savepoint-of-stop"),
        WaitHealthy(spec.health.window_seconds, spec.health.timeout_seconds),
        Record("applied", 2),
    ]
    assert change.to_json()["steps"][1] == {
        "kind": "submit",
        "name": "submit",
        "version": 2,
        "restore": "@savepoint-of-stop",
    }


def test_failed_versions_count_in_the_next_number(make_spec, make_live_job, make_applied):
    """v2 was rolled back with another spec: a new spec becomes v3, as the store will."""
    plan, _ = _update(
        make_spec,
        make_live_job,
        make_applied,
        attempt=lambda s: Attempt(2, "rolled-back", "other-hash", "T", "boom"),
    )
    assert plan.changes[0].action is Action.UPDATE
    assert plan.changes[0].version == 3
    assert plan.changes[0].steps[1] == Submit(3, "@savepoint-of-stop")


@pytest.mark.parametrize("outcome", ["rolled-back", "failed"])
def test_a_spec_that_failed_is_blocked(make_spec, make_live_job, make_applied, outcome):
    attempt = Attempt(2, outcome, "", "2026-11-21T14:00:00.000Z", "Cannot map state")
    plan, spec = _update(
        make_spec,
        make_live_job,
        make_applied,
        attempt=lambda s: Attempt(2, outcome, s.spec_hash, attempt.at, attempt.root_cause),
    )
    [change] = plan.changes
    assert change.action is Action.BLOCKED and change.state is StateImpact.NONE
    assert change.steps == () and change.version == 2
    assert change.blocked == Attempt(2, outcome, spec.spec_hash, attempt.at, "Cannot map state")
    assert plan.summary() == {"blocked": 1} and plan.has_changes
    data = change.to_json()
    assert data["symbol"] == "!" and data["blocked"]["root_cause"] == "Cannot map state"


def test_retry_failed_lifts_the_block(make_spec, make_live_job, make_applied):
    plan, _ = _update(
        make_spec,
        make_live_job,
        make_applied,
        attempt=lambda s: Attempt(2, "rolled-back", s.spec_hash, "T", ""),
        retry=True,
    )
    assert (plan.changes[0].action, plan.changes[0].version) == (Action.UPDATE, 3)


def test_an_applied_newest_version_blocks_nothing(make_spec, make_live_job, make_applied):
    plan, _ = _update(
        make_spec,
        make_live_job,
        make_applied,
        attempt=lambda s: Attempt(2, "applied", s.spec_hash, "T", ""),
    )
    assert plan.changes[0].action is Action.UPDATE


def _failed_after_apply(make_spec, make_live_job, make_applied, *, outcome, spec=None, retry=False):
    """Version 1 was applied and ran healthy; its job FAILED later (Flink's root cause)."""
    applied = make_spec("agg")
    spec = spec or applied
    run = make_live_job(applied, job_id="f" * 32, state="FAILED")
    cause = "java.lang.NumberFormatException: For input string: 'x'"
    failed = Attempt(1, outcome, applied.spec_hash, "2026-12-07T20:00:00.000Z", cause, "f" * 32)
    plan = plan_of(
        [spec], [run], {"agg": make_applied(applied)}, failed_runs={"agg": failed},
        retry_failed=retry,
    )  # fmt: skip
    return only_change(plan), failed, plan


def test_a_job_that_failed_after_it_was_applied_is_blocked_with_the_root_cause(
    make_spec, make_live_job, make_applied
):
    """Not restarted from empty state on every apply: blocked like a rolled-back one."""
    change, failed, plan = _failed_after_apply(
        make_spec, make_live_job, make_applied, outcome="failed"
    )
    assert change.action is Action.BLOCKED and change.steps == ()
    assert change.blocked == failed and change.version == 1
    assert "failed after it was applied (job " + "f" * 32 in change.reason
    data = change.to_json()["blocked"]
    assert data["root_cause"].startswith("java.lang.NumberFormatException")
    assert data["job_id"] == "f" * 32
    text = plan_text(plan.to_json(), colour=False)
    assert (
        f"blocked: version 1 failed at 2026-12-07T20:00:00.000Z (job {'f' * 32}); "
        "root cause: java.lang.NumberFormatException" in text
    ), text


def test_a_changed_spec_or_retry_failed_lifts_the_block_of_a_failed_job(
    make_spec, make_live_job, make_applied
):
    changed = make_spec("agg", sql=MAX_SQL)
    change, _, _ = _failed_after_apply(
        make_spec, make_live_job, make_applied, outcome="failed", spec=changed
    )
    assert change.action is Action.RESTART
    change, _, _ = _failed_after_apply(
        make_spec, make_live_job, make_applied, outcome="failed", retry=True
    )
    assert change.action is Action.RESTART


def test_a_job_the_cluster_failed_is_restarted_with_a_warning(
    make_spec, make_live_job, make_applied
):
    """A TaskManager lost is not the spec's fault: the job restarts, and the plan says so."""
    applied = make_spec("agg")
    run = make_live_job(applied, job_id="f" * 32, state="FAILED")
    lost = "JobMasterException: TaskManager with id tm-b is no longer reachable."
    failed = Attempt(1, "infra-failed", applied.spec_hash, "T", lost, "f" * 32)
    plan = plan_of([applied], [run], {"agg": make_applied(applied)}, failed_runs={"agg": failed})
    assert only_change(plan).action is Action.RESTART
    assert plan.warnings == (
        f"agg: the cluster failed version 1 ({lost}), not its spec; restart tries it again",
    )


def test_a_version_the_cluster_failed_is_tried_again(make_spec, make_live_job, make_applied):
    """Recorded infra-failed (rolled back after a TaskManager was lost): not blocked."""
    plan, _ = _update(
        make_spec,
        make_live_job,
        make_applied,
        attempt=lambda s: Attempt(2, "infra-failed", s.spec_hash, "T", "no longer reachable"),
    )
    assert (plan.changes[0].action, plan.changes[0].version) == (Action.UPDATE, 3)
    assert "the cluster failed version 2" in plan.warnings[0]


def test_a_blocked_create_is_blocked_too(make_spec):
    """A new job whose first version failed is not resubmitted on every apply."""
    spec = make_spec("agg")
    attempts = {"agg": Attempt(1, "failed", spec.spec_hash, "T", "boom")}
    plan = plan_of([spec], attempts=attempts)
    assert plan.changes[0].action is Action.BLOCKED


@pytest.mark.parametrize(
    ("outcome", "said"), [("failed", "failed"), ("rolled-back", "was rolled back")]
)
def test_a_blocked_spec_says_what_became_of_its_version(make_spec, outcome, said):
    """Issue 22: "version 1 of this spec was failed"."""
    spec = make_spec("agg")
    attempts = {"agg": Attempt(1, outcome, spec.spec_hash, "T", "boom")}
    [change] = plan_of([spec], attempts=attempts).changes
    assert change.reason.startswith(f"version 1 of this spec {said}; change the spec")
    client = FlinkClient("http://flink.test:8081")
    with Store(":memory:") as store:
        applier = Applier(client, store, target="local", specs=[spec])
        result = applier.apply(plan_of([spec], attempts=attempts))
    assert result.results[0].message.startswith(
        f"left as it is: version 1 of this spec {said} at T"
    )


# ---------------------------------------------------------------- plan files


def test_saved_steps_that_differ_make_the_file_stale(make_spec, make_live_job, make_applied):
    plan, _ = _update(make_spec, make_live_job, make_applied)
    saved = plan.to_json()
    assert stale_reasons(saved, plan) == []
    saved["changes"][0]["steps"][2]["window"] = 99
    assert stale_reasons(saved, plan) == ["agg: the plan's steps are not what apply would run now"]


def test_a_saved_plan_runs_its_own_steps(make_spec, make_live_job, make_applied):
    plan, _ = _update(make_spec, make_live_job, make_applied)
    saved = plan.to_json()
    assert saved_plan(saved, plan).changes[0].steps == plan.changes[0].steps
    # a step the file holds masked (a secret in a savepoint URL) comes from the fresh plan
    saved["changes"][0]["steps"][0]["target_dir"] = "s3://***@bucket/sp"
    assert saved_plan(saved, plan).changes[0].steps[0] == plan.changes[0].steps[0]


def test_apply_rehearse_puts_a_rehearse_step_before_the_stop(
    make_spec, make_live_job, make_applied
):
    plan, _ = _update(make_spec, make_live_job, make_applied, rehearse=RehearseSettings())
    first, stop = only_change(plan).steps[:2]
    assert first == Rehearse("savepoint", 120.0, False, None)
    assert isinstance(stop, StopWithSavepoint)


def test_apply_rehearse_adds_its_step_to_a_saved_plan(make_spec, make_live_job, make_applied):
    plan, _ = _update(make_spec, make_live_job, make_applied)
    fresh, _ = _update(make_spec, make_live_job, make_applied, rehearse=RehearseSettings())
    saved = plan.to_json()
    assert stale_reasons(saved, fresh) == []
    steps = saved_plan(saved, fresh).changes[0].steps
    assert isinstance(steps[0], Rehearse) and steps[1:] == plan.changes[0].steps


def test_a_saved_plans_refused_rehearsal_still_refuses(make_spec, make_live_job, make_applied):
    plan, _ = _update(make_spec, make_live_job, make_applied)
    saved = plan.to_json()
    refused = Rehearsal(RehearsalOutcome.REFUSED, root_cause="StateMigrationException: no")
    saved["changes"][0]["rehearsal"] = refused.to_json()
    change = saved_plan(saved, plan).changes[0]
    assert change.state is StateImpact.INCOMPATIBLE and change.rehearsal == refused


def test_next_version_follows_every_known_number() -> None:
    from flinkops.plan import next_version

    assert next_version() == 1
    assert next_version(None, None) == 1
    assert next_version(2, None, 6) == 7  # a rolled-back v6 still takes its number
