"""Reads of Flink's REST API that FlinkClient has no typed method for (via get_json).

A job's type from its plan, job and vertex metrics, back pressure, watermarks and
the checkpoint configuration.
Each returns plain data and raises FlinkError / FlinkUnreachable like FlinkClient.
"""

from __future__ import annotations

import math
from typing import Any

from flinkops.flink.rest import FlinkClient, segment
from flinkops.ops._optional import optional

__all__ = [
    "LONG_MIN",
    "backpressure",
    "checkpoint_config",
    "job_metrics",
    "plan_type",
    "vertex_metrics",
    "watermarks",
]

#: Flink's "no watermark yet" (Long.MIN_VALUE).
LONG_MIN = -(2**63)


def _num(value: Any) -> float | None:
    try:
        n = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(n) else n


def plan_type(client: FlinkClient, job_id: str) -> str:
    """``STREAMING``/``BATCH`` from ``GET /jobs/:id/plan`` (Flink 1.x's overview has none)."""
    data = optional(lambda: client.get_json(f"/jobs/{segment(job_id)}/plan"))
    if data is None:
        return ""
    plan = data.get("plan") or {}
    return str(plan.get("type") or "")


def job_metrics(client: FlinkClient, job_id: str, names: list[str]) -> dict[str, float]:
    """Job-level metrics (``numRestarts``, ``uptime``...) by name; absent ones are left out."""
    data = client.get_json(f"/jobs/{segment(job_id)}/metrics", params={"get": ",".join(names)})
    out: dict[str, float] = {}
    for item in data if isinstance(data, list) else []:
        value = _num(item.get("value"))
        if value is not None:
            out[str(item.get("id"))] = value
    return out


def vertex_metrics(
    client: FlinkClient, job_id: str, vertex_id: str, names: list[str], agg: str = "sum"
) -> dict[str, float]:
    """A vertex's subtask metrics aggregated over its subtasks (``agg``: sum, min, max, avg)."""
    data = client.get_json(
        f"/jobs/{segment(job_id)}/vertices/{segment(vertex_id)}/subtasks/metrics",
        params={"get": ",".join(names), "agg": agg},
    )
    out: dict[str, float] = {}
    for item in data if isinstance(data, list) else []:
        value = _num(item.get(agg))
        if value is not None:
            out[str(item.get("id"))] = value
    return out


def backpressure(client: FlinkClient, job_id: str, vertex_id: str) -> dict[str, Any]:
    """``GET /jobs/:id/vertices/:vid/backpressure``: level (ok/low/high) and per-subtask ratios.

    Returns ``{"level", "max_ratio", "max_busy_ratio", "subtasks"}``; level is
    ``"unknown"`` until Flink has sampled the vertex.
    """
    data = client.get_json(f"/jobs/{segment(job_id)}/vertices/{segment(vertex_id)}/backpressure")
    subtasks = data.get("subtasks") or []
    ratios = [_num(s.get("ratio")) for s in subtasks]
    busy = [_num(s.get("busyRatio")) for s in subtasks]
    level = data.get("backpressureLevel") or data.get("backpressure-level")
    if data.get("status") != "ok" or not level:
        level = "unknown"
    return {
        "level": str(level),
        "max_ratio": max((r for r in ratios if r is not None), default=None),
        "max_busy_ratio": max((b for b in busy if b is not None), default=None),
        "subtasks": len(subtasks),
    }


def watermarks(client: FlinkClient, job_id: str, vertex_id: str) -> int | None:
    """The vertex's lowest current input watermark (epoch ms), None when it has none."""
    data = client.get_json(f"/jobs/{segment(job_id)}/vertices/{segment(vertex_id)}/watermarks")
    values = []
    for item in data if isinstance(data, list) else []:
        value = _num(item.get("value"))
        if value is not None and value > LONG_MIN + 1:
            values.append(int(value))
    return min(values) if values else None


def checkpoint_config(client: FlinkClient, job_id: str) -> dict[str, Any]:
    """``GET /jobs/:id/checkpoints/config``: mode, interval, timeout (ms)...; {} when disabled."""
    data = client.get_json(f"/jobs/{segment(job_id)}/checkpoints/config")
    return data if isinstance(data, dict) else {}
