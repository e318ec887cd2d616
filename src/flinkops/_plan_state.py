"""What a change does to a job's state: by upgrade mode, savepoint directory and Flink's verdict."""

from __future__ import annotations

from flinkops._plan_types import Compat, StateImpact
from flinkops.spec import JobSpec

__all__ = ["restore_verdict", "update_impact"]


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
