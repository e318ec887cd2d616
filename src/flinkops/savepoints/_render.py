"""Text forms of ``flinkops savepoints``, drawn from their JSON forms."""

from __future__ import annotations

from typing import Any

from flinkops.ops import human_count, human_ms, table

__all__ = ["render_listing", "render_pass"]


def render_listing(data: dict[str, Any]) -> str:
    policy = data["policy"]
    retain = policy["retain"]
    kept = ", ".join(
        f"{k} {v}" for k, v in (("count", retain["count"]), ("maxAge", retain["maxAge"])) if v
    )
    head = (
        f"Savepoints of {data['job']} on {data['target']} "
        f"(schedule: {policy['schedule'] or 'none'}; retain: {kept or 'all'})"
    )
    rows = data["savepoints"]
    if not rows:
        return head + "\n  no savepoints recorded"
    cells = [
        [
            r["origin"],
            human_ms(r["age_seconds"] * 1000) + " ago",
            human_count(r["size_bytes"], "B"),
            ", ".join(r["protected"]) or "-",
            r["retention"],
            r["location"],
        ]
        for r in rows
    ]
    lines = table(["ORIGIN", "AGE", "SIZE", "PROTECTED", "RETENTION", "LOCATION"], cells)
    return "\n".join([head, *lines])


def render_pass(data: dict[str, Any]) -> str:
    lines = [f"Savepoint schedule on {data['target']} at {data['at']}"]
    for s in data["savepoints"]:
        what = s["location"] if s["taken"] else f"not taken: {s['reason']}"
        lines.append(f"  savepoint {s['job']}: {what}")
    for d in data["deletions"]:
        verb = "deleted" if d["deleted"] else "NOT deleted"
        lines.append(f"  {verb} {d['job']}: {d['location']} ({d['reason']}; {d['method']})")
    if len(lines) == 1:
        lines.append("  nothing due")
    return "\n".join(lines)
