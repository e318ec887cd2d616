"""Text forms of the monitoring JSON: sparklines for history, a table of alert records."""

from __future__ import annotations

from typing import Any

from flinkops.store import iso_ms

__all__ = ["render_alerts", "render_history", "render_pass", "sparkline"]

_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float], width: int = 60) -> str:
    """The values (the last ``width``, averaged into that many cells) as bar glyphs."""
    if not values:
        return ""
    if len(values) > width:
        size = len(values) / width
        values = [
            sum(chunk) / len(chunk)
            for chunk in (
                values[int(i * size) : max(int((i + 1) * size), int(i * size) + 1)]
                for i in range(width)
            )
        ]
    low, high = min(values), max(values)
    span = high - low
    return "".join(
        _BARS[int((v - low) / span * (len(_BARS) - 1))] if span else _BARS[0] for v in values
    )


def _num(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1e6 else f"{value:.3e}"


def render_history(data: dict[str, Any]) -> str:
    series = data["series"]
    since = iso_ms(data["since"] * 1000)
    head = f"{data['job']} on {data['target']} (from the {data['source']}, since {since})"
    if not series:
        return head + "\nNo samples yet. Start `flinkops monitor` (or check metrics.prometheus)."
    width = max(len(n) for n in series)
    lines = [head]
    for name, points in series.items():
        values = [v for _, v in points]
        lines.append(
            f"  {name:<{width}}  {sparkline(values)}  last {_num(values[-1])}"
            f"  min {_num(min(values))}  max {_num(max(values))}  ({len(values)} points)"
        )
    return "\n".join(lines)


def render_alerts(records: list[dict[str, Any]]) -> str:
    if not records:
        return "No alerts."
    lines = []
    for r in records:
        when = r["fired_at"] or r["started_at"]
        end = f" → resolved {r['resolved_at']}" if r["resolved_at"] else ""
        lines.append(f"{r['state'].upper():<8} {r['severity']:<8} {r['summary']}")
        lines.append(f"         {r['rule']} since {when}{end}  {r['link']}")
        cause = r["evidence"].get("root_exception")
        if cause:
            lines.append(f"         root cause: {cause}")
        sent = r.get("deliveries") or []
        if sent:
            last: dict[tuple[str, str], dict[str, Any]] = {}
            for d in sent:
                last[(d["status"], d["channel"])] = d
            parts = [
                f"{ch} {status} {'ok' if d['ok'] else 'FAILED'} after {d['attempt']} attempt(s)"
                for (status, ch), d in last.items()
            ]
            lines.append("         sent: " + "; ".join(parts))
    return "\n".join(lines)


def render_pass(report: dict[str, Any]) -> str:
    at = iso_ms(report["at"] * 1000)
    if not report["reachable"]:
        state = f"cluster UNREACHABLE ({report['error']})"
    else:
        state = ", ".join(f"{j} {s}" for j, s in sorted(report["jobs"].items())) or "no jobs"
    cost = f"{report['series']} series, {report['rest_calls']} REST calls, {report['sample_ms']} ms"
    line = f"{at} {state}; {cost}"
    for t in report["transitions"]:
        line += f"\n  {t['status'].upper()} {t['rule']} {t['job'] or '(cluster)'}"
    return line
