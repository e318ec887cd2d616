"""Durations as specs write them: a number of seconds, or '500ms', '30s', '5min', '7d'."""

from __future__ import annotations

import re

__all__ = ["non_negative", "parse_duration"]

_DURATION = re.compile(
    r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hour|hours|d|day|days)?\s*$"
)
_UNIT_SECONDS = {"ms": 0.001, "h": 3600.0, "hour": 3600.0, "hours": 3600.0}
_UNIT_SECONDS.update(dict.fromkeys(("d", "day", "days"), 86400.0))
_UNIT_SECONDS.update(dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60.0))


def parse_duration(value: float | int | str) -> float:
    """Seconds from a number or a Flink-style duration string ('500ms', '30s', '5min', '7d')."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string such as 30s")
    if isinstance(value, int | float):
        return float(value)
    match = _DURATION.match(value)
    if not match:
        raise ValueError(f"not a duration: {value!r} (write e.g. 30s, 500ms, 5min)")
    return float(match.group(1)) * _UNIT_SECONDS.get(match.group(2) or "s", 1.0)


def non_negative(v: float | str | None) -> float | str | None:
    """A duration field's check: ValueError for a negative (or unreadable) duration."""
    if v is not None and parse_duration(v) < 0:
        raise ValueError("a duration must not be negative")
    return v
