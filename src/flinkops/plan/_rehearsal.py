"""A rehearsal's result as plan data: the live job's state restored into the new SQL on a
rehearsal cluster, with its sinks replaced and its sources committing nothing
(``apply/rehearse/`` runs it; DESIGN.md "Rehearsal"). Pure.

A change that carries state (an update or a restart of a running job, upgrade mode
savepoint or last-state) gains a ``Rehearsal`` when the plan is made with
``--rehearse``: its ``outcome``, the snapshot it restored, how long the restore took,
the state size, which operators' state was restored and which dropped, and Flink's root
cause. ``builder.with_rehearsal`` folds it into the change in ``build_plan``'s one pass:
a refused rehearsal makes the change incompatible (apply refuses it); any other outcome
leaves the verdict as it was (a restored at-risk change stays at-risk: the bytes restore,
their meaning may still change). ``rehearsal_words`` is the one line text and markdown
show under the verdict, from the JSON form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "REHEARSABLE_MODES",
    "Rehearsal",
    "RehearsalOutcome",
    "RehearseSettings",
    "SnapshotKind",
    "human_bytes",
    "rehearsal_words",
    "short_cause",
]

#: The upgrade modes whose update restores state (stateless starts empty: nothing to rehearse).
REHEARSABLE_MODES = ("savepoint", "last-state")


class RehearsalOutcome(StrEnum):
    """What became of a rehearsal."""

    RESTORED = "restored"  # restored, every task RUNNING, a checkpoint completed
    REFUSED = "refused"  # Flink refused the state: at submission or when restoring it
    FAILED = "failed"  # the rehearsal job failed for another reason (its code, the cluster)
    TIMEOUT = "timeout"  # not running with a completed checkpoint within the timeout
    SKIPPED = "skipped"  # not rehearsed: ``reason`` says why


class SnapshotKind(StrEnum):
    """What a rehearsal restores: a new savepoint of the live job (it keeps running), or
    the live job's newest retained checkpoint (``--rehearse=checkpoint``)."""

    SAVEPOINT = "savepoint"
    CHECKPOINT = "checkpoint"


@dataclass(frozen=True)
class RehearseSettings:
    """How rehearsals run: the snapshot taken, the timeout (seconds), whether the
    rehearsal's savepoint is kept, how many run at once, and the target whose cluster
    runs them (None: the plan's own)."""

    snapshot: SnapshotKind = SnapshotKind.SAVEPOINT
    timeout: float = 120.0
    keep: bool = False
    concurrency: int = 1
    target: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "snapshot": self.snapshot.value,
            "timeout": self.timeout,
            "keep": self.keep,
            "concurrency": self.concurrency,
            "target": self.target,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RehearseSettings:
        return cls(
            SnapshotKind(data.get("snapshot", "savepoint")),
            float(data.get("timeout", 120.0)),
            bool(data.get("keep", False)),
            int(data.get("concurrency", 1)),
            data.get("target"),
        )


@dataclass(frozen=True)
class Rehearsal:
    """One change's rehearsal. ``reason``: why it was skipped, or what a timeout waited
    for; ``root_cause``: Flink's, for a refusal or a failure. ``snapshot``/``snapshot_at``:
    what it restored and when that was taken (a saved plan's rehearsal is accepted only
    while it is fresh). ``restored``/``dropped``: the live job's operators (Flink's vertex
    names) whose state the rehearsal job took, and those whose state it left (only the
    replaced sinks' may be). ``replaced``: the sinks replaced and the sources kept from
    committing, as ``table (connector: how)``."""

    outcome: RehearsalOutcome
    reason: str = ""
    snapshot: str | None = None
    snapshot_kind: SnapshotKind | None = None
    snapshot_at: str = ""
    cluster: str = ""
    job_id: str | None = None
    slots: int | None = None
    restore_seconds: float | None = None
    seconds: float | None = None
    state_size: int | None = None
    restored: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    root_cause: str = ""
    kept: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "reason": self.reason,
            "snapshot": self.snapshot,
            "snapshot_kind": self.snapshot_kind.value if self.snapshot_kind else None,
            "snapshot_at": self.snapshot_at,
            "cluster": self.cluster,
            "job_id": self.job_id,
            "slots": self.slots,
            "restore_seconds": self.restore_seconds,
            "seconds": self.seconds,
            "state_size": self.state_size,
            "restored": list(self.restored),
            "dropped": list(self.dropped),
            "replaced": list(self.replaced),
            "root_cause": self.root_cause,
            "kept": self.kept,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rehearsal:
        kind = data.get("snapshot_kind")
        return cls(
            outcome=RehearsalOutcome(data["outcome"]),
            reason=data.get("reason", ""),
            snapshot=data.get("snapshot"),
            snapshot_kind=SnapshotKind(kind) if kind else None,
            snapshot_at=data.get("snapshot_at", ""),
            cluster=data.get("cluster", ""),
            job_id=data.get("job_id"),
            slots=data.get("slots"),
            restore_seconds=data.get("restore_seconds"),
            seconds=data.get("seconds"),
            state_size=data.get("state_size"),
            restored=tuple(data.get("restored") or ()),
            dropped=tuple(data.get("dropped") or ()),
            replaced=tuple(data.get("replaced") or ()),
            root_cause=data.get("root_cause", ""),
            kept=bool(data.get("kept", False)),
        )


def rehearsal_words(r: Mapping[str, Any], state: str = "") -> str:
    """A rehearsal in one line, from its JSON form: ``rehearsed: restored 3 operators,
    41 MB, in 4.2 s``; ``rehearsed: refused by Flink: StateMigrationException`` (the
    whole root cause is in the state reasons and the details); ``rehearsal
    skipped: <why>``. ``state``: the change's verdict (a restored at-risk change says it
    stays at-risk)."""
    outcome = r["outcome"]
    if outcome == RehearsalOutcome.SKIPPED:
        return f"rehearsal skipped: {r.get('reason') or 'no reason given'}"
    if outcome == RehearsalOutcome.RESTORED:
        n = len(r.get("restored") or [])
        parts = [f"restored {n} operator{'' if n == 1 else 's'}"]
        if r.get("state_size") is not None:
            parts.append(human_bytes(r["state_size"]))
        if r.get("restore_seconds") is not None:
            parts[-1] += f", in {r['restore_seconds']:.1f} s"
        text = "rehearsed: " + ", ".join(parts)
        if r.get("dropped"):
            text += f" (sink state left: {', '.join(r['dropped'])})"
        if state == "at-risk":
            text += "; still at-risk: the state restores, what it means may change"
        return text
    cause = r.get("root_cause") or ""
    if outcome == RehearsalOutcome.REFUSED:
        return f"rehearsed: refused by Flink: {short_cause(cause) or 'no cause given'}"
    return f"rehearsed: {outcome}: {short_cause(cause) or r.get('reason') or 'no cause given'}"


_JAVA_EXCEPTION = re.compile(r"^(?:[\w$]+\.)*([\w$]+(?:Exception|Error))\b")


def short_cause(cause: str) -> str:
    """Flink's root cause for one line: a Java exception by its simple name
    (``org.apache.flink.util.StateMigrationException: For heap ...`` ->
    ``StateMigrationException``), anything else cut at 160 characters."""
    found = _JAVA_EXCEPTION.match(cause.strip())
    if found:
        return found.group(1)
    return cause if len(cause) <= 160 else cause[:157] + "..."


def human_bytes(size: int) -> str:
    """``41 MB``, ``12.3 kB``, ``512 B`` (powers of 1000, as Flink's web UI)."""
    value, unit = float(size), "B"
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            break
        value /= 1000
    if unit == "B":
        return f"{int(value)} B"
    return f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
