"""Verdict levels: configuration judged like SQL (``plan/_config_rules.py``), a change
of how a job is applied recorded without a restart, incompatible changes refused."""

from __future__ import annotations

import pytest

from flinkops.apply import carry_out
from flinkops.errors import ApplyError
from flinkops.plan import Action, Compat, PlanOptions, StateImpact
from flinkops.plan._config_rules import NEUTRAL, ConfigChange, config_findings, reaches_state
from flinkops.plan._verdicts import compile_needs
from flinkops.plan.render import plan_text, summary_line
from flinkops.plan.steps import Record
from flinkops.store import Outcome
from tests.unit.conftest import MAX_SQL, SUM_SQL
from tests.unit.plan.helpers import observed, only_change, plan_of


def findings(old: dict[str, str], new: dict[str, str]):
    return [(f.impact, f.reason) for f in config_findings(ConfigChange(old, new))]


def test_neutral_keys_reach_neither_plan_nor_state() -> None:
    keys = ["execution.checkpointing.interval", "restart-strategy.type", "table.exec.state.ttl"]
    assert reaches_state(keys) == ["table.exec.state.ttl"]
    assert all(why for why in NEUTRAL.values())  # every neutral key says why
    assert findings({"execution.checkpointing.interval": "1s"}, {}) == []


def test_planner_keys_are_left_to_the_graphs_and_unknown_keys_are_at_risk() -> None:
    assert findings({}, {"table.exec.mini-batch.enabled": "true"}) == []
    assert findings({}, {"table.exec.source.idle-timeout": "5s"}) == [
        (
            StateImpact.AT_RISK,
            "unknown: flinkConfiguration table.exec.source.idle-timeout changed; what it "
            "does to restored state is not known to flinkops",
        )
    ]


def test_max_parallelism_against_the_savepoints() -> None:
    key = "pipeline.max-parallelism"
    ((impact, why),) = findings({key: "128"}, {key: "256"})
    assert impact is StateImpact.INCOMPATIBLE
    assert why.startswith("pipeline.max-parallelism 128 -> 256: Flink will refuse the savepoint")
    # unset before: the running job's may be Flink's default or its savepoint's
    assert findings({}, {key: "256"})[0][0] is StateImpact.AT_RISK
    assert findings({key: "256"}, {})[0][0] is StateImpact.AT_RISK
    assert findings({key: "256"}, {key: "256"}) == []


@pytest.mark.parametrize("key", ["table.local-time-zone", "table.exec.state.ttl"])
def test_rules_flink_restores_but_meaning_changes_are_at_risk(key: str) -> None:
    ((impact, why),) = findings({}, {key: "x"})
    assert impact is StateImpact.AT_RISK and why.startswith(f"{key} (unset) -> x: Flink restores")


def test_a_planner_key_change_compiles_the_applied_version(
    make_spec, make_live_job, make_applied
) -> None:
    old = make_spec()
    interval = make_spec("job-a", flink_configuration={"execution.checkpointing.interval": "9s"})
    batched = make_spec("job-a", flink_configuration={"table.exec.mini-batch.enabled": "true"})
    seen = observed([make_live_job(old)], {"job-a": make_applied(old)})
    (need,) = compile_needs([interval], seen, PlanOptions())
    assert need.old is None  # a neutral key: nothing to compare
    (need,) = compile_needs([batched], seen, PlanOptions())
    assert need.old is not None and need.applied is not None


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ({"upgrade_mode": "stateless"}, "upgradeMode savepoint -> stateless"),
        ({"allow_non_restored_state": True}, "allowNonRestoredState false -> true"),
    ],
)
def test_a_change_of_how_a_job_is_applied_is_recorded_without_a_restart(
    make_spec, make_live_job, make_applied, setting, words
) -> None:
    old, new = make_spec(), make_spec(**setting)
    live = make_live_job(old, job_id="a" * 32)
    change = only_change(plan_of([new], [live], {"job-a": make_applied(old)}))
    assert (change.action, change.state, change.version) == (Action.RECORD, StateImpact.NONE, 2)
    assert change.reason.startswith(f"{words}: recorded on the running job, no restart")
    assert change.steps == (Record(Outcome.APPLIED, 2, job_id="a" * 32),)
    assert change.steps[0].to_json()["job_id"] == "a" * 32
    assert "job_id" not in Record(Outcome.APPLIED, 2).to_json()


def test_how_applied_and_anything_else_is_an_update(make_spec, make_live_job, make_applied) -> None:
    old = make_spec()
    secret = SUM_SQL.replace("'datagen'", "'datagen', 'password' = 'pw1'")
    with_secret = make_spec(sql=secret, secrets=frozenset({"pw1"}))
    changed_secret = make_spec(
        sql=secret.replace("pw1", "pw2"), secrets=frozenset({"pw2"}), upgrade_mode="stateless"
    )
    cases = [
        (old, make_spec(upgrade_mode="stateless", sql=MAX_SQL)),
        (old, make_spec(upgrade_mode="stateless", parallelism=3)),
        (with_secret, changed_secret),  # a secret changed: masked in diffs, not in the hash
    ]
    for old, new in cases:
        change = only_change(plan_of([new], [make_live_job(old)], {"job-a": make_applied(old)}))
        assert change.action is not Action.RECORD, new
    old = make_spec()
    drifted = make_live_job(old, spec_hash="feedfacefeedface")
    change = only_change(
        plan_of([make_spec(upgrade_mode="stateless")], [drifted], {"job-a": make_applied(old)})
    )
    assert change.action is not Action.RECORD


def test_stateless_accepts_an_incompatible_change(make_spec, make_live_job, make_applied) -> None:
    old, new = make_spec(), make_spec(sql=MAX_SQL, upgrade_mode="stateless")
    verdict = Compat(StateImpact.INCOMPATIBLE, ("GroupAggregate aggregate calls added",))
    change = only_change(
        plan_of(
            [new], [make_live_job(old)], {"job-a": make_applied(old)}, compat={"job-a": verdict}
        )
    )
    assert (change.action, change.state) == (Action.UPDATE, StateImpact.LOST)
    assert change.reason.endswith("; starts without state (upgradeMode: stateless)")
    assert change.state_reasons == (
        "upgradeMode stateless: cancelled and started empty",
        "(not restored) GroupAggregate aggregate calls added",
    )


def test_an_incompatible_change_is_refused_before_asking(
    make_spec, make_live_job, make_applied
) -> None:
    old, new = make_spec(), make_spec(sql=MAX_SQL)
    why = "GroupAggregate aggregate calls added (COUNT(*)): Flink will refuse"
    verdict = Compat(StateImpact.INCOMPATIBLE, (why,))
    plan = plan_of(
        [new], [make_live_job(old)], {"job-a": make_applied(old)}, compat={"job-a": verdict}
    )
    assert only_change(plan).state is StateImpact.INCOMPATIBLE
    assert summary_line(plan.to_json()).endswith("State: 1 incompatible (apply refuses).")
    assert "state INCOMPATIBLE" in plan_text(plan.to_json())
    asked: list[bool] = []
    with pytest.raises(ApplyError) as refused:
        carry_out(None, plan, recovered=[], confirm=lambda: asked.append(True))  # type: ignore[arg-type]
    assert asked == []
    text = str(refused.value)
    assert text.startswith("refusing to apply: Flink would refuse to restore the state of job-a")
    assert why in text and "Nothing was changed" in text and "upgradeMode: stateless" in text
