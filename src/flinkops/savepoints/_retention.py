"""Which savepoints retention deletes (pure).

``plan_retention(history, policy, protected, now)`` is handed everything it reads
and does no I/O. A savepoint is kept when it is protected, whatever the policy:

- the newest one in the history (the newest completed savepoint: the history
  holds only completed ones, since flinkops records a savepoint once Flink says
  it COMPLETED);
- one a recorded version restores from or was stopped with;
- one an open (running or unfinished) transition names.

Of the rest, one is deleted when it is older than ``max_age`` or not among the
newest ``count`` of the whole history (protected ones count towards ``count``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

__all__ = ["PROTECTION_REASONS", "Decision", "Snapshot", "plan_retention", "protection"]

#: Why a savepoint is kept whatever the policy says (the order is the order shown).
PROTECTION_REASONS = ("newest", "version", "transition")


@dataclass(frozen=True)
class Snapshot:
    """One recorded savepoint: where it is, when it was taken."""

    location: str
    created_at: datetime


@dataclass(frozen=True)
class Decision:
    """What retention does with one savepoint, and why."""

    snapshot: Snapshot
    delete: bool
    reason: str
    protected: tuple[str, ...] = ()


def _order(s: Snapshot) -> tuple[datetime, str]:
    """Newest last; equal times are ordered by location, so "newest" is one savepoint."""
    return (s.created_at, s.location)


def protection(
    history: Sequence[Snapshot], by_version: Iterable[str], by_transition: Iterable[str]
) -> dict[str, tuple[str, ...]]:
    """location -> the reasons it is protected (only protected locations appear)."""
    reasons: dict[str, list[str]] = {}
    if history:
        newest = max(history, key=_order)
        reasons.setdefault(newest.location, []).append("newest")
    for why, locations in (("version", by_version), ("transition", by_transition)):
        for location in set(locations):
            if any(s.location == location for s in history):
                reasons.setdefault(location, []).append(why)
    return {loc: tuple(sorted(r, key=PROTECTION_REASONS.index)) for loc, r in reasons.items()}


def plan_retention(
    history: Sequence[Snapshot],
    *,
    count: int | None,
    max_age: float | None,
    protected: dict[str, tuple[str, ...]],
    now: datetime,
) -> list[Decision]:
    """One decision per savepoint of ``history``, newest first. No side effects."""
    ordered = sorted(history, key=_order, reverse=True)
    decisions = []
    for rank, snap in enumerate(ordered):
        guard = protected.get(snap.location, ())
        age = (now - snap.created_at).total_seconds()
        too_old = max_age is not None and age > max_age
        beyond = count is not None and rank >= count
        if guard:
            reason = "protected: " + ", ".join(guard)
            decisions.append(Decision(snap, False, reason, guard))
        elif too_old:
            decisions.append(Decision(snap, True, f"older than {max_age:g}s"))
        elif beyond:
            decisions.append(Decision(snap, True, f"beyond the newest {count}"))
        else:
            decisions.append(Decision(snap, False, "within the policy"))
    return decisions
