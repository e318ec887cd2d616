"""Reading history: one function, two sources (the store, or a Prometheus server).

``history_source(project, store)`` picks the source: ``metrics.prometheus`` when the
project sets it, else the store the monitor samples into. ``metrics_history`` and
``alert_records`` are the public, JSON-able reads the CLI and the web console share.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from flinkops.monitor.prometheus import PrometheusHistory
from flinkops.spec import Project
from flinkops.store import ALERT_STATES, MetricsStore, Store

__all__ = ["History", "StoreHistory", "alert_records", "history_source", "metrics_history"]

Points = list[tuple[int, float]]


class History(Protocol):
    """Anything that answers a job's series since a time (epoch seconds)."""

    def history(
        self, target: str, job: str, since: int, until: int | None = None
    ) -> dict[str, Points]: ...


class StoreHistory:
    """History from the store's samples and rollups."""

    def __init__(self, store: Store) -> None:
        self.metrics = MetricsStore(store)

    def history(
        self, target: str, job: str, since: int, until: int | None = None
    ) -> dict[str, Points]:
        return self.metrics.history(target, job, since, until)

    def close(self) -> None:
        pass


def history_source(project: Project | None, store: Store) -> StoreHistory | PrometheusHistory:
    """Prometheus when the project sets ``metrics.prometheus``, else the store."""
    metrics = project.model.metrics if project is not None else None
    if metrics is not None and metrics.prometheus:
        return PrometheusHistory(metrics.prometheus)
    return StoreHistory(store)


def metrics_history(
    project: Project | None,
    store: Store,
    target: str,
    job: str,
    *,
    since: float = 3600.0,
    now: float | None = None,
) -> dict[str, Any]:
    """A job's metric history over the last ``since`` seconds, as JSON-able data
    (``project`` None: from the store)::

    {"target", "job", "source": "store"|"prometheus", "since", "until",
     "series": {name: [[epoch_seconds, value], ...]}}
    """
    now = time.time() if now is None else now
    source = history_source(project, store)
    try:
        series = source.history(target, job, int(now - since), int(now))
    finally:
        source.close()
    return {
        "target": target,
        "job": job,
        "source": "prometheus" if isinstance(source, PrometheusHistory) else "store",
        "since": int(now - since),
        "until": int(now),
        "series": {name: [[t, v] for t, v in pts] for name, pts in sorted(series.items())},
    }


def alert_records(
    store: Store,
    target: str,
    job: str | None = None,
    *,
    state: str | None = None,
    deliveries: bool = True,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Alert records, newest first, as JSON-able dicts (with delivery attempts).

    ``job`` None: every job's and the cluster's; a name: that job's and the
    cluster's own (job ""). ``state``: firing, resolved or pending (default: firing
    and resolved).
    """
    metrics = MetricsStore(store)
    states = (state,) if state else ("firing", "resolved")
    if state is not None and state not in ALERT_STATES:
        raise ValueError(f"state {state!r} is not one of {ALERT_STATES}")
    out = []
    for record in metrics.alerts(target, job, states=states, limit=limit):
        data = record.to_json()
        if deliveries:
            data["deliveries"] = [d.to_json() for d in metrics.deliveries(record.id)]
        out.append(data)
    return out
