"""Compiled plans pinned per version (a spec's ``compiledPlan: pin``): the JSON plan
Flink's ``COMPILE PLAN`` wrote for a version's SQL, kept with the version so a later
version with the same SQL (a restart, a migration to a new cluster or a new Flink) is
submitted from it (``EXECUTE PLAN``) and its operator topology, with the state's operator
ids, does not move. The plan is stored portable (the caller writes secrets from the
environment back as ``${env:NAME}``, ``JobSpec.portable``).

Portable SQL through ``store.db``, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flinkops.store._records import utc_now

if TYPE_CHECKING:
    from flinkops.store._store import Store

__all__ = ["PinnedPlan", "pinned_plan", "put_pinned_plan", "version_plan"]


@dataclass(frozen=True)
class PinnedPlan:
    version: int
    sql_hash: str
    flink_version: str | None
    plan: str  # the JSON plan, portable


def pinned_plan(store: Store, target: str, job: str, sql_hash: str) -> PinnedPlan | None:
    """The plan compiled for the newest version of ``job`` with this SQL, or None."""
    return _plan(store, "pinned_plan", "sql_hash = ? ORDER BY version DESC LIMIT 1",
                 (target, job, sql_hash))  # fmt: skip


def version_plan(store: Store, target: str, job: str, version: int) -> PinnedPlan | None:
    """The plan kept with ``version`` (compiled by its submit), or None."""
    return _plan(store, "version_plan", "version = ?", (target, job, version))


def _plan(store: Store, what: str, where: str, args: tuple[object, ...]) -> PinnedPlan | None:
    """The first kept plan of (target, job) matching ``where``, or None."""
    with store.db.read(what) as db:
        row = db.execute(
            "SELECT version, sql_hash, flink_version, plan FROM compiled_plans "
            f"WHERE target = ? AND job = ? AND {where}",
            args,
        ).fetchone()
    return PinnedPlan(int(row[0]), row[1], row[2], row[3]) if row else None


def put_pinned_plan(store: Store, target: str, job: str, version: int, pinned: PinnedPlan) -> None:
    """Keep ``pinned`` with ``version`` (written again: the newest wins)."""
    with store.db.write("put_pinned_plan") as db:
        db.execute(
            "DELETE FROM compiled_plans WHERE target = ? AND job = ? AND version = ?",
            (target, job, version),
        )
        db.execute(
            "INSERT INTO compiled_plans (target, job, version, sql_hash, flink_version, plan, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (target, job, version, pinned.sql_hash, pinned.flink_version, pinned.plan, utc_now()),
        )
