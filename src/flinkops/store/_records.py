"""The records the store hands out: frozen data, each with ``to_json()``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "EVENT_LEVELS",
    "JOURNAL_PHASES",
    "OUTCOMES",
    "PLACING_OUTCOMES",
    "RUNNING_OUTCOMES",
    "SAVEPOINT_KINDS",
    "TRANSITION_STATUSES",
    "EventRecord",
    "HistoryRecord",
    "JournalPhase",
    "JournalStep",
    "LockInfo",
    "Outcome",
    "SavepointRecord",
    "Transition",
    "TransitionStatus",
    "VersionRecord",
    "check_one_of",
    "describe_holder",
    "dumps_json",
    "utc_now",
]


class Outcome(StrEnum):
    """What became of an applied (or attempted) version: the ``outcome`` column, and what
    a plan's ``record`` step writes. The values are the stored strings."""

    IN_PROGRESS = "in-progress"  # reserved before its job is submitted
    APPLIED = "applied"  # its job ran healthy (the version that runs)
    FAILED = "failed"  # it did not, and there was nothing to roll back to
    ROLLED_BACK = "rolled-back"  # it did not, and the version before it runs again
    # it did not because the cluster failed it (a TaskManager lost, slots missing: Flink's
    # own exception classes say so); rolled back or cleaned up like a failure, but its
    # spec is not blocked: the next apply tries it again
    INFRA_FAILED = "infra-failed"
    SUSPENDED = "suspended"  # stopped with a savepoint, to be resumed
    CANCELLED = "cancelled"  # cancelled: its state is gone
    DELETED = "deleted"  # cancelled because its spec is gone (apply --prune)
    ADOPTED = "adopted"  # a job started outside flinkops, taken over as it runs (import)


#: The outcomes whose version is the one its job runs: applied by flinkops, or adopted
#: by `flinkops import` (a job without flinkops's identity, known by the recorded job id).
RUNNING_OUTCOMES = frozenset({Outcome.APPLIED, Outcome.ADOPTED})


class TransitionStatus(StrEnum):
    """Where one job's transition stands. The ``transitions`` table holds RUNNING (an
    apply carries it out, or died doing so) and the final DONE, FAILED, ROLLED_BACK; an
    apply's result for a job (``JobResult.status``) is one of those three, or BLOCKED
    (nothing was opened: the spec is blocked), or, for a transition recovery found had
    changed nothing, UNCHANGED (it is closed FAILED and the job planned again)."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    ROLLED_BACK = "rolled-back"
    BLOCKED = "blocked"
    UNCHANGED = "unchanged"


class JournalPhase(StrEnum):
    """A journal entry: a step started, ended, or failed (with the list that follows)."""

    START = "start"
    END = "end"
    FAILED = "failed"


#: The outcomes the ``versions`` table accepts.
OUTCOMES = frozenset(o.value for o in Outcome)
#: Who took a savepoint: stop-with-savepoint of an update, ``flinkops savepoint``,
#: a suspend, a savepoint schedule, or a retained checkpoint flinkops chose to remember.
SAVEPOINT_KINDS = frozenset({"stop", "manual", "suspend", "scheduled", "checkpoint"})
EVENT_LEVELS = frozenset({"debug", "info", "warning", "error"})
JOURNAL_PHASES = frozenset(p.value for p in JournalPhase)
#: The statuses the ``transitions`` table holds: RUNNING, then one of the final ones.
TRANSITION_STATUSES = frozenset(
    s.value
    for s in (
        TransitionStatus.RUNNING,
        TransitionStatus.DONE,
        TransitionStatus.FAILED,
        TransitionStatus.ROLLED_BACK,
    )
)


def utc_now() -> str:
    """Now in UTC as ISO 8601 with milliseconds and a ``Z``: ``2026-11-21T15:04:05.123Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def dumps_json(value: dict[str, Any], what: str) -> str:
    """``value`` as compact JSON for a column; ValueError naming ``what`` if it cannot be."""
    try:
        return json.dumps(value, separators=(",", ":"))
    except (TypeError, ValueError) as e:
        raise ValueError(f"{what} must be JSON-serializable: {e}") from e


def check_one_of(value: str, allowed: frozenset[str], what: str) -> None:
    """ValueError naming ``what`` unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{what} {value!r} is not one of {sorted(allowed)}")


@dataclass(frozen=True)
class VersionRecord:
    """One applied (or attempted) version of a job on a target.

    ``spec`` is the spec as applied, secrets already redacted by the caller.
    ``savepoint`` is the savepoint taken when this version was stopped;
    ``restored_from`` the one it was started from. ``applied_at`` left empty is
    filled with the current UTC time by ``Store.record_version``.
    """

    target: str
    job: str
    version: int
    spec_hash: str
    sql_hash: str
    config_hash: str
    spec: dict[str, Any]
    sql: str
    git_commit: str | None = None
    git_author: str | None = None
    applied_at: str = ""
    job_id: str | None = None
    restored_from: str | None = None
    savepoint: str | None = None
    outcome: Outcome = Outcome.IN_PROGRESS
    message: str = ""
    #: the cluster the version ran on when it was applied: its REST URL (credentials
    #: masked) and Flink version; None for a version recorded before they were (a plan
    #: compares them with the target's to see a migration, ``plan/_migrate.py``)
    cluster_url: str | None = None
    flink_version: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The form ``flinkops history --format json`` prints (no spec, no SQL)."""
        return {
            "version": self.version,
            "spec_hash": self.spec_hash,
            "applied_at": self.applied_at,
            "git_commit": self.git_commit,
            "git_author": self.git_author,
            "job_id": self.job_id,
            "restored_from": self.restored_from,
            "savepoint": self.savepoint,
            "outcome": self.outcome,
            "message": self.message,
            # where it ran, once recorded (versions applied since store migration 9)
            **({"cluster_url": self.cluster_url} if self.cluster_url else {}),
            **({"flink_version": self.flink_version} if self.flink_version else {}),
        }


#: The outcomes that say what a job is left as (a version running, suspended, cancelled or
#: deleted); a failed or rolled-back attempt leaves in place what was there before it.
PLACING_OUTCOMES = frozenset(
    {Outcome.APPLIED, Outcome.ADOPTED, Outcome.SUSPENDED, Outcome.CANCELLED, Outcome.DELETED}
)


@dataclass(frozen=True)
class HistoryRecord:
    """One transition of a job, as the ``history`` table keeps it: appended, never changed.

    ``action`` is what was done (a plan's action: create, update, restart, resume,
    rescale, suspend, cancel, delete; or ``rollback``, ``restore``; ``adopt`` for a job
    ``flinkops import`` took over; ``recorded`` for a version a store held before it kept
    history), ``outcome`` what became of
    ``version``; ``git_commit`` and ``git_author`` the commit of the spec it was done
    from, ``job_id`` the Flink job running after it, ``restored_from`` what that job
    started from, ``savepoint`` the savepoint the transition took (stopping the job
    before). ``seq`` orders a job's rows (filled by ``Store.append_history``);
    ``transition_id`` is the journal's transition; ``spec_hash`` the spec ``version``
    ran.
    """

    target: str
    job: str
    version: int
    action: str
    outcome: Outcome
    at: str = ""
    spec_hash: str | None = None
    git_commit: str | None = None
    git_author: str | None = None
    job_id: str | None = None
    restored_from: str | None = None
    savepoint: str | None = None
    message: str = ""
    transition_id: int | None = None
    seq: int = 0

    @property
    def places(self) -> bool:
        """Whether the row says what the job is left as (``PLACING_OUTCOMES``)."""
        return self.outcome in PLACING_OUTCOMES

    def to_json(self) -> dict[str, Any]:
        """The form ``flinkops history --format json`` prints."""
        return {
            "seq": self.seq,
            "version": self.version,
            "spec_hash": self.spec_hash,
            "action": self.action,
            "outcome": self.outcome,
            "at": self.at,
            "git_commit": self.git_commit,
            "git_author": self.git_author,
            "job_id": self.job_id,
            "restored_from": self.restored_from,
            "savepoint": self.savepoint,
            "message": self.message,
            "transition_id": self.transition_id,
        }


@dataclass(frozen=True)
class SavepointRecord:
    """A savepoint (or retained checkpoint) flinkops knows of."""

    target: str
    job: str
    location: str
    kind: str
    job_id: str | None
    version: int | None
    created_at: str
    flink_version: str | None = None  # the Flink that wrote it; None: recorded before

    def to_json(self) -> dict[str, Any]:
        return {
            "location": self.location,
            "kind": self.kind,
            "job_id": self.job_id,
            "version": self.version,
            "created_at": self.created_at,
            "flink_version": self.flink_version,
        }


@dataclass(frozen=True)
class EventRecord:
    """A run event as a console shows it. ``job`` is None for target-wide events."""

    id: int
    target: str
    job: str | None
    at: str
    level: str
    step: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "target": self.target,
            "job": self.job,
            "level": self.level,
            "step": self.step,
            "message": self.message,
            "details": self.details,
        }


@dataclass(frozen=True)
class JournalStep:
    """One journal entry: a step started, ended or failed, with its data."""

    seq: int
    step: str
    phase: JournalPhase
    data: dict[str, Any]
    at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "step": self.step,
            "phase": self.phase,
            "data": self.data,
            "at": self.at,
        }


@dataclass(frozen=True)
class Transition:
    """One job's change being carried out, with its journal in order.

    ``pid`` and ``hostname`` are those of the process that began it.
    """

    id: int
    target: str
    job: str
    action: str
    plan: dict[str, Any]
    status: TransitionStatus
    started_at: str
    ended_at: str | None
    pid: int
    hostname: str
    steps: tuple[JournalStep, ...] = ()

    def last(self, step: str, phase: JournalPhase | None = None) -> JournalStep | None:
        """The newest entry for ``step`` (and ``phase``, when given), or None."""
        for entry in reversed(self.steps):
            if entry.step == step and (phase is None or entry.phase == phase):
                return entry
        return None

    def data(self, step: str) -> dict[str, Any]:
        """The data of every entry of ``step`` merged in order (later keys win)."""
        merged: dict[str, Any] = {}
        for entry in self.steps:
            if entry.step == step:
                merged.update(entry.data)
        return merged

    def pending(self) -> list[str]:
        """Steps whose newest entry is ``start``: begun, and the outcome unknown."""
        newest: dict[str, str] = {}
        for entry in self.steps:
            newest[entry.step] = entry.phase
        return [step for step, phase in newest.items() if phase == JournalPhase.START]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "target": self.target,
            "job": self.job,
            "action": self.action,
            "plan": self.plan,
            "status": self.status,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "pid": self.pid,
            "hostname": self.hostname,
            "steps": [s.to_json() for s in self.steps],
        }


def describe_holder(holder: str, pid: int, hostname: str, ci_run: str | None = None) -> str:
    """A lock's holder and, in parentheses, what the holder's text does not say yet of
    its pid, host and CI run: ``root@runner-b pid 10123`` names both, once."""
    named_pid = re.search(rf"\bpid {pid}\b", holder) is not None
    named_host = bool(hostname) and hostname in holder
    where = []
    if not named_pid:
        where.append(f"pid {pid}" + ("" if named_host else f" on {hostname}"))
    elif not named_host:
        where.append(f"on {hostname}")
    if ci_run:
        where.append(f"CI run {ci_run}")
    return holder + (f" ({', '.join(where)})" if where else "")


@dataclass(frozen=True)
class LockInfo:
    """Who holds a target's apply lock, and since when."""

    target: str
    holder: str
    pid: int
    hostname: str
    since: str
    ci_run: str | None = None  # the CI run that holds it (a URL on GitHub Actions)

    def describe(self) -> str:
        who = describe_holder(self.holder, self.pid, self.hostname, self.ci_run)
        return f"{who} since {self.since}"

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "holder": self.holder,
            "pid": self.pid,
            "hostname": self.hostname,
            "since": self.since,
            "ci_run": self.ci_run,
        }
