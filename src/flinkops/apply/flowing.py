"""Whether data flows: the ``health: {recordsFlowing: true}`` gate.

A job can be RUNNING with every task RUNNING and still do nothing, e.g. when
its upstream (a topic, a directory another job fills) is missing. With
``recordsFlowing`` the health wait also needs every source to have emitted
records since the job started; a job that stays idle for the whole timeout is
reported as idle, with the counters as evidence, not as healthy.

The counters are Flink's own: each source operator's ``numRecordsOut`` (summed
over subtasks, from ``/jobs/:id/vertices/:v/subtasks/metrics``), beside the
source vertex's ``write-records`` and, when the source reports it,
``sourceIdleTime``. Flink's REST metrics lag by up to
``metrics.fetcher.update-interval`` (10 s by default), so the gate keeps
sampling until the health timeout rather than judging one window.

``judge`` is pure; ``FlowGate`` samples through FlinkClient and keeps the first
and latest samples; ``read_sources`` is the one read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flinkops.errors import FlinkError
from flinkops.flink.rest import FlinkClient

__all__ = [
    "FlowGate",
    "FlowVerdict",
    "SourceSample",
    "flow_text",
    "judge",
    "read_sources",
    "source_vertices",
]

_OUT = re.compile(r"^Source__.*\.numRecordsOut$")
_IDLE = re.compile(r"^Source__.*\.sourceIdleTime$")


@dataclass(frozen=True)
class SourceSample:
    """One source vertex's counters at one moment (None: Flink reported none yet)."""

    vertex_id: str
    name: str
    records_out: float | None
    write_records: int
    idle_ms: float | None = None

    @property
    def emitted(self) -> float:
        """Records this source has emitted, by the larger of the two counters."""
        return max(self.records_out or 0.0, float(self.write_records))


@dataclass(frozen=True)
class FlowVerdict:
    """``flowing`` when every source emitted records; ``idle`` names the others."""

    flowing: bool
    idle: tuple[str, ...]
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def describe(self) -> str:
        if self.flowing:
            counts = ", ".join(f"{e['source']}: {e['emitted']:.0f}" for e in self.evidence)
            return f"records flowing ({counts})"
        parts = []
        for e in self.evidence:
            if "error" in e:
                parts.append(f"no source counters ({e['error']})")
            elif e["source"] in self.idle:
                idle = f", idle {e['idle_ms'] / 1000:.0f}s" if e.get("idle_ms") else ""
                parts.append(f"{e['source']} emitted {e['emitted']:.0f} records{idle}")
        return "RUNNING but idle: " + "; ".join(parts) + " (is its upstream missing?)"

    def to_json(self) -> dict[str, Any]:
        return {"flowing": self.flowing, "idle": list(self.idle), "sources": self.evidence}


def flow_text(data: dict[str, Any]) -> str:
    """``FlowVerdict.describe()`` from its JSON form (as the journal keeps it)."""
    return FlowVerdict(bool(data["flowing"]), tuple(data["idle"]), data["sources"]).describe()


def judge(first: Sequence[SourceSample], latest: Sequence[SourceSample]) -> FlowVerdict:
    """Every source in ``latest`` must have emitted more than in ``first``; a source
    missing from ``first`` is counted from 0 (the job's counters start at 0). No I/O."""
    before = {s.vertex_id: s.emitted for s in first}
    evidence = []
    idle = []
    for s in latest:
        start = before.get(s.vertex_id, 0.0)
        advanced = s.emitted > start
        if not advanced:
            idle.append(s.name)
        evidence.append(
            {
                "source": s.name,
                "emitted": s.emitted,
                "since": start,
                "advanced": advanced,
                "idle_ms": s.idle_ms,
            }
        )
    return FlowVerdict(bool(latest) and not idle, tuple(idle), evidence)


def source_vertices(plan: dict[str, Any]) -> set[str]:
    """Ids of the job graph's vertices that have no inputs: its sources."""
    return {str(n.get("id")) for n in plan.get("nodes", []) if not n.get("inputs")}


def _metric_sum(rows: list[dict[str, Any]], pattern: re.Pattern[str]) -> float | None:
    values = [float(r.get("sum", 0.0)) for r in rows if pattern.match(str(r.get("id", "")))]
    return sum(values) if values else None


def read_sources(client: FlinkClient, job_id: str) -> list[SourceSample]:
    """The job's source vertices with their counters now."""
    details = client.job(job_id)
    sources = source_vertices(details.plan)
    out = []
    for v in details.vertices:
        if v.id not in sources:
            continue
        path = f"/jobs/{job_id}/vertices/{v.id}/subtasks/metrics"
        names = [str(m.get("id")) for m in client.get_json(path) or []]
        wanted = [n for n in names if _OUT.match(n) or _IDLE.match(n)]
        rows = client.get_json(path, {"get": ",".join(wanted)}) if wanted else []
        out.append(
            SourceSample(
                vertex_id=v.id,
                name=v.name,
                records_out=_metric_sum(rows, _OUT),
                write_records=v.write_records,
                idle_ms=_metric_sum(rows, _IDLE),
            )
        )
    return out


class FlowGate:
    """Samples a new job's sources while the health wait runs; ``ready()`` once all flow.

    The job is new (submitted, restored or rescaled by this apply), so its counters
    started at 0 and "advanced" means "emitted anything".
    """

    def __init__(self, client: FlinkClient, job_id: str) -> None:
        self.client = client
        self.job_id = job_id
        self.latest: list[SourceSample] = []
        self.error = ""

    def ready(self) -> bool:
        """Take a sample; True when every source has emitted records."""
        try:
            self.latest = read_sources(self.client, self.job_id)
        except FlinkError as exc:
            self.error = str(exc)  # metrics are advisory; the wait's timeout bounds it
            return False
        return self.verdict().flowing

    def verdict(self) -> FlowVerdict:
        verdict = judge([], self.latest)
        if not self.latest and self.error:
            return FlowVerdict(False, ("metrics",), [{"source": "metrics", "error": self.error}])
        return verdict
