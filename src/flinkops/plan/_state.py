"""What a change does to a job's state: by upgrade mode, savepoint directory and Flink's
verdict; and what a job's next start restores from (``restore_rule``), the one rule the
builder, status, show and the console share (``next_restore`` says it as the ops views
do)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from flinkops.flink.live import LiveJob
from flinkops.plan._types import Compat, StateImpact
from flinkops.spec import JobSpec
from flinkops.store import Outcome, SavepointRecord, VersionRecord

__all__ = [
    "NextRestore",
    "RestoreFrom",
    "downgrade_reason",
    "known_state",
    "next_restore",
    "restore_rule",
    "restore_verdict",
    "update_impact",
]


def restore_verdict(
    compat: Compat | None, *, changed: bool, unknown_why: str
) -> tuple[StateImpact, tuple[str, ...]]:
    """Planner verdict when the SQL or a configuration key that reaches the state changed
    (``_diffs.restore_changed``), else preserved; ``unknown_why`` when unchecked."""
    if compat is not None:
        why = compat.reasons
        if compat.impact is StateImpact.PRESERVED and not why:
            why = ("stateful operators unchanged",)
        return compat.impact, why
    if not changed:
        return StateImpact.PRESERVED, ("SQL unchanged",)
    return StateImpact.AT_RISK, (f"unknown: {unknown_why}",)


def update_impact(
    spec: JobSpec, compat: Compat | None, has_sp_dir: bool, *, drift: bool, changed: bool
) -> tuple[StateImpact, tuple[str, ...]]:
    """What replacing the live job does to its state, by upgrade mode and the verdict.

    ``changed``: the SQL or a configuration key that reaches the state changed. Setting
    ``upgradeMode: stateless`` in the same change is how a user accepts losing the state
    on purpose, whatever the verdict (an incompatible one included): it starts empty.
    """
    mode = spec.upgrade_mode
    if mode == "stateless":
        lost = "upgradeMode stateless: cancelled and started empty"
        if compat is not None and compat.impact > StateImpact.PRESERVED:
            return StateImpact.LOST, (lost, *(f"(not restored) {r}" for r in compat.reasons))
        return StateImpact.LOST, (lost,)
    if mode == "savepoint" and not has_sp_dir:
        return StateImpact.LOST, ("no savepoint directory (set savepointDir on the job or target)",)
    if drift:
        return (
            StateImpact.AT_RISK,
            (
                "unknown: the live job runs a spec flinkops has no record of, so whether "
                "its state fits the spec cannot be checked",
            ),
        )
    impact, why = restore_verdict(
        compat,
        changed=changed,
        unknown_why="the SQL or configuration changed and its state compatibility was not checked",
    )
    if impact is StateImpact.PRESERVED:
        how = "a savepoint" if mode == "savepoint" else "the latest checkpoint"
        why = (f"restored from {how}", *why)
    return impact, why


class RestoreFrom(StrEnum):
    """Where a job's next start takes its state from."""

    SAVEPOINT_OF_STOP = "savepoint-of-stop"  # the savepoint the stop of the running job takes
    LATEST_CHECKPOINT = "latest-checkpoint"  # the checkpoint the cancel of the running job keeps
    PATH = "path"  # a savepoint or retained checkpoint flinkops knows of
    EMPTY = "empty"  # nothing: the job starts with empty state


@dataclass(frozen=True)
class NextRestore:
    """What a job's next start restores from (``restore_rule``), and its words: a plan
    says it in a change's ``restore_from``, status, show and the console as ``next_restore``."""

    source: RestoreFrom
    path: str | None = None  # PATH: where
    why: str = ""  # EMPTY: why there is nothing

    @property
    def plan_words(self) -> str | None:
        """A change's ``restore_from``: a path, how it is taken, or None for empty state."""
        return {
            RestoreFrom.SAVEPOINT_OF_STOP: "savepoint taken when stopping",
            RestoreFrom.LATEST_CHECKPOINT: "latest retained checkpoint",
            RestoreFrom.PATH: self.path,
        }.get(self.source)

    @property
    def words(self) -> str:
        """As status, show and the console say it (VVP's "restore strategy")."""
        return {
            RestoreFrom.SAVEPOINT_OF_STOP: "a savepoint taken when it is stopped",
            RestoreFrom.LATEST_CHECKPOINT: "its latest retained checkpoint, when it is cancelled",
            RestoreFrom.PATH: self.path or "",
        }.get(self.source, f"empty state ({self.why})")


def restore_rule(
    upgrade_mode: str, *, running: bool, outcome: Outcome | None, known: str | None
) -> NextRestore:
    """What the job's next start restores from: the one rule plan, status, show and the
    console share. Pure.

    ``running``: a run of the job is active (the start replaces it, as its upgrade mode
    says); ``outcome``: that of the version flinkops last put in place (None: none);
    ``known``: the savepoint or retained checkpoint flinkops knows of (``known_state``).
    A resume restores its suspend's savepoint whatever the upgrade mode.
    """
    if running:
        if upgrade_mode == "stateless":
            return NextRestore(RestoreFrom.EMPTY, why="upgradeMode stateless")
        if upgrade_mode == "last-state":
            return NextRestore(RestoreFrom.LATEST_CHECKPOINT)
        return NextRestore(RestoreFrom.SAVEPOINT_OF_STOP)
    if outcome in (Outcome.CANCELLED, Outcome.DELETED):
        return NextRestore(RestoreFrom.EMPTY, why=f"it was {outcome}")
    if outcome == Outcome.SUSPENDED and not known:
        return NextRestore(RestoreFrom.EMPTY, why="no savepoint was recorded when it was suspended")
    if outcome != Outcome.SUSPENDED and upgrade_mode == "stateless":
        return NextRestore(RestoreFrom.EMPTY, why="upgradeMode stateless")
    if known:
        return NextRestore(RestoreFrom.PATH, path=known)
    return NextRestore(RestoreFrom.EMPTY, why="no savepoint or checkpoint recorded")


def known_state(last: VersionRecord | None, savepoint: SavepointRecord | None) -> str | None:
    """The state flinkops knows to restore the job from: the savepoint its suspend took
    when ``last`` (the version last put in place) was suspended, else ``savepoint`` (the
    newest it recorded). A plan may know a fresher one: a stopped run's retained
    checkpoint (``plan/observe.py``)."""
    if last is not None and last.outcome == Outcome.SUSPENDED:
        return last.savepoint
    return savepoint.location if savepoint else None


def next_restore(
    spec: JobSpec | None,
    run: LiveJob | None,
    latest: VersionRecord | None,
    savepoint: SavepointRecord | None,
) -> str | None:
    """What the job's next start would restore from, as status, show and the console
    say it (``restore_rule``'s words): a path, or how it would be taken. None without a
    spec. Pure."""
    if spec is None:
        return None
    return restore_rule(
        spec.upgrade_mode,
        running=run is not None and run.active,
        outcome=latest.outcome if latest else None,
        known=known_state(latest, savepoint),
    ).words


def _version_key(version: str) -> tuple[int, ...] | None:
    """``"2.3.0"`` -> ``(2, 3, 0)``, ``"1.20-SNAPSHOT"`` -> ``(1, 20)``; None when unparsable."""
    numbers = re.match(r"^\s*v?(\d+(?:\.\d+)*)", version or "")
    if numbers is None:
        return None
    key = tuple(int(n) for n in numbers.group(1).split("."))
    return key + (0,) * (3 - len(key))


def downgrade_reason(location: str, written_by: str | None, cluster: str) -> str | None:
    """Why the snapshot at ``location``, written by Flink ``written_by``, cannot be
    restored into this cluster's Flink ``cluster``; None when it can, or when either
    version is unknown. Flink reads snapshots of its own and older versions only (1.20
    refuses a 2.x savepoint: "Unrecognized checkpoint version number")."""
    written, running = _version_key(written_by or ""), _version_key(cluster)
    if written is None or running is None or written <= running:
        return None
    return (
        f"its state is in {location}, written by Flink {written_by}, and this cluster runs "
        f"Flink {cluster}: Flink cannot restore a snapshot written by a newer version "
        "(it refuses it, and no job would be left running); point the target at a Flink "
        f"of version {written_by} or newer, or set upgradeMode: stateless to start from "
        "empty state"
    )
