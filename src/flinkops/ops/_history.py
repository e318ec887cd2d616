"""`flinkops history JOB --diff A B`: two applied versions of a job and what changed.

``version_pair`` reads both versions (an error names the missing one);
``version_diff`` is pure and returns the JSON form the CLI prints and the
console's version page shows.
"""

from __future__ import annotations

from typing import Any

from flinkops.errors import PlanError
from flinkops.plan import config_diff, sql_diff
from flinkops.store import Store, VersionRecord

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


def version_diff(job: str, old: VersionRecord, new: VersionRecord) -> dict[str, Any]:
    """``{job, from, to, sql_diff, config_diff}``: unified SQL diff, config lines. Pure."""
    text = sql_diff(old.sql, new.sql, job)
    text = text.replace(f"{job} (applied)", f"{job} v{old.version}")
    text = text.replace(f"{job} (spec)", f"{job} v{new.version}")
    return {
        "job": job,
        "from": old.version,
        "to": new.version,
        "sql_diff": text,
        "config_diff": list(config_diff(old.spec, new.spec)),
    }
