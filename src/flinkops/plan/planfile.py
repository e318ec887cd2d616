"""Plan files: the (redacted) JSON form of a plan `flinkops plan --out FILE` writes and
`flinkops apply FILE` reads back; whether a saved plan is stale is apply's to decide."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flinkops.errors import PlanError

__all__ = ["read_plan_file", "write_plan_file"]


def write_plan_file(path: Path, data: dict[str, Any]) -> None:
    """Save a plan's (redacted) JSON form for `flinkops apply FILE`; PlanError when the
    file cannot be written."""
    try:
        path.write_text(json.dumps(data, indent=2) + "\n")
    except OSError as exc:
        raise PlanError(f"cannot write the plan file {path}: {exc.strerror or exc}") from exc


def read_plan_file(path: Path | None) -> dict[str, Any] | None:
    """The plan `flinkops plan --out` wrote to ``path``, as data; None without a path.
    PlanError, in one line naming the file, when it is not such a plan."""
    if path is None:
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlanError(f"cannot read the plan file {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("changes"), list):
        raise PlanError(
            f"{path} is not a plan file (no list of changes); write one with "
            "`flinkops plan --out FILE`"
        )
    return data
