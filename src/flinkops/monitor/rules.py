"""The built-in alert rules: their defaults, merging, and evaluating them (pure).

``effective_rules(project_rules, job_rules)`` merges DEFAULT_RULES <- flinkops.yaml
<- the job's ``spec.alerts.rules``. ``evaluate_job`` / ``evaluate_cluster`` turn what
a pass saw (a status row, the job's history) into ``Condition``s: is the rule's
condition true now, and the evidence. Whether an alert fires is the state machine's
business (``flinkops.monitor.alerting``): it applies each rule's ``for:``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flinkops.spec import AlertRules, parse_duration

__all__ = [
    "CLUSTER_RULES",
    "DEFAULT_RULES",
    "JOB_RULES",
    "Condition",
    "effective_rules",
    "evaluate_cluster",
    "evaluate_job",
    "history_window",
]

Points = list[tuple[int, float]]

DEFAULT_RULES: dict[str, dict[str, Any]] = {
    "failed": {"enabled": True, "severity": "critical", "for": 0},
    "notDesired": {"enabled": True, "severity": "warning", "for": 300},
    "restarts": {"enabled": True, "severity": "warning", "for": 0, "count": 3, "window": 600},
    "checkpoints": {"enabled": True, "severity": "warning", "for": 0, "age": 600},
    "lag": {"enabled": True, "severity": "warning", "for": 0, "threshold": 300, "periods": 3},
    "noRecords": {"enabled": True, "severity": "warning", "for": 600},
    "backpressure": {"enabled": True, "severity": "warning", "for": 300, "threshold": 0.8},
    "unreachable": {"enabled": True, "severity": "critical", "for": 30},
}
JOB_RULES = tuple(r for r in DEFAULT_RULES if r != "unreachable")
CLUSTER_RULES = ("unreachable",)
_DURATIONS = ("for", "window", "age")


@dataclass(frozen=True)
class Condition:
    """A rule's condition for one job ("" = the cluster) at one pass."""

    job: str
    rule: str
    active: bool
    severity: str
    for_s: float
    summary: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)


def effective_rules(*layers: AlertRules | None) -> dict[str, dict[str, Any]]:
    """DEFAULT_RULES with each layer's fields on top; durations in seconds."""
    rules = {name: dict(values) for name, values in DEFAULT_RULES.items()}
    for layer in layers:
        for name, values in (layer.as_dict() if layer else {}).items():
            rules[name].update(values)
    for values in rules.values():
        for key in _DURATIONS:
            if key in values:
                values[key] = parse_duration(values[key])
    return rules


def history_window(rules: dict[str, dict[str, Any]], interval: float) -> float:
    """Seconds of history the rules need to look back."""
    return max(
        rules["restarts"]["window"],
        rules["checkpoints"]["age"],
        (rules["lag"]["periods"] + 1) * interval,
        60.0,
    )


def _last(points: Points | None) -> float | None:
    return points[-1][1] if points else None


def _increase(points: Points, since: float) -> float:
    """How much a counter grew after ``since`` (a drop is a reset: counted from 0)."""
    inside = [v for t, v in points if t >= since]
    before = [v for t, v in points if t < since]
    prev = before[-1] if before else (inside[0] if inside else 0.0)
    total = 0.0
    for value in inside:
        total += value - prev if value >= prev else value
        prev = value
    return total


Check = tuple[bool, str, dict[str, Any]]


def _state_checks(row: dict[str, Any]) -> dict[str, Check]:
    current, desired = row.get("current"), row.get("desired")
    if desired == "running":
        off_state = current not in ("RUNNING", "TRANSITIONING")
    else:
        off_state = current in ("RUNNING", "RESTARTING")
    return {
        "failed": (current == "FAILED", f"job is FAILED (desired {desired})", {}),
        "notDesired": (off_state, f"job is {current}, desired {desired}", {}),
    }


def _metric_checks(
    running: bool,
    history: dict[str, Points],
    rules: dict[str, dict[str, Any]],
    now: float,
    checkpointing: bool,
) -> dict[str, Check]:
    checks: dict[str, Check] = {}
    r = rules["restarts"]
    grew = _increase(history.get("restarts", []), now - r["window"])
    checks["restarts"] = (
        grew >= r["count"],
        f"{grew:g} restarts in the last {r['window']:g}s (limit {r['count']})",
        {"restarts_in_window": grew, "restarts_total": _last(history.get("restarts"))},
    )
    r = rules["checkpoints"]
    completed = history.get("checkpoints_completed", [])
    covered = bool(completed) and completed[0][0] <= now - r["age"]
    stale = running and checkpointing and covered and _increase(completed, now - r["age"]) == 0
    checks["checkpoints"] = (
        stale,
        f"no completed checkpoint for {r['age']:g}s",
        {"checkpoint_age_s": _last(history.get("checkpoint_age_s"))},
    )
    r = rules["lag"]
    lags = [v for _, v in history.get("lag_max_s", [])][-int(r["periods"]) :]
    checks["lag"] = (
        running and len(lags) >= r["periods"] and min(lags) > r["threshold"],
        f"source lag above {r['threshold']:g}s for {r['periods']} samples",
        {"lag_s": lags},
    )
    records = _last(history.get("records_per_s"))
    checks["noRecords"] = (
        running and records == 0,
        "no records in or out while RUNNING",
        {"records_per_s": records},
    )
    r = rules["backpressure"]
    pressure = _last(history.get("backpressure_max"))
    checks["backpressure"] = (
        running and pressure is not None and pressure > r["threshold"],
        f"back pressure {pressure or 0:.0%} above {r['threshold']:.0%}",
        {"backpressure_max": pressure},
    )
    return checks


def evaluate_job(
    row: dict[str, Any],
    history: dict[str, Points],
    rules: dict[str, dict[str, Any]],
    *,
    now: float,
    checkpointing: bool,
) -> list[Condition]:
    """Every enabled job rule's condition for one status row and its history. Pure."""
    base = {"state": row.get("current"), "desired": row.get("desired"), "job_id": row.get("job_id")}
    checks = _state_checks(row)
    running = row.get("current") == "RUNNING"
    checks.update(_metric_checks(running, history, rules, now, checkpointing))
    return [
        Condition(
            job=row["name"],
            rule=name,
            active=bool(active),
            severity=rules[name]["severity"],
            for_s=rules[name]["for"],
            summary=f"{row['name']}: {summary}",
            evidence={**base, **evidence},
        )
        for name, (active, summary, evidence) in checks.items()
        if rules[name]["enabled"]
    ]


def evaluate_cluster(
    reachable: bool, error: str | None, url: str, rules: dict[str, dict[str, Any]]
) -> list[Condition]:
    """The cluster rule: unreachable (its jobs' state is UNKNOWN)."""
    rule = rules["unreachable"]
    if not rule["enabled"]:
        return []
    return [
        Condition(
            job="",
            rule="unreachable",
            active=not reachable,
            severity=rule["severity"],
            for_s=rule["for"],
            summary=f"cluster {url} unreachable: its jobs are UNKNOWN",
            evidence={"url": url, "error": error},
        )
    ]
