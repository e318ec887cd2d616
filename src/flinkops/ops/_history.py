"""`flinkops history JOB --diff A B`: two applied versions of a job and what changed.

``version_pair`` reads both versions (an error names the missing one);
``version_diff`` is pure and returns the JSON form the CLI prints and the
console's version page shows; with the compiled plans kept with the versions
(``compiledPlan: pin``, ``store.version_plan``) it diffs them too.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from flinkops.errors import PlanError
from flinkops.plan import config_diff, sql_diff
from flinkops.store import PinnedPlan, Store, VersionRecord

__all__ = ["version_diff", "version_pair"]


def version_pair(
    store: Store, target: str, job: str, a: int, b: int
) -> tuple[VersionRecord, VersionRecord]:
    """Versions ``a`` and ``b`` of ``job``; PlanError naming the one that does not exist."""
    old, new = store.version(target, job, a), store.version(target, job, b)
    if old is None or new is None:
        raise PlanError(
            f"{job} has no version {a if old is None else b} on target {target} "
            f"(see `flinkops history {job}`)"
        )
    return old, new


def version_diff(
    job: str,
    old: VersionRecord,
    new: VersionRecord,
    plans: tuple[PinnedPlan | None, PinnedPlan | None] = (None, None),
) -> dict[str, Any]:
    """``{job, from, to, sql_diff, config_diff, plan_diff}``: unified SQL diff, config
    lines, and the unified diff of the two versions' compiled plans when either kept one
    (``plan_diff`` null when neither did). Pure."""
    text = sql_diff(old.sql, new.sql, job)
    text = text.replace(f"{job} (applied)", f"{job} v{old.version}")
    text = text.replace(f"{job} (spec)", f"{job} v{new.version}")
    return {
        "job": job,
        "from": old.version,
        "to": new.version,
        "sql_diff": text,
        "config_diff": list(config_diff(old.spec, new.spec)),
        "plan_diff": _plan_diff(job, old.version, new.version, plans) if any(plans) else None,
    }


def _plan_diff(job: str, a: int, b: int, plans: tuple[PinnedPlan | None, PinnedPlan | None]) -> str:
    """The two compiled plans, pretty-printed, as a unified diff ("" when equal)."""
    texts = [_pretty(p.plan) if p else [] for p in plans]
    names = [
        f"{job} v{v} compiled plan" + ("" if p else " (none kept)")
        for v, p in zip((a, b), plans, strict=True)
    ]
    return "".join(difflib.unified_diff(texts[0], texts[1], names[0], names[1]))


def _pretty(plan: str) -> list[str]:
    try:
        return [
            f"{line}\n"
            for line in json.dumps(json.loads(plan), indent=2, sort_keys=True).splitlines()
        ]
    except ValueError:
        return plan.splitlines(keepends=True)
