"""One sampling pass over a target's managed jobs through Flink's REST metrics.

Per pass: ``/jobs/overview`` once; a job's identity (``flinkops.flink.live``'s read model)
once per job id (the identity a job carries never changes, so it is cached); and for each active
managed job ``/jobs/:id`` (vertices), ``/jobs/:id/metrics`` (restarts),
``/jobs/:id/checkpoints`` and one ``/subtasks/metrics`` per vertex (all its metrics
in one call, summed and maxed over subtasks). A vertex's list of metric ids is read
once and cached, to find the source metrics its connector reports.

``Sampler.sample(specs, latest, moving, metrics=True)`` returns a ``Pass``: the
status rows (``flinkops status``'s pure ``build_status``) and one value per series
per job. Series names are listed in docs/monitoring.md; per-vertex ones carry the
vertex in brackets (``records_in_per_s[Source: orders]``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from flinkops.errors import FlinkError, FlinkUnreachable
from flinkops.flink.live import LiveJob, Scope, read_jobs
from flinkops.flink.models import JobDetails, Vertex
from flinkops.flink.rest import FlinkClient, segment
from flinkops.ops import build_status, job_metrics
from flinkops.spec import JobSpec
from flinkops.store import VersionRecord

__all__ = ["JOB_SERIES", "SOURCE_METRICS", "Pass", "Sampler", "vertex_label"]

#: Job-level series every active job gets (those Flink reports).
JOB_SERIES = (
    "running",
    "restarts",
    "records_per_s",
    "busy_max",
    "backpressure_max",
    "lag_max_s",
    "checkpoint_duration_ms",
    "checkpoint_size_bytes",
    "checkpoints_completed",
    "checkpoints_failed",
    "checkpoint_age_s",
)
_VERTEX_METRICS = {
    "numRecordsInPerSecond": ("records_in_per_s", "sum"),
    "numRecordsOutPerSecond": ("records_out_per_s", "sum"),
    "busyTimeMsPerSecond": ("busy_ms_per_s", "max"),
    "backPressuredTimeMsPerSecond": ("backpressured_ms_per_s", "max"),
}
#: Source metrics (FLIP-33) by their operator-scoped suffix -> series name.
SOURCE_METRICS = {
    "currentEmitEventTimeLag": "emit_event_time_lag_ms",
    "watermarkLag": "watermark_lag_ms",
    "sourceIdleTime": "source_idle_ms",
    "pendingRecords": "pending_records",
}
#: A source's output watermark (or its chained watermark assigner's); its lag behind
#: now is ``watermark_lag_ms`` where the connector reports no ``watermarkLag``.
_SOURCE_WATERMARK = "currentOutputWatermark"
#: Re-read a vertex's metric list every this many passes (connectors register
#: some metrics only once records flow).
_RELIST_EVERY = 20


def vertex_label(vertex: Vertex) -> str:
    """A short, stable name for a vertex: its name up to the first '(' , at most 48 chars."""
    name = vertex.name.split("(")[0].strip() or vertex.id[:8]
    return name[:48]


@dataclass
class Pass:
    """What one pass saw: status rows by job name and series values by job name."""

    at: int
    reachable: bool
    error: str | None
    status: dict[str, Any]
    values: dict[str, dict[str, float | None]] = field(default_factory=dict)
    calls: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> dict[str, dict[str, Any]]:
        return {row["name"]: row for row in self.status.get("jobs", [])}


class Sampler:
    """Samples one target; keeps the caches that make later passes cheaper. ``scope``:
    the project's (``plan.scope``): another project's jobs are not sampled as its own."""

    def __init__(
        self, client: FlinkClient, *, target: str, url: str, scope: Scope | None = None
    ) -> None:
        self.client = client
        self.target = target
        self.scope = scope
        self.url = url
        self.calls = 0
        self._identity: dict[str, LiveJob] = {}
        self._metric_ids: dict[tuple[str, str], list[str]] = {}
        self._passes = 0

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        self.calls += 1
        return self.client.get_json(path, params)

    def sample(
        self,
        specs: Sequence[JobSpec],
        latest: dict[str, VersionRecord],
        moving: Iterable[str] = (),
        *,
        metrics: bool = True,
        now: float | None = None,
    ) -> Pass:
        """One pass: the target's status and, with ``metrics``, every series' value."""
        started = time.monotonic()
        calls = self.calls
        self._passes += 1
        if self._passes % _RELIST_EVERY == 0:
            self._metric_ids.clear()
        now = time.time() if now is None else now
        try:
            live = self._live()
            reachable, error = True, None
        except FlinkUnreachable as exc:
            live, reachable, error = [], False, str(exc)
        status = build_status(
            target=self.target,
            url=self.url,
            specs=specs,
            live=live,
            latest=latest,
            savepoints={},
            transitioning=moving,
            now_ms=int(now * 1000),
            reachable=reachable,
            error=error,
        )
        result = Pass(int(now), reachable, error, status)
        wanted = {s.name for s in specs}
        for row in status["jobs"] if reachable else []:
            if row["name"] not in wanted:
                continue
            values: dict[str, float | None] = {"running": float(row["current"] == "RUNNING")}
            if metrics and row["job_id"] and row["current"] in ("RUNNING", "RESTARTING"):
                try:
                    values.update(self._job_values(row["job_id"], now))
                except FlinkUnreachable as exc:
                    result.reachable, result.error = False, str(exc)
                    break
                except FlinkError:
                    pass  # the job went away between reads: its state says enough
            result.values[row["name"]] = values
        result.calls = self.calls - calls
        result.seconds = time.monotonic() - started
        return result

    def _live(self) -> list[LiveJob]:
        """The cluster's jobs; a job's identity is read once (jobs whose configuration
        could not be read, and jobs without a project id not yet the project's, are
        asked again next pass)."""
        self.calls += 1
        summaries = self.client.jobs()
        live = []
        for summary in summaries:
            known = self._identity.get(summary.id)
            if known is None:
                self.calls += 2
                found = read_jobs(self.client, self.scope or self.target, name_or_id=summary.id)
                if not found:
                    continue  # gone between the two reads
                known = found[0]
                if known.identity_error is None and known.identity_project != "":
                    # a job without a project id may be recorded (adopted) later: ask again
                    self._identity[summary.id] = known
            live.append(
                replace(
                    known,
                    state=summary.state,
                    end_time=summary.end_time,
                    duration=summary.duration,
                )
            )
        listed = {s.id for s in summaries}  # forget jobs the cluster dropped
        self._identity = {k: v for k, v in self._identity.items() if k in listed}
        return live

    def _job_values(self, job_id: str, now: float) -> dict[str, float | None]:
        self.calls += 3
        details = self.client.job(job_id)
        restarts = job_metrics(self.client, job_id, ["numRestarts"]).get("numRestarts")
        values: dict[str, float | None] = {"restarts": restarts}
        values.update(_checkpoint_values(self.client, job_id, details, now))
        for vertex in details.vertices:
            values.update(self._vertex_values(job_id, vertex, now))
        _totals(values)
        return values

    def _vertex_values(self, job_id: str, vertex: Vertex, now: float) -> dict[str, float | None]:
        base = f"/jobs/{segment(job_id)}/vertices/{segment(vertex.id)}/subtasks/metrics"
        key = (job_id, vertex.id)
        if not self._metric_ids.get(key):
            listed = self._get(base)
            self._metric_ids[key] = [str(m.get("id")) for m in listed if isinstance(m, dict)]
        ids = self._metric_ids[key]
        wanted = [m for m in _VERTEX_METRICS if m in ids]
        wanted += [i for i in ids if "." in i and _source_metric(i)]
        if not wanted:
            return {}
        data = self._get(base, {"get": ",".join(wanted), "agg": "sum,max,min"})
        label = vertex_label(vertex)
        out: dict[str, float | None] = {}
        for item in data if isinstance(data, list) else []:
            metric = str(item.get("id"))
            if metric in _VERTEX_METRICS:
                name, agg = _VERTEX_METRICS[metric]
                out[f"{name}[{label}]"] = _num(item.get(agg))
            else:
                suffix = metric.rsplit(".", 1)[-1]
                value = _num(item.get("max"))
                if suffix == _SOURCE_WATERMARK:
                    oldest = _num(item.get("min"))
                    value = now * 1000 - oldest if oldest and oldest > 0 else None
                name = SOURCE_METRICS.get(suffix, "watermark_lag_ms")
                series = f"{name}[{label}]"
                if value is not None and value >= 0:
                    known = out.get(series)
                    out[series] = value if known is None else min(known, value)
        return out


def _source_metric(metric_id: str) -> bool:
    """A FLIP-33 source metric, or the output watermark of a source operator or of the
    watermark assigner chained to it (SQL's WATERMARK FOR)."""
    scope, suffix = metric_id.rsplit(".", 1)
    if suffix in SOURCE_METRICS:
        return True
    return suffix == _SOURCE_WATERMARK and scope.startswith(("Source__", "WatermarkAssigner["))


def _num(value: Any) -> float | None:
    try:
        n = float(value)
    except (TypeError, ValueError):
        return None
    return None if n != n else n


def _checkpoint_values(
    client: FlinkClient, job_id: str, details: JobDetails, now: float
) -> dict[str, float | None]:
    cps = client.checkpoints(job_id)
    if not cps.enabled:
        return {}
    done = cps.latest.completed
    ack = (done.latest_ack_timestamp or done.trigger_timestamp) if done else None
    since = ack or details.start_time
    return {
        "checkpoint_duration_ms": float(done.end_to_end_duration or 0) if done else None,
        "checkpoint_size_bytes": float(done.state_size or 0) if done else None,
        "checkpoints_completed": float(cps.counts.get("completed", 0)),
        "checkpoints_failed": float(cps.counts.get("failed", 0)),
        "checkpoint_age_s": max(0.0, now - since / 1000) if since else None,
    }


def _totals(values: dict[str, float | None]) -> None:
    """Job-level roll-ups of the vertex series the rules read."""

    def over(prefix: str) -> list[float]:
        return [v for k, v in values.items() if k.startswith(prefix + "[") and v is not None]

    records = over("records_in_per_s") + over("records_out_per_s")
    values["records_per_s"] = sum(records) if records else None
    busy = over("busy_ms_per_s")
    values["busy_max"] = max(busy) / 1000 if busy else None
    pressure = over("backpressured_ms_per_s")
    values["backpressure_max"] = max(pressure) / 1000 if pressure else None
    lags = over("emit_event_time_lag_ms") + over("watermark_lag_ms")
    values["lag_max_s"] = max(lags) / 1000 if lags else None
