"""What the apply and rollback commands decide around the applier: the scope of the plan,
a saved plan file (written, read, refused when stale), asking first, carrying it out,
and the spec of a stored version."""

from __future__ import annotations

from pathlib import Path

import pytest

from flinkops.apply import (
    ApplyResult,
    JobResult,
    accept_saved_plan,
    carry_out,
    needs_confirmation,
    plan_scope,
)
from flinkops.apply.applier import job_result
from flinkops.apply.run_state import Run, RunState
from flinkops.apply.versions import spec_of_version
from flinkops.errors import ApplyError, PlanError, StalePlan
from flinkops.plan import Action, Plan
from flinkops.plan.planfile import read_plan_file, write_plan_file
from flinkops.store import Store, VersionRecord
from tests.unit.conftest import MAX_SQL
from tests.unit.plan.helpers import plan_of


def _plan(make_spec, make_live_job, make_applied, *, applied_version: int = 1) -> Plan:
    """An update of ``agg`` over the running job ``a...a``, after ``applied_version``."""
    old, new = make_spec("agg"), make_spec("agg", sql=MAX_SQL)
    live = make_live_job(old, job_id="a" * 32, version=applied_version)
    applied = {"agg": make_applied(old, version=applied_version)}
    return plan_of([new], [live], applied)


def test_the_scope_is_the_named_jobs_or_those_of_the_saved_plan() -> None:
    assert plan_scope([], None, prune=False, retry_failed=False).only is None
    assert plan_scope(["b", "a"], None, prune=True, retry_failed=False).only == ["b", "a"]
    saved = {"changes": [{"job": "z", "action": "update"}, {"job": "y", "action": "delete"}]}
    scope = plan_scope([], saved, prune=False, retry_failed=False)
    # a saved plan that deletes a job was made with --prune, and is re-planned so
    assert (scope.only, scope.prune, scope.retry_failed) == (["y", "z"], True, False)
    assert plan_scope(["x"], {**saved, "retry_failed": True}, prune=False, retry_failed=False) == (
        plan_scope(["x"], None, prune=True, retry_failed=True)
    )
    # a plan saved with --allow-behind is checked against a fresh plan made so too
    behind = plan_scope([], {**saved, "allow_behind": True}, prune=False, retry_failed=False)
    assert behind.allow_behind and not scope.allow_behind


def test_a_saved_plan_is_accepted_while_nothing_moved(
    make_spec, make_live_job, make_applied
) -> None:
    plan = _plan(make_spec, make_live_job, make_applied)
    accepted = accept_saved_plan(plan.to_json(), plan, plan.to_json())
    assert accepted.changes == plan.changes


def test_a_saved_plan_is_refused_when_the_applied_version_moved(
    make_spec, make_live_job, make_applied
) -> None:
    """Another apply (an in-place rescale, say: same job id, same state) recorded v2."""
    saved = _plan(make_spec, make_live_job, make_applied).to_json()
    now = _plan(make_spec, make_live_job, make_applied, applied_version=2)
    with pytest.raises(StalePlan) as caught:
        accept_saved_plan(saved, now, now.to_json())
    assert str(caught.value) == (
        "the plan is stale: agg: applied version was 1, now 2; agg: version to record was "
        "2, now 3. Run `flinkops plan --out FILE` again."
    )


def test_asking_first_only_for_a_fresh_plan_that_runs_steps(
    make_spec, make_live_job, make_applied
) -> None:
    plan = _plan(make_spec, make_live_job, make_applied)
    assert needs_confirmation(plan, None)
    assert not needs_confirmation(plan, plan.to_json())  # approved when it was saved
    assert not needs_confirmation(Plan("local", "", ()), None)


class _Applier:
    def __init__(self) -> None:
        self.applied: list[tuple[Plan, bool]] = []

    def apply(
        self, plan: Plan, *, allow_state_loss: bool = False, requested: str | None = None
    ) -> ApplyResult:
        self.applied.append((plan, allow_state_loss))
        return ApplyResult(plan.target, [JobResult("agg", "update", "done")])


def test_carry_out_asks_then_applies_and_keeps_the_recovered_lines(
    make_spec, make_live_job, make_applied
) -> None:
    applier, asked = _Applier(), []
    plan = _plan(make_spec, make_live_job, make_applied)
    result = carry_out(
        applier,  # type: ignore[arg-type]
        plan,
        recovered=["x: resumed"],
        confirm=lambda: asked.append(True),
        allow_state_loss=True,
    )
    assert asked == [True] and applier.applied == [(plan, True)]
    assert (result.ok, result.recovered) == (True, ["x: resumed"])


def test_carry_out_of_no_changes_asks_nothing(make_spec, make_live_job, make_applied) -> None:
    applier = _Applier()
    spec = make_spec("agg")
    plan = plan_of([spec], [make_live_job(spec)], {"agg": make_applied(spec)})
    assert plan.changes[0].action is Action.NOOP

    def refuse() -> None:
        raise ApplyError("asked")

    result = carry_out(applier, plan, recovered=["r"], confirm=refuse)  # type: ignore[arg-type]
    assert (result.to_json(), applier.applied) == (
        {"target": "local", "ok": True, "recovered": ["r"], "results": []},
        [],
    )


def test_a_plan_file_round_trips_and_an_unwritable_one_is_a_plan_error(tmp_path: Path) -> None:
    data = {"target": "local", "changes": []}
    write_plan_file(tmp_path / "plan.json", data)
    assert read_plan_file(tmp_path / "plan.json") == data
    assert read_plan_file(None) is None
    with pytest.raises(PlanError, match="cannot write the plan file"):
        write_plan_file(tmp_path, data)


def test_the_spec_of_a_stored_version(make_spec, tmp_path: Path) -> None:
    old, current = make_spec("agg"), make_spec("agg", sql=MAX_SQL, parallelism=3)
    with Store(str(tmp_path / "store.db")) as store:
        store.record_version(
            VersionRecord(
                "local",
                "agg",
                1,
                old.spec_hash,
                old.sql_hash,
                old.config_hash,
                old.portable(old.to_json(redacted=False)),
                old.sql,
                outcome="applied",
            )
        )
        looked_up: list[str] = []

        def lookup(name: str):
            looked_up.append(name)
            return current

        with pytest.raises(PlanError, match=r"agg has no version 2 on target local \(see"):
            spec_of_version(store, "local", "agg", 2, lookup)
        assert looked_up == []  # the version is found first, then the spec
        spec = spec_of_version(store, "local", "agg", 1, lookup)
        assert (spec.sql, spec.spec_hash, spec.parallelism) == (old.sql, old.spec_hash, None)
        with pytest.raises(PlanError, match="agg has no spec any more"):
            spec_of_version(store, "local", "agg", 1, lambda name: None)


@pytest.mark.parametrize(
    ("action", "ctx", "said"),
    [
        ("create", {}, "submit failed; no job was started"),
        ("resume", {"restored_from": "file:///sp/1"}, "submit failed; no job was started"),
        ("update", {}, "submit failed; the running job was left as it was"),
    ],
)
def test_a_failed_run_says_what_was_left_running(action: str, ctx: dict, said: str) -> None:
    """Issue 22: a failed create said "the running job was left as it was"."""
    state = RunState(**{"error": "submit failed", **ctx})
    run = Run("agg", action, 1, 2, None, "", None, [], state, "failed")
    assert job_result(run).message.startswith(said)
