"""What a change does to a job's state: by upgrade mode, savepoint directory and Flink's
verdict; and what a job's next start restores from (``next_restore``), as status, show
and the console say it."""

from __future__ import annotations

from flinkops.flink.live import LiveJob
from flinkops.plan._types import Compat, StateImpact
from flinkops.spec import JobSpec
from flinkops.store import SavepointRecord, VersionRecord

__all__ = ["next_restore", "restore_verdict", "update_impact"]


def restore_verdict(
    compat: Compat | None, *, changed: bool, unknown_why: str
) -> tuple[StateImpact, str]:
    """Planner verdict when the SQL changed, else preserved; ``unknown_why`` when unchecked."""
    if compat is not None:
        why = "; ".join(compat.reasons)
        if compat.impact is StateImpact.PRESERVED and not why:
            why = "stateful operators unchanged"
        return compat.impact, why
    if not changed:
        return StateImpact.PRESERVED, "SQL unchanged"
    return StateImpact.AT_RISK, f"unknown: {unknown_why}"


def update_impact(
    spec: JobSpec, compat: Compat | None, has_sp_dir: bool, *, drift: bool, sql_changed: bool
) -> tuple[StateImpact, str]:
    """What replacing the live job does to its state, by upgrade mode and the verdict."""
    mode = spec.upgrade_mode
    if mode == "stateless":
        return StateImpact.LOST, "upgradeMode stateless: cancelled and started empty"
    if mode == "savepoint" and not has_sp_dir:
        return StateImpact.LOST, "no savepoint directory (set savepointDir on the job or target)"
    if drift:
        return (
            StateImpact.AT_RISK,
            "unknown: the live job runs a spec flinkops has no record of, so whether "
            "its state fits the spec cannot be checked",
        )
    impact, why = restore_verdict(
        compat,
        changed=sql_changed,
        unknown_why="the SQL changed and its state compatibility was not checked",
    )
    if impact is StateImpact.PRESERVED:
        how = "a savepoint" if mode == "savepoint" else "the latest checkpoint"
        why = f"restored from {how}; {why}"
    return impact, why


def next_restore(
    spec: JobSpec | None,
    run: LiveJob | None,
    latest: VersionRecord | None,
    savepoint: SavepointRecord | None,
) -> str | None:
    """What the job's next start would restore from, as a console shows it (VVP's
    "restore strategy"): a path, or how it would be taken. None without a spec. Pure."""
    if spec is None:
        return None
    if spec.upgrade_mode == "stateless":
        return "empty state (upgradeMode stateless)"
    if run is not None and run.active:
        if spec.upgrade_mode == "last-state":
            return "its latest retained checkpoint, when it is cancelled"
        return "a savepoint taken when it is stopped"
    if latest is not None and latest.outcome in ("cancelled", "deleted"):
        return f"empty state (it was {latest.outcome})"
    if latest is not None and latest.outcome == "suspended" and latest.savepoint:
        return latest.savepoint
    if savepoint is not None:
        return savepoint.location
    return "empty state (no savepoint or checkpoint recorded)"
