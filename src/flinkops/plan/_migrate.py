"""A job moved to a new cluster, planned as a migration. Pure.

The way teams upgrade Flink on session clusters is a new cluster of the new version; in
flinkops that is a target whose ``url`` now points elsewhere (or whose cluster now runs
another Flink). ``plan/_migrate_observe.py`` sees it: the store recorded each applied
version with the cluster it ran on (its URL and Flink version, store migration 9), and
the target's cluster is another; it reads the old cluster once (``Migration``, and the
old cluster's jobs). Here each such job's change, as ``_changes.decide`` made it on
the new cluster (a restart: nothing of it runs there), becomes a ``migrate``:

- the old cluster answers and runs the job: stop it there with a savepoint, submit the
  version on the new cluster from it, wait until healthy, record (``steps.migrate_steps``;
  a failure resumes the old job from the same savepoint, ``steps.after_failure``);
- the old cluster is gone (or the job no longer runs there): the newest snapshot the
  search found (``flink/snapshots.py``, as for any stopped job), else the change starts
  empty and says so (``loses_state``: apply refuses it without --allow-state-loss).

A migration is blocked while the two clusters may not share the savepoint storage
(``Migration.storage``), and when the old Flink is newer than the new (Flink restores
snapshots of its own and older versions only, ``_state.downgrade_reason``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from flinkops.flink.live import LiveJob
from flinkops.plan._state import downgrade_reason
from flinkops.plan._types import Action, Change, Compat, Migration, StateImpact

__all__ = ["blocked_migration", "migrated", "old_runs"]


def migrated(
    change: Change,
    migration: Migration | None,
    old_run: LiveJob | None,
    compat: Compat | None = None,
    upgrade: Compat | None = None,
) -> Change:
    """``change`` as a migration when its job is one ``migration`` moves and it would put
    a version in place; else ``change`` as it is. ``old_run`` is the job's newest run on
    the old cluster; ``compat`` Flink's verdict when the SQL changed too; ``upgrade`` the
    applied version's graph from the old Flink against the spec's from the new one."""
    if migration is None or change.job not in migration.jobs or not change.action.starts:
        return change
    where = _where(migration)
    if old_run is not None and old_run.active and migration.from_url:
        state, reasons = _upgrade_state(migration, upgrade)
        reasons = (
            *reasons,
            f"stopped with a savepoint on {migration.from_url}, restored on {migration.to_url}",
        )
        if compat is not None and compat.impact > state:
            state, reasons = compat.impact, (*compat.reasons, *reasons)
        return replace(
            change,
            action=Action.MIGRATE,
            reason=f"moved {where}",
            live=old_run,
            restore_from=None,
            state=state,
            state_reasons=reasons,
            loses_state=False,
            missing_savepoint_dir=False,
            migrate_from=migration.from_url,
        )
    gone = (
        f"the old cluster {migration.from_url} does not run it"
        if migration.from_url and migration.reachable
        else "the old cluster is gone"
    )
    state, why = change.state, _upgrade_reasons(migration)
    if migration.upgrade and change.restore_from and state < StateImpact.AT_RISK:
        state = StateImpact.AT_RISK
    return replace(
        change,
        action=Action.MIGRATE,
        reason=f"moved {where}; {gone}: "
        + (
            f"from the newest snapshot {change.restore_from}"
            if change.restore_from
            else "no snapshot found"
        ),
        state=state,
        state_reasons=(*change.state_reasons, *why),
        migrate_from=migration.from_url,
    )


def blocked_migration(change: Change, migration: Migration | None) -> str | None:
    """Why ``change`` (a migration) cannot be carried out: the two clusters may not share
    the savepoint storage, or the old Flink is newer than the new one; None when it can."""
    if migration is None or change.action is not Action.MIGRATE:
        return None
    if migration.storage:
        return "cannot migrate: both clusters must reach the savepoint storage, and " + "; ".join(
            migration.storage
        )
    if change.live is not None and change.live.active:
        why = downgrade_reason(
            "the savepoint the stop takes", migration.from_flink_version, migration.to_flink_version
        )
        if why is not None:
            return f"cannot migrate: {why}"
    return None


def _where(migration: Migration) -> str:
    """``from http://old (Flink 1.20.1) to http://new (Flink 2.3.0)``."""
    old = migration.from_url or "the cluster that was at this address"
    old_v = f" (Flink {migration.from_flink_version})" if migration.from_flink_version else ""
    return f"from {old}{old_v} to {migration.to_url} (Flink {migration.to_flink_version})"


def _upgrade_state(
    migration: Migration, upgrade: Compat | None
) -> tuple[StateImpact, tuple[str, ...]]:
    """The state of a job stopped on the old cluster and restored on the new one: kept
    on the same Flink; across Flink versions what the two versions' graphs say
    (``upgrade``), else at-risk (not compared: the old cluster's planner did not answer)."""
    if not migration.upgrade:
        return StateImpact.PRESERVED, ()
    if upgrade is None:
        return StateImpact.AT_RISK, _upgrade_reasons(migration)
    return upgrade.impact, upgrade.reasons


def _upgrade_reasons(migration: Migration) -> tuple[str, ...]:
    """What flinkops can say of the state across a Flink upgrade."""
    if not migration.upgrade:
        return ()
    return (
        f"Flink {migration.from_flink_version} -> {migration.to_flink_version}: Flink SQL does "
        "not promise that a job's state restores across Flink versions (the planner may "
        "lay the job out anew: other operator ids, other state serializers) and the two "
        "versions' job graphs were not compared; the restore is checked when the new job "
        "starts, and a failed one resumes the old job",
    )


def old_runs(live: tuple[LiveJob, ...]) -> Mapping[str, LiveJob]:
    """The newest run of each managed job on the old cluster (active first)."""
    out: dict[str, LiveJob] = {}
    for job in sorted(live, key=lambda j: (j.active, j.start_time or 0)):
        if job.managed_name:
            out[job.managed_name] = job
    return out
