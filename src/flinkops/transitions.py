"""The steps each action takes, as small data (STYLE.md item 3).

``steps_for(change, ...)`` is pure: it turns one planned change into the list of
steps that the applier (apply.py) executes and that a dry run renders. Steps that
need a value an earlier step produced (the savepoint a stop took, the checkpoint
a cancel left) name it symbolically: ``FROM_STOP``, ``FROM_CHECKPOINT``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flinkops.plan import Action, Change

__all__ = [
    "FROM_CHECKPOINT",
    "FROM_STOP",
    "Cancel",
    "Record",
    "Step",
    "StopWithSavepoint",
    "Submit",
    "WaitHealthy",
    "describe",
    "steps_for",
]

FROM_STOP = "@savepoint-of-stop"
FROM_CHECKPOINT = "@latest-checkpoint"


@dataclass(frozen=True)
class StopWithSavepoint:
    """Stop the job with a savepoint; on failure the old job keeps running."""

    job_id: str
    target_dir: str | None
    name: str = "stop"


@dataclass(frozen=True)
class Cancel:
    """Cancel the job; ``keep_checkpoint`` remembers its latest retained checkpoint."""

    job_id: str
    keep_checkpoint: bool = False
    name: str = "cancel"


@dataclass(frozen=True)
class Submit:
    """Submit version ``version`` of the spec, restoring from ``restore`` (a path,
    FROM_STOP, FROM_CHECKPOINT, or None for empty state)."""

    version: int
    restore: str | None
    name: str = "submit"


@dataclass(frozen=True)
class WaitHealthy:
    """RUNNING with every task RUNNING and no restart for ``window`` seconds (or until
    the first completed checkpoint), within ``timeout`` seconds."""

    window: float
    timeout: float
    until_checkpoint: bool = False
    name: str = "wait"


@dataclass(frozen=True)
class Record:
    """Write the outcome to the version store."""

    outcome: str
    name: str = "record"


Step = StopWithSavepoint | Cancel | Submit | WaitHealthy | Record


def steps_for(
    change: Change,
    *,
    version: int,
    savepoint_dir: str | None,
    window: float,
    timeout: float,
    until_checkpoint: bool = False,
) -> list[Step]:
    """The steps that carry ``change`` out; empty for a noop."""
    wait = WaitHealthy(window, timeout, until_checkpoint)
    live = change.live if change.live is not None and change.live.active else None
    action = change.action
    if action is Action.NOOP:
        return []
    if action is Action.CREATE:
        return [Submit(version, None), wait, Record("applied")]
    if action is Action.SUSPEND:
        assert live is not None
        return [StopWithSavepoint(live.job_id, savepoint_dir), Record("suspended")]
    if action in (Action.CANCEL, Action.DELETE):
        assert live is not None
        outcome = "cancelled" if action is Action.CANCEL else "deleted"
        return [Cancel(live.job_id), Record(outcome)]
    if live is None:  # resume, or restart of a job that stopped on its own
        return [Submit(version, change.restore_from), wait, Record("applied")]
    # update, or restart of a live job that drifted: the running job is replaced
    if change.upgrade_mode == "savepoint":
        first: Step = StopWithSavepoint(live.job_id, savepoint_dir)
        restore: str | None = FROM_STOP
    elif change.upgrade_mode == "last-state":
        first, restore = Cancel(live.job_id, keep_checkpoint=True), FROM_CHECKPOINT
    else:
        first, restore = Cancel(live.job_id), None
    return [first, Submit(version, restore), wait, Record("applied")]


def describe(step: Step) -> str:
    """One line for a dry run or a progress message."""
    if isinstance(step, StopWithSavepoint):
        return f"stop {step.job_id} with a savepoint" + (
            f" into {step.target_dir}" if step.target_dir else ""
        )
    if isinstance(step, Cancel):
        return f"cancel {step.job_id}" + (
            " (keep its latest checkpoint)" if step.keep_checkpoint else ""
        )
    if isinstance(step, Submit):
        source = {
            FROM_STOP: "the savepoint just taken",
            FROM_CHECKPOINT: "the latest retained checkpoint",
        }.get(step.restore or "", step.restore or "empty state")
        return f"submit version {step.version} from {source}"
    if isinstance(step, WaitHealthy):
        until = (
            "the first completed checkpoint"
            if step.until_checkpoint
            else f"{step.window:g}s without a restart"
        )
        return f"wait until healthy ({until}, at most {step.timeout:g}s)"
    return f"record the version as {step.outcome}"
