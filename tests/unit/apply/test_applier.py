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
from flinkops.plan import Action, Plan, SqlRejected
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


# ---- a plan with errors (SQL Flink's planner rejects) is refused whole

REJECTED = SqlRejected(
    "agg", "jobs/agg.yaml", 9, 24, "SQL validation failed. Column 'vv' not found in any table"
)


def _rejected_plan(make_spec, make_live_job, make_applied) -> Plan:
    """The update of ``agg`` Flink rejects, beside a create of ``fresh`` it accepts."""
    old, new = make_spec("agg"), make_spec("agg", sql=MAX_SQL)
    live = make_live_job(old, job_id="a" * 32)
    return plan_of(
        [new, make_spec("fresh")], [live], {"agg": make_applied(old)}, rejected={"agg": REJECTED}
    )


def test_carry_out_refuses_a_plan_with_errors_before_asking(
    make_spec, make_live_job, make_applied
) -> None:
    plan = _rejected_plan(make_spec, make_live_job, make_applied)
    assert [c.action for c in plan.changes] == [Action.REJECTED, Action.CREATE]
    applier, asked = _Applier(), []
    with pytest.raises(ApplyError) as refused:
        carry_out(applier, plan, recovered=[], confirm=lambda: asked.append(True))  # type: ignore[arg-type]
    assert (asked, applier.applied) == ([], [])  # neither asked nor applied: not even `fresh`
    assert str(refused.value) == (
        "refusing to apply a plan with errors: Flink rejects the SQL of agg (jobs/agg.yaml:9:24: "
        "SQL validation failed. Column 'vv' not found in any table). Nothing was changed; fix "
        "the spec and plan again (`flinkops validate --target NAME` compiles every spec first)"
    )


def test_the_applier_itself_touches_nothing_of_a_plan_with_errors(
    make_spec, make_live_job, make_applied
) -> None:
    import httpx

    from flinkops.apply import Applier
    from flinkops.flink.rest import FlinkClient

    requests: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(f"{request.method} {request.url.path}")
        return httpx.Response(500, json={"errors": ["must not be called"]})

    plan = _rejected_plan(make_spec, make_live_job, make_applied)
    client = FlinkClient("http://flink.test", transport=httpx.MockTransport(answer))
    with Store(":memory:") as store:
        applier = Applier(client, store, target="local", specs=[make_spec("fresh")])
        with pytest.raises(ApplyError, match="refusing to apply a plan with errors"):
            applier.apply(plan)
        assert store.versions("local", "fresh") == []
    assert requests == []


def test_a_plan_file_with_errors_round_trips_and_is_refused(
    make_spec, make_live_job, make_applied, tmp_path: Path
) -> None:
    from flinkops.apply import plan_for_apply
    from flinkops.plan import Change

    plan = _rejected_plan(make_spec, make_live_job, make_applied)
    write_plan_file(tmp_path / "plan.json", plan.to_json())
    saved = read_plan_file(tmp_path / "plan.json")
    assert saved is not None
    assert saved["errors"] == [REJECTED.to_json()]
    (change, _) = (Change.from_json(c) for c in saved["changes"])
    assert (change.action, change.rejected) == (Action.REJECTED, REJECTED)

    class _Workspace:  # refused before anything is planned again
        def require_jobs(self, names: object) -> None:
            pass

        def make_plan(self, **kw: object) -> Plan:
            raise AssertionError("planned again")

    with pytest.raises(ApplyError, match=r"Flink rejects the SQL of agg \(jobs/agg.yaml:9:24"):
        plan_for_apply(_Workspace(), saved, [], prune=False, retry_failed=False)  # type: ignore[arg-type]
