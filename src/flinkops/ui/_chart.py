"""Data curves drawn as the console's own SVG charts (pure; no script from elsewhere).

``chart(points, series, since_ms, until_ms)`` lays a time series ``[[t_ms, value]]`` out
in a box: line segments (broken where no sample came: a gap wider than three times
the usual step), time ticks at round steps, value ticks in the series' unit, and the
points with their labels for the value under the pointer (``app.js``).
"""

from __future__ import annotations

import itertools
import json
import statistics
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from flinkops.ops import human_count

__all__ = ["UNITS", "WINDOWS", "chart", "with_unit"]

#: the job page's window selector: label -> seconds (24 h and 7 d come from the rollups)
WINDOWS = {"15m": 900, "1h": 3600, "24h": 86_400, "7d": 604_800}
#: curve -> unit
UNITS = {
    "records_in_per_second": "records/s",
    "records_out_per_second": "records/s",
    "lag_ms": "ms",
    "checkpoint_duration_ms": "ms",
    "checkpoint_size": "bytes",
    "restarts": "restarts",
}
W, H = 420.0, 150.0
LEFT, RIGHT, TOP, BOTTOM = 44.0, 8.0, 8.0, 20.0
_STEPS_S = (60, 300, 600, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400)


def with_unit(value: float, unit: str) -> str:
    """``1.5 KB``, ``12.3 records/s``, ``250 ms``, ``45%``; a number alone for no unit."""
    if unit == "bytes":
        size = float(value)
        for name in ("B", "KB", "MB", "GB"):
            if abs(size) < 1024:
                return f"{size:.0f} B" if name == "B" else f"{size:.1f} {name}"
            size /= 1024
        return f"{size:.1f} TB"
    if unit == "%":
        return f"{value * 100:.0f}%"
    number = human_count(value) if abs(value) >= 10_000 else f"{value:,.1f}".removesuffix(".0")
    return f"{number} {unit}" if unit else number


def _time_ticks(since_ms: int, until_ms: int) -> list[tuple[int, str]]:
    span_s = max(1, (until_ms - since_ms) // 1000)
    step = next((s for s in _STEPS_S if span_s / s <= 6), 86_400)
    first = (since_ms // 1000 // step + 1) * step
    fmt = "%m-%d" if step >= 86_400 else ("%m-%d %H:%M" if span_s > 86_400 else "%H:%M")
    return [
        (t * 1000, datetime.fromtimestamp(t, UTC).strftime(fmt))
        for t in range(first, until_ms // 1000 + 1, step)
    ]


def _nice_top(top: float) -> float:
    if top <= 0:
        return 1.0
    magnitude = 10 ** len(str(int(top))) / 10 if top >= 1 else 1.0
    for m in (1, 2, 2.5, 5, 10):
        if top <= m * magnitude:
            return m * magnitude
    return top


def _segments(points: Sequence[Sequence[float]]) -> list[list[Sequence[float]]]:
    """The points split where a sample is missing (a step over 3x the median step)."""
    if len(points) < 3:
        return [list(points)] if points else []
    gap = 3 * statistics.median(b[0] - a[0] for a, b in itertools.pairwise(points))
    out: list[list[Sequence[float]]] = [[points[0]]]
    for a, b in itertools.pairwise(points):
        if b[0] - a[0] > gap:
            out.append([])
        out[-1].append(b)
    return out


def chart(
    points: Sequence[Sequence[float]], series: str, since_ms: int, until_ms: int
) -> dict[str, Any]:
    """The SVG layout of one curve over ``since_ms``..``until_ms`` (see the module)."""
    unit = UNITS.get(series, "")
    top = _nice_top(max((p[1] for p in points), default=0.0))
    span = max(1, until_ms - since_ms)

    def x(t: float) -> float:
        return LEFT + (t - since_ms) / span * (W - LEFT - RIGHT)

    def y(v: float) -> float:
        return TOP + (1 - v / top) * (H - TOP - BOTTOM)

    segments = _segments(points)
    lines = [" ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in seg) for seg in segments if len(seg) > 1]
    dots = [{"x": round(x(s[0][0]), 1), "y": round(y(s[0][1]), 1)} for s in segments if len(s) == 1]
    when = "%m-%d %H:%M:%S" if span > 86_400_000 else "%H:%M:%S"
    readout = [
        [round(x(t), 1), datetime.fromtimestamp(t / 1000, UTC).strftime(when), with_unit(v, unit)]
        for t, v in points
    ]
    return {
        "unit": unit,
        "width": W,
        "height": H,
        "plot": {"left": LEFT, "right": W - RIGHT, "top": TOP, "bottom": H - BOTTOM},
        "lines": lines,
        "dots": dots,
        "xticks": [
            {"x": round(x(t), 1), "label": label} for t, label in _time_ticks(since_ms, until_ms)
        ],
        # value ticks: the number in the series' unit (bytes scaled: KB, MB), the unit
        # itself in the caption
        "yticks": [
            {"y": round(y(v), 1), "label": with_unit(v, "bytes" if unit == "bytes" else "")}
            for v in (0, top / 2, top)
        ],
        "last": with_unit(points[-1][1], unit) if points else None,
        "readout": json.dumps(readout, separators=(",", ":")),
    }
