"""Field helpers shared by the REST models: Flink's JSON, epoch milliseconds, counts."""

from __future__ import annotations

from typing import Any

__all__ = ["Json", "as_int", "major_of", "ms"]

Json = dict[str, Any]


def ms(value: Any) -> int | None:
    """Epoch milliseconds (or a duration, a size) from Flink, None where it says -1 or nothing."""
    if value is None or isinstance(value, bool):
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if n >= 0 else None


def as_int(value: Any, default: int = 0) -> int:
    """``value`` as an int, ``default`` when it is not one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def major_of(version: str) -> int:
    """The major of a Flink version ("2.3.0" -> 2; 0 when it is not a version)."""
    try:
        return int(version.split(".")[0])
    except ValueError:
        return 0
