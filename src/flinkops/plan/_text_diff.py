"""Diffs a reviewer reads: the SQL as applied vs as written, and the runtime
configuration field by field (deepdiff)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

__all__ = ["config_diff", "sql_diff"]


def sql_diff(old: str | None, new: str, job: str) -> str:
    """A unified diff of the SQL as last applied and as written now."""
    if old is None or old == new:
        return ""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"{job} (applied)",
        tofile=f"{job} (spec)",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


_CONFIG_KEYS = ("parallelism", "upgradeMode", "allowNonRestoredState", "flinkConfiguration")


def config_diff(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> tuple[str, ...]:
    """Field-level differences of the runtime configuration, one line each (deepdiff)."""
    if old is None:
        return ()
    from deepdiff import DeepDiff

    a = {k: old.get(k) for k in _CONFIG_KEYS}
    b = {k: new.get(k) for k in _CONFIG_KEYS}
    diff = DeepDiff(a, b, ignore_order=True, verbose_level=2)
    lines: list[str] = []
    for path, change in diff.get("values_changed", {}).items():
        lines.append(f"{_path(path)}: {change['old_value']!r} -> {change['new_value']!r}")
    for path, change in diff.get("type_changes", {}).items():
        lines.append(f"{_path(path)}: {change['old_value']!r} -> {change['new_value']!r}")
    for path, value in diff.get("dictionary_item_added", {}).items():
        lines.append(f"{_path(path)}: added {value!r}")
    for path, value in diff.get("dictionary_item_removed", {}).items():
        lines.append(f"{_path(path)}: removed (was {value!r})")
    return tuple(sorted(lines))


def _path(deep_path: str) -> str:
    inner = deep_path.removeprefix("root")
    parts = [p.strip("'\"") for p in inner.strip("[]").split("][")]
    return (
        ".".join(parts)
        if parts[0] == "flinkConfiguration" and len(parts) == 1
        else (parts[0] + ("[" + ".".join(parts[1:]) + "]" if len(parts) > 1 else ""))
    )
