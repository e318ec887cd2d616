"""The one door to the metrics history and alert records of `flinkops monitor`.

Every page and API route that wants data curves or alerts calls ``monitor_history``
and nothing else. It reads ``flinkops.monitor``'s public functions (the store, or
Prometheus when the project sets ``metrics.prometheus``); until `flinkops monitor`
has kept anything for a job it says "not available" and the pages show the live
values with a line saying where the history comes from.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flinkops.errors import FlinkopsError
from flinkops.monitor import alert_records, metrics_history
from flinkops.spec import Project
from flinkops.store import Store

__all__ = ["MONITOR_HINT", "monitor_history"]

MONITOR_HINT = (
    "Data curves and alert records come from `flinkops monitor`, which keeps the "
    "metrics history and alerts in the version store; the values here are live."
)
#: the console's curve -> (flinkops monitor's series or per-vertex prefix, scale)
_CURVES = {
    "records_in_per_second": ("records_in_per_s[", 1.0),
    "records_out_per_second": ("records_out_per_s[", 1.0),
    "lag_ms": ("lag_max_s", 1000.0),
    "checkpoint_duration_ms": ("checkpoint_duration_ms", 1.0),
    "checkpoint_size": ("checkpoint_size_bytes", 1.0),
    "restarts": ("restarts", 1.0),
}


_NONE = {"alert_counts": {"firing": 0, "resolved": 0}}


def _curves(series: dict[str, list[list[float]]]) -> dict[str, list[list[float]]]:
    """The console's curves, ``[[t_ms, value], ...]``; per-vertex series summed per time."""
    out: dict[str, list[list[float]]] = {}
    for curve, (source, scale) in _CURVES.items():
        sums: dict[float, float] = defaultdict(float)
        for name, points in series.items():
            if name == source or (source.endswith("[") and name.startswith(source)):
                for t, v in points:
                    sums[t] += v * scale
        if sums:
            out[curve] = [[t * 1000, v] for t, v in sorted(sums.items())]
    return out


def monitor_history(
    store: Store, target: str, job: str, project: Project | None = None, since: float = 3600.0
) -> dict[str, Any]:
    """``{"available", "reason", "series": {name: [[t_ms, value], ...]}, "alerts": [...]}``.

    ``series`` names: records_in_per_second, records_out_per_second, lag_ms,
    checkpoint_duration_ms, checkpoint_size, restarts (the last ``since`` seconds:
    ``since_ms`` and ``until_ms`` say which span; older spans come from the rollups). ``alerts``:
    the job's (and its cluster's) alert records, newest first: at (fired), resolved_at,
    rule, severity, state (firing or resolved), message, link; ``alert_counts``: how many
    are firing and resolved.
    """
    try:
        history = metrics_history(project, store, target, job, since=since)
        records = alert_records(store, target, job, deliveries=False, limit=50)
    except FlinkopsError as exc:  # e.g. metrics.prometheus set and Prometheus down
        reason = f"{MONITOR_HINT} ({exc})"
        return {"available": False, "reason": reason, "series": {}, "alerts": [], **_NONE}
    series = _curves(history["series"])
    alerts = [
        {
            "at": r["fired_at"] or r["started_at"],
            "resolved_at": r["resolved_at"],
            "rule": r["rule"],
            "severity": r["severity"],
            "state": r["state"],
            "message": r["summary"],
            "link": r["link"],
        }
        for r in records
    ]
    counts = {s: sum(1 for a in alerts if a["state"] == s) for s in ("firing", "resolved")}
    if not series and not alerts:
        return {"available": False, "reason": MONITOR_HINT, "series": {}, "alerts": [], **_NONE}
    data = {"available": True, "reason": None, "series": series, "alerts": alerts}
    span = {"since_ms": history["since"] * 1000, "until_ms": history["until"] * 1000}
    return {**data, "alert_counts": counts, **span}
