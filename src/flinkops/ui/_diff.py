"""Side-by-side rows of two texts (with the changed words of a changed line), and of
two flat configurations (pure)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["config_rows", "flatten", "human", "side_by_side", "words"]


_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def words(old: str, new: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Both lines as ``(text, changed)`` parts: the words that differ are marked."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    left: list[tuple[str, bool]] = []
    right: list[tuple[str, bool]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if i2 > i1:
            left.append(("".join(a[i1:i2]), tag != "equal"))
        if j2 > j1:
            right.append(("".join(b[j1:j2]), tag != "equal"))
    return left, right


def side_by_side(old: str, new: str) -> list[dict[str, Any]]:
    """Rows ``{kind, left_no, left, right_no, right, left_parts, right_parts}``; kind:
    same, changed, removed, added; the parts mark the changed words (``words``)."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[dict[str, Any]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        n = max(i2 - i1, j2 - j1)
        for k in range(n):
            li, rj = i1 + k, j1 + k
            left = a[li] if li < i2 else None
            right = b[rj] if rj < j2 else None
            kind = {"equal": "same", "replace": "changed", "delete": "removed", "insert": "added"}
            row_kind = kind[tag]
            if tag == "replace":
                row_kind = (
                    "changed"
                    if left is not None and right is not None
                    else ("removed" if right is None else "added")
                )
            parts = (
                words(left, right)
                if row_kind == "changed" and left is not None and right is not None
                else ([(left or "", False)], [(right or "", False)])
            )
            rows.append(
                {
                    "kind": row_kind,
                    "left_no": li + 1 if left is not None else None,
                    "left": left,
                    "right_no": rj + 1 if right is not None else None,
                    "right": right,
                    "left_parts": parts[0],
                    "right_parts": parts[1],
                }
            )
    return rows


def human(value: Any) -> str:
    """A spec value as YAML writes it: ``true``/``false``, never Python's ``False``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """A nested spec as ``{"a.b": "value"}``, lists by index."""
    out: dict[str, str] = {}
    if isinstance(value, Mapping):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}{k}."))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}{i}."))
    else:
        out[prefix.rstrip(".")] = "" if value is None else human(value)
    return out


def config_rows(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per configuration key of either side: ``{key, left, right, kind}``."""
    a, b = flatten(old), flatten(new)
    rows = []
    for key in sorted(set(a) | set(b)):
        left, right = a.get(key), b.get(key)
        kind = (
            "same"
            if left == right
            else "added"
            if left is None
            else "removed"
            if right is None
            else "changed"
        )
        rows.append({"key": key, "left": left, "right": right, "kind": kind})
    return rows
