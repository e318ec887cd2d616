"""The scale path: the same rules as Prometheus alerting rules, and history from Prometheus.

Flink's Prometheus reporter (the ``metrics-prometheus`` plugin) names a job's
metrics ``flink_jobmanager_job_<metric>`` and a task's
``flink_taskmanager_job_task_<metric>`` (operator metrics
``flink_taskmanager_job_task_operator_<metric>``), each labelled ``job_name``:
the flinkops job name (``pipeline.name``) with every character outside
``[a-zA-Z0-9:_]`` replaced by ``_``, as the reporter does.

``export_rules(jobs, target)`` writes one rule group per target, one rule per job
and enabled rule (``promtool check rules`` accepts it). A job that fails
terminally disappears from the reporter, so "not in its desired state" is
``absent(flink_jobmanager_job_uptime{job_name=...})`` there.
``PrometheusHistory`` answers ``history()`` like the store, through
``/api/v1/query_range``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any

import httpx
import yaml

from flinkops.errors import FlinkopsError

__all__ = [
    "PROMQL_SERIES",
    "PrometheusHistory",
    "export_rules",
    "prometheus_job_name",
    "promql_for",
]

_JM = "flink_jobmanager_job_"
_TM = "flink_taskmanager_job_task_"

#: flinkops series -> PromQL (``{sel}`` is the job's label selector).
PROMQL_SERIES = {
    "running": f"max({_JM}uptime{{sel}}) > bool 0",
    "restarts": f"max({_JM}numRestarts{{sel}})",
    "records_per_s": (
        f"sum({_TM}numRecordsInPerSecond{{sel}}) + sum({_TM}numRecordsOutPerSecond{{sel}})"
    ),
    "busy_max": f"max({_TM}busyTimeMsPerSecond{{sel}}) / 1000",
    "backpressure_max": f"max({_TM}backPressuredTimeMsPerSecond{{sel}}) / 1000",
    "lag_max_s": f"max({_TM}operator_currentEmitEventTimeLag{{sel}}) / 1000",
    "checkpoint_duration_ms": f"max({_JM}lastCheckpointDuration{{sel}})",
    "checkpoint_size_bytes": f"max({_JM}lastCheckpointSize{{sel}})",
    "checkpoints_completed": f"max({_JM}numberOfCompletedCheckpoints{{sel}})",
    "checkpoints_failed": f"max({_JM}numberOfFailedCheckpoints{{sel}})",
}


def prometheus_job_name(job: str) -> str:
    """The ``job_name`` label Flink's reporter gives a job: characters outside
    ``[a-zA-Z0-9:_]`` become ``_`` (``orders-per-minute`` -> ``orders_per_minute``)."""
    return re.sub(r"[^a-zA-Z0-9:_]", "_", job)


def _sel(job: str) -> str:
    return '{job_name="' + prometheus_job_name(job) + '"}'


def promql_for(series: str, job: str) -> str:
    return PROMQL_SERIES[series].replace("{sel}", _sel(job))


def _duration(seconds: float) -> str:
    return f"{max(1, round(seconds))}s"


def _job_rules(
    job: str, rules: dict[str, dict[str, Any]], *, checkpointing: bool, interval: float
) -> list[dict[str, Any]]:
    s = _sel(job)
    exprs: dict[str, tuple[str, str, float]] = {}
    exprs["notDesired"] = (
        f"absent({_JM}uptime{s})",
        f"{job} is not running (failed, stopped or never started)",
        rules["notDesired"]["for"],
    )
    exprs["failed"] = (
        f"max({_JM}downtime{s}) > 0",
        f"{job} is failing or restarting",
        rules["failed"]["for"],
    )
    r = rules["restarts"]
    exprs["restarts"] = (
        f"increase({_JM}numRestarts{s}[{_duration(r['window'])}]) >= {r['count']}",
        f"{job} restarted at least {r['count']} times in {r['window']:g}s",
        r["for"],
    )
    if checkpointing:
        r = rules["checkpoints"]
        exprs["checkpoints"] = (
            f"changes({_JM}numberOfCompletedCheckpoints{s}[{_duration(r['age'])}]) == 0",
            f"{job} completed no checkpoint for {r['age']:g}s",
            r["for"],
        )
    r = rules["lag"]
    exprs["lag"] = (
        f"max({_TM}operator_currentEmitEventTimeLag{s}) / 1000 > {r['threshold']:g}",
        f"{job}: source lag above {r['threshold']:g}s",
        max(r["for"], r["periods"] * interval),
    )
    exprs["noRecords"] = (
        f"sum({_TM}numRecordsInPerSecond{s}) + sum({_TM}numRecordsOutPerSecond{s}) == 0",
        f"{job}: no records in or out",
        rules["noRecords"]["for"],
    )
    r = rules["backpressure"]
    exprs["backpressure"] = (
        f"max({_TM}backPressuredTimeMsPerSecond{s}) / 1000 > {r['threshold']:g}",
        f"{job}: back pressure above {r['threshold']:.0%}",
        r["for"],
    )
    out = []
    for name, (expr, summary, hold) in exprs.items():
        if not rules[name]["enabled"]:
            continue
        out.append(_rule(name, expr, hold, rules[name]["severity"], job, summary))
    return out


def _rule(
    name: str, expr: str, hold: float, severity: str, job: str, summary: str
) -> dict[str, Any]:
    alert = "Flinkops" + name[0].upper() + name[1:]
    return {
        "alert": alert,
        "expr": expr,
        "for": _duration(hold) if hold else "0s",
        "labels": {"severity": severity, "flinkops_job": job or "(cluster)", "rule": name},
        "annotations": {"summary": summary},
    }


def export_rules(
    target: str,
    jobs: Sequence[tuple[str, dict[str, dict[str, Any]], bool]],
    cluster_rules: dict[str, dict[str, Any]],
    *,
    interval: float = 15.0,
) -> str:
    """Prometheus rule-file YAML for ``jobs``: (name, effective rules, checkpointing)."""
    rules: list[dict[str, Any]] = []
    for name, job_rules, checkpointing in jobs:
        rules.extend(_job_rules(name, job_rules, checkpointing=checkpointing, interval=interval))
    unreachable = cluster_rules["unreachable"]
    if unreachable["enabled"]:
        rules.append(
            _rule(
                "unreachable",
                "absent(flink_jobmanager_numRegisteredTaskManagers)",
                unreachable["for"],
                unreachable["severity"],
                "",
                f"the Flink cluster of target {target} is not scraped: its jobs are UNKNOWN",
            )
        )
    doc = {"groups": [{"name": f"flinkops-{target}", "rules": rules}]}
    header = f"# flinkops alerts export --format prometheus (target {target})\n"
    return header + yaml.safe_dump(doc, sort_keys=False, width=200)


class PrometheusHistory:
    """``history(target, job, since, until)`` from a Prometheus server (query_range)."""

    def __init__(
        self, url: str, *, timeout: float = 10.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def history(
        self, target: str, job: str, since: int, until: int | None = None
    ) -> dict[str, list[tuple[int, float]]]:
        until = until if until is not None else int(time.time())
        step = max(1, (until - since) // 300)
        out: dict[str, list[tuple[int, float]]] = {}
        for series in PROMQL_SERIES:
            points = self._range(promql_for(series, job), since, until, step)
            if points:
                out[series] = points
        return out

    def _range(self, query: str, start: int, end: int, step: int) -> list[tuple[int, float]]:
        where = f"{self.url}/api/v1/query_range"
        try:
            params: dict[str, str | int] = {
                "query": query,
                "start": start,
                "end": end,
                "step": step,
            }
            resp = self._http.get(where, params=params)
            data = resp.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise FlinkopsError(
                f"Prometheus at {self.url}: {type(exc).__name__}: {exc}; is it running?"
            ) from exc
        if data.get("status") != "success":
            raise FlinkopsError(f"Prometheus at {self.url} refused {query!r}: {data.get('error')}")
        results = data["data"]["result"]
        if not results:
            return []
        return [
            (int(float(t)), float(v))
            for t, v in results[0]["values"]
            if v not in ("NaN", "+Inf", "-Inf")
        ]
