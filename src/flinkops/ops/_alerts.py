"""What is wrong now: the alerts `flinkops monitor` has firing, put on the status rows.

``with_alerts`` is pure: it gives each managed row ``alerts`` (its firing alerts, the
worst first), the document ``alerts`` (``firing``: how many fire on the target,
``cluster``: the cluster's own), and orders the rows so that jobs with a firing alert
come first (worst severity, then firing longest), the others by name as before.
``firing_alerts`` reads them from the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flinkops.store import AlertRecord, MetricsStore, Store, iso_ms

__all__ = ["SEVERITIES", "firing_alerts", "with_alerts"]

#: severities, worst first
SEVERITIES = ("critical", "warning", "info")


def firing_alerts(store: Store, target: str) -> list[AlertRecord]:
    """The target's firing alerts (pending ones have not fired yet)."""
    return [a for a in MetricsStore(store).open_alerts(target) if a.state == "firing"]


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def _row(a: AlertRecord, now_ms: int) -> dict[str, Any]:
    since = a.fired_ms or a.started_ms
    return {
        "rule": a.rule,
        "severity": a.severity,
        "since": iso_ms(since),
        "firing_ms": max(0, now_ms - since),
        "summary": a.summary,
        "link": a.link,
    }


def with_alerts(
    status: dict[str, Any], firing: Sequence[AlertRecord], now_ms: int
) -> dict[str, Any]:
    """``status`` with its firing alerts on the rows, and those rows first. Pure."""
    worst = sorted(firing, key=lambda a: (_rank(a.severity), a.fired_ms or a.started_ms))
    by_job: dict[str, list[dict[str, Any]]] = {}
    for a in worst:
        by_job.setdefault(a.job, []).append(_row(a, now_ms))
    jobs = [{**j, "alerts": by_job.get(j["name"], [])} for j in status["jobs"]]

    def order(j: dict[str, Any]) -> tuple[int, int, int]:
        if not j["alerts"]:
            return (1, 0, 0)
        top = j["alerts"][0]
        return (0, _rank(top["severity"]), -top["firing_ms"])

    jobs.sort(key=order)  # stable: the jobs without an alert keep their order (by name)
    summary = {"firing": len(firing), "cluster": by_job.get("", [])}
    return {**status, "jobs": jobs, "alerts": summary}
