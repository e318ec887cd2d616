"""The built-in rules: defaults merged with flinkops.yaml and a spec, and each condition."""

from __future__ import annotations

from typing import Any

from flinkops.monitor.rules import effective_rules, evaluate_cluster, evaluate_job
from flinkops.spec import AlertRules

NOW = 100_000.0


def _row(current: str = "RUNNING", desired: str = "running") -> dict[str, Any]:
    return {"name": "orders", "current": current, "desired": desired, "job_id": "j1"}


def _active(row: dict[str, Any], history: dict[str, Any], **kw: Any) -> set[str]:
    rules = kw.pop("rules", None) or effective_rules()
    conds = evaluate_job(row, history, rules, now=NOW, checkpointing=kw.get("cp", True))
    return {c.rule for c in conds if c.active}


def test_layers_override_defaults_and_durations_become_seconds() -> None:
    project = AlertRules.model_validate({"restarts": {"count": 5, "window": "1h"}})
    job = AlertRules.model_validate({"restarts": {"severity": "critical"}, "lag": {"for": "2min"}})
    rules = effective_rules(project, job)
    assert rules["restarts"] == {
        "enabled": True,
        "severity": "critical",
        "for": 0,
        "count": 5,
        "window": 3600.0,
    }
    assert rules["lag"]["for"] == 120.0 and rules["lag"]["threshold"] == 300
    assert effective_rules()["restarts"]["count"] == 3


def test_a_healthy_running_job_raises_nothing() -> None:
    history = {
        "restarts": [(NOW - 60, 0.0), (NOW, 0.0)],
        "records_per_s": [(NOW, 50.0)],
        "backpressure_max": [(NOW, 0.1)],
        "lag_max_s": [(NOW - 30, 1.0), (NOW - 15, 1.0), (NOW, 1.0)],
        "checkpoints_completed": [(NOW - 700, 3.0), (NOW, 60.0)],
    }
    assert _active(_row(), history) == set()


def test_failed_job_is_failed_and_not_in_its_desired_state() -> None:
    assert _active(_row("FAILED"), {}) == {"failed", "notDesired"}
    assert _active(_row("RUNNING", desired="suspended"), {}) == {"notDesired"}
    assert _active(_row("TRANSITIONING"), {}) == set()


def test_restarts_count_the_increase_within_the_window_across_a_reset() -> None:
    # 1 before the window, then 2, 3 inside it, then a new run starting from 1 again
    history = {"restarts": [(NOW - 900, 1.0), (NOW - 300, 2.0), (NOW - 200, 3.0), (NOW, 1.0)]}
    assert "restarts" in _active(_row(), history)  # 1 + 1 + 1 = 3 >= 3
    history = {"restarts": [(NOW - 900, 1.0), (NOW - 300, 2.0), (NOW, 3.0)]}
    assert "restarts" not in _active(_row(), history)


def test_checkpoints_stale_only_with_checkpointing_and_enough_history() -> None:
    stale = {"checkpoints_completed": [(NOW - 700, 4.0), (NOW, 4.0)]}
    assert "checkpoints" in _active(_row(), stale)
    assert "checkpoints" not in _active(_row(), stale, cp=False)
    young = {"checkpoints_completed": [(NOW - 100, 4.0), (NOW, 4.0)]}
    assert "checkpoints" not in _active(_row(), young)


def test_lag_needs_n_samples_in_a_row_above_the_threshold() -> None:
    rules = effective_rules(AlertRules.model_validate({"lag": {"threshold": 10, "periods": 3}}))
    above = {"lag_max_s": [(NOW - 30, 11.0), (NOW - 15, 12.0), (NOW, 13.0)]}
    assert "lag" in _active(_row(), above, rules=rules)
    dip = {"lag_max_s": [(NOW - 30, 11.0), (NOW - 15, 9.0), (NOW, 13.0)]}
    assert "lag" not in _active(_row(), dip, rules=rules)


def test_no_records_and_backpressure_only_while_running() -> None:
    history = {"records_per_s": [(NOW, 0.0)], "backpressure_max": [(NOW, 0.95)]}
    assert {"noRecords", "backpressure"} <= _active(_row(), history)
    assert not {"noRecords", "backpressure"} & _active(_row("RESTARTING"), history)


def test_disabled_rules_are_not_evaluated_and_evidence_is_kept() -> None:
    rules = effective_rules(AlertRules.model_validate({"failed": {"enabled": False}}))
    conds = evaluate_job(_row("FAILED"), {}, rules, now=NOW, checkpointing=False)
    assert "failed" not in {c.rule for c in conds}
    nd = next(c for c in conds if c.rule == "notDesired")
    assert nd.active and nd.for_s == 300 and nd.evidence["state"] == "FAILED"


def test_cluster_rule() -> None:
    [cond] = evaluate_cluster(False, "refused", "http://x", effective_rules())
    assert cond.active and cond.job == "" and cond.severity == "critical" and cond.for_s == 30
    assert not evaluate_cluster(True, None, "http://x", effective_rules())[0].active
