"""The plan's data: actions and their transition kinds, state impacts, what was
observed, changes, the plan.

Frozen dataclasses with ``to_json``; ``flinkops.plan`` builds them and re-exports
every name here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from flinkops.flink.live import LiveJob
from flinkops.plan._rehearsal import Rehearsal
from flinkops.plan.rejections import SqlRejected
from flinkops.plan.steps import (
    Builder,
    cancel_steps,
    create_steps,
    delete_steps,
    migrate_steps,
    record_steps,
    rescale_steps,
    start_or_replace_steps,
    suspend_steps,
)
from flinkops.store import Outcome

__all__ = [
    "KINDS",
    "PLAN_FORMAT_VERSION",
    "Action",
    "Applied",
    "Attempt",
    "Behind",
    "Change",
    "Compat",
    "CompatBasis",
    "Migration",
    "Plan",
    "StateImpact",
    "TransitionKind",
]

PLAN_FORMAT_VERSION = 1


class Action(StrEnum):
    """What apply does to one job, in the order apply takes them. Each action is a
    transition kind, declared once in ``KINDS`` below (``Action.kind``)."""

    CREATE = "create"
    RESUME = "resume"
    UPDATE = "update"
    RESTART = "restart"
    MIGRATE = "migrate"  # the target's cluster changed: moved there with its state
    RESCALE = "rescale"  # only parallelism changed, on an adaptive-scheduler cluster
    RECORD = "record"  # only how the job is applied changed: a new version, no restart
    SUSPEND = "suspend"
    CANCEL = "cancel"
    DELETE = "delete"
    # its spec failed or was rolled back (left alone until it changes), or the checkout
    # lacks the commit the job's newest transition came from (until --allow-behind)
    BLOCKED = "blocked"
    REJECTED = "rejected"  # Flink's planner rejects its SQL: an error, apply refuses the plan
    NOOP = "noop"

    @property
    def kind(self) -> TransitionKind:
        return _KIND_OF[self]

    @property
    def symbol(self) -> str:
        return self.kind.symbol

    @property
    def starts(self) -> bool:
        """Whether the action submits a new version of the job."""
        return self.kind.starts


@dataclass(frozen=True)
class TransitionKind:
    """A transition kind: its action, how a plan shows it, whether it submits a new
    version, and the builder of its steps (plan/steps.py; None: apply runs nothing)."""

    action: Action
    symbol: str  # the plan's mark before the job
    colour: str | None  # the mark's colour on a terminal
    verb: str  # how the plan's summary counts it: "2 to create"
    build: Builder | None = None
    starts: bool = False


#: Every transition kind, once; a new one is an ``Action`` and its line here (and the
#: action's name in schemas/plan.schema.json). The step runner needs nothing more
#: unless the kind brings a new kind of step (a class in plan/steps.py, and its handler
#: in apply/step_runner.py's table).
KINDS = (
    TransitionKind(Action.CREATE, "+", "green", "to create", create_steps, starts=True),
    TransitionKind(Action.RESUME, "+", "green", "to resume", start_or_replace_steps, starts=True),
    TransitionKind(Action.UPDATE, "~", "yellow", "to update", start_or_replace_steps, starts=True),
    TransitionKind(
        Action.RESTART, "±", "magenta", "to restart", start_or_replace_steps, starts=True
    ),
    TransitionKind(Action.MIGRATE, ">", "blue", "to migrate", migrate_steps, starts=True),
    TransitionKind(Action.RESCALE, "~", "yellow", "to rescale in place", rescale_steps),
    TransitionKind(Action.RECORD, "~", "cyan", "to record without a restart", record_steps),
    TransitionKind(Action.SUSPEND, "-", "red", "to suspend", suspend_steps),
    TransitionKind(Action.CANCEL, "-", "red", "to cancel", cancel_steps),
    TransitionKind(Action.DELETE, "-", "red", "to delete", delete_steps),
    TransitionKind(Action.BLOCKED, "!", "red", "blocked"),
    TransitionKind(Action.REJECTED, "✗", "red", "rejected by Flink"),
    TransitionKind(Action.NOOP, " ", None, "unchanged"),
)
_KIND_OF = {k.action: k for k in KINDS}


class StateImpact(StrEnum):
    """What a change does to a job's state, ordered from harmless to worst:
    none < preserved < at-risk < lost < incompatible (``<`` compares that, not the
    strings).

    - preserved: Flink restores the state and it means what it meant;
    - at-risk: Flink restores it, but what it means changes, or flinkops cannot tell;
    - lost: the change starts without the state (stateless, dropped, no savepoint);
    - incompatible: flinkops is sure Flink refuses the restore (apply refuses the
      change and touches nothing). Worse than lost: no finding that drops state makes
      a restore Flink refuses go through, so a verdict with both is incompatible.
    """

    PRESERVED = "preserved"
    AT_RISK = "at-risk"
    LOST = "lost"
    INCOMPATIBLE = "incompatible"
    NONE = "none"  # the change does not touch the job's state (no-op, blocked)

    @property
    def rank(self) -> int:
        return _IMPACT_RANK[self]

    @classmethod
    def worst(cls, *impacts: StateImpact) -> StateImpact:
        """The worst of ``impacts``; NONE when there are none."""
        return max(impacts, key=lambda i: i.rank, default=cls.NONE)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, StateImpact):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, StateImpact):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, StateImpact):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, StateImpact):
            return NotImplemented
        return self.rank >= other.rank


_IMPACT_RANK = {
    StateImpact.NONE: 0,
    StateImpact.PRESERVED: 1,
    StateImpact.AT_RISK: 2,
    StateImpact.LOST: 3,
    StateImpact.INCOMPATIBLE: 4,
}


@dataclass(frozen=True)
class Applied:
    """What the version store knows of a job: its last applied version and savepoints."""

    version: int
    spec_hash: str
    sql: str
    spec: Mapping[str, Any]
    outcome: Outcome
    savepoint: str | None = None  # the savepoint flinkops knows of to restore from
    job_id: str | None = None
    savepoint_flink_version: str | None = None  # the Flink that wrote it, when recorded
    # the cluster it was applied on (its URL, its Flink), when recorded (store migration 9)
    cluster_url: str | None = None
    flink_version: str | None = None


class CompatBasis(StrEnum):
    """What a Compat verdict rests on; code branches on this, never on ``reasons``."""

    COMPARED = "compared"  # both job graphs compiled and were compared
    APPLIED_SQL_REJECTED = "applied-sql-rejected"  # the applied SQL no longer compiles


@dataclass(frozen=True)
class Attempt:
    """The newest version the store recorded of a job, whatever became of it; or (with
    ``job_id``) a run of an applied version that FAILED since (``Observation.failed_runs``).

    Plans number the next version after it (failed and rolled-back versions count),
    and a spec whose newest version failed or was rolled back, or whose applied version's
    job failed, is blocked. A version the cluster failed (INFRA_FAILED: a TaskManager
    lost, slots missing) blocks nothing: the next apply tries it again.
    """

    version: int
    outcome: Outcome
    spec_hash: str
    at: str = ""
    root_cause: str = ""
    job_id: str = ""  # the FAILED run of an applied version; "" for a recorded version
    restarts: int = 0  # the run still runs but failed this often: it keeps restarting

    @property
    def failed(self) -> bool:
        return self.outcome in (Outcome.FAILED, Outcome.ROLLED_BACK)

    @property
    def became(self) -> str:
        """What became of it, for a sentence: "failed", "was rolled back"."""
        if self.job_id and self.restarts:
            return (
                f"keeps restarting since it was applied (job {self.job_id} failed "
                f"{self.restarts} times)"
            )
        if self.job_id:
            return f"failed after it was applied (job {self.job_id} ended FAILED)"
        outcome = str(self.outcome)
        return outcome if self.outcome == Outcome.FAILED else f"was {outcome.replace('-', ' ')}"

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "outcome": self.outcome,
            "at": self.at,
            "root_cause": self.root_cause,
            **({"job_id": self.job_id} if self.job_id else {}),
            **({"restarts": self.restarts} if self.restarts else {}),
        }


@dataclass(frozen=True)
class Behind:
    """The newest transition that left a job as it is (a version applied, suspended,
    cancelled) came from a commit this checkout's history lacks: carrying the plan out
    would undo it. ``known`` False: it cannot be told (a shallow clone without the
    commit), which only warns."""

    version: int
    action: str
    commit: str
    author: str | None = None
    at: str = ""
    known: bool = True

    def describe(self) -> str:
        """``version 3 (update) was applied from commit 1a2b3c4d5e6f by Bo <bo@x> at ...``"""
        who = f" by {self.author}" if self.author else ""
        when = f" at {self.at}" if self.at else ""
        return (
            f"version {self.version} ({self.action}) came from commit {self.commit[:12]}{who}{when}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "action": self.action,
            "commit": self.commit,
            "author": self.author,
            "at": self.at,
        }


@dataclass(frozen=True)
class Compat:
    """Flink-planner verdict on restoring old state into the new SQL."""

    impact: StateImpact
    reasons: tuple[str, ...] = ()
    basis: CompatBasis = CompatBasis.COMPARED


@dataclass(frozen=True)
class Change:
    job: str
    action: Action
    state: StateImpact
    reason: str
    state_reasons: tuple[str, ...] = ()  # why this state impact, worst first
    upgrade_mode: str = "savepoint"
    restore_from: str | None = None
    spec_hash: str | None = None
    version: int | None = None  # the version apply will record
    live: LiveJob | None = None
    applied_version: int | None = None
    sql_diff: str = ""
    config_diff: tuple[str, ...] = ()
    lineage: Mapping[str, Any] | None = None
    downstream: tuple[str, ...] = ()
    missing_savepoint_dir: bool = False
    #: starts the job empty although an earlier run of it had state (no snapshot of it
    #: was found): apply refuses it without --allow-state-loss
    loses_state: bool = False
    steps: tuple[Any, ...] = ()  # steps.Step: what apply runs, in order
    blocked: Attempt | None = None  # the failed attempt of this spec (action BLOCKED)
    rejected: SqlRejected | None = None  # Flink's planner rejects its SQL (action REJECTED)
    parallelism: int | None = None  # RESCALE: the new parallelism
    previous_parallelism: int | None = None  # RESCALE: the running job's
    # what runs on the target after its override, secrets masked (_effective.py);
    # None for a job whose spec is gone
    effective: Mapping[str, Any] | None = None
    # the cluster holds a transition from a commit this checkout lacks (action BLOCKED)
    behind: Behind | None = None
    # the live state restored into the new SQL on a rehearsal cluster (plan --rehearse)
    rehearsal: Rehearsal | None = None
    # MIGRATE: the old cluster's REST URL (None: it is gone, or at the same address)
    migrate_from: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "action": self.action.value,
            "symbol": self.action.symbol,
            "state": self.state.value,
            "reason": self.reason,
            "state_reasons": list(self.state_reasons),
            "upgrade_mode": self.upgrade_mode,
            "restore_from": self.restore_from,
            "spec_hash": self.spec_hash,
            "version": self.version,
            "applied_version": self.applied_version,
            "live": self.live.to_json() if self.live else None,
            "sql_diff": self.sql_diff,
            "config_diff": list(self.config_diff),
            "lineage": dict(self.lineage) if self.lineage else None,
            "downstream": list(self.downstream),
            "steps": [s.to_json() for s in self.steps],
            "blocked": self.blocked.to_json() if self.blocked else None,
            "rejected": self.rejected.to_json() if self.rejected else None,
            "parallelism": self.parallelism,
            "effective": dict(self.effective) if self.effective is not None else None,
            "behind": self.behind.to_json() if self.behind else None,
            "rehearsal": self.rehearsal.to_json() if self.rehearsal else None,
            **({"migrate_from": self.migrate_from} if self.migrate_from else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Change:
        """A change from its JSON form (a plan file, the journal), without its steps
        (``steps.step_from_json`` reads those) and without diffs."""
        live = data.get("live")
        blocked, behind = data.get("blocked"), data.get("behind")
        rejected, rehearsal = data.get("rejected"), data.get("rehearsal")
        return cls(
            job=data["job"],
            action=Action(data["action"]),
            state=StateImpact(data["state"]),
            reason=data.get("reason", ""),
            state_reasons=tuple(data.get("state_reasons") or ()),
            upgrade_mode=data.get("upgrade_mode", "savepoint"),
            restore_from=data.get("restore_from"),
            spec_hash=data.get("spec_hash"),
            version=data.get("version"),
            applied_version=data.get("applied_version"),
            downstream=tuple(data.get("downstream") or ()),
            parallelism=data.get("parallelism"),
            live=LiveJob(
                job_id=live["job_id"],
                name=live.get("name", ""),
                state=live["state"],
                version=live.get("version"),
                spec_hash=live.get("spec_hash"),
                managed_name=data["job"],
            )
            if live
            else None,
            blocked=Attempt(
                blocked["version"],
                Outcome(blocked["outcome"]),
                data.get("spec_hash") or "",
                blocked.get("at", ""),
                blocked.get("root_cause", ""),
                blocked.get("job_id", ""),
                blocked.get("restarts", 0),
            )
            if blocked
            else None,
            rejected=SqlRejected.from_json(rejected) if rejected else None,
            behind=Behind(**behind) if behind else None,
            rehearsal=Rehearsal.from_json(rehearsal) if rehearsal else None,
            migrate_from=data.get("migrate_from"),
        )


@dataclass(frozen=True)
class Migration:
    """The target's cluster changed under jobs the store has running: another URL (a new
    cluster, the way teams upgrade Flink on session clusters) or another Flink version
    (observed by ``plan/_migrate_observe.py``; planned by ``plan/_migrate.py``).

    ``from_url``: the old cluster (from the versions' records or ``--from-url``; None
    when it was at the target's own address, so it is gone); ``reachable``: it answered,
    and ``from_flink_version`` is what it runs (else what the store recorded);
    ``jobs``: the jobs to migrate; ``storage``: why the two clusters may not share the
    savepoint storage (the migrations are blocked while any holds); ``notes``: what the
    plan could not check."""

    from_url: str | None
    from_flink_version: str | None
    to_url: str
    to_flink_version: str
    reachable: bool
    jobs: tuple[str, ...]
    savepoint_dir: str | None = None
    storage: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def upgrade(self) -> bool:
        """Whether the Flink version changes with the move."""
        return bool(self.from_flink_version) and self.from_flink_version != self.to_flink_version

    def to_json(self) -> dict[str, Any]:
        return {
            "from_url": self.from_url,
            "from_flink_version": self.from_flink_version,
            "to_url": self.to_url,
            "to_flink_version": self.to_flink_version,
            "reachable": self.reachable,
            "jobs": list(self.jobs),
            "savepoint_dir": self.savepoint_dir,
            "storage": list(self.storage),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Plan:
    target: str
    url: str
    changes: tuple[Change, ...]
    unmanaged: tuple[LiveJob, ...] = ()
    warnings: tuple[str, ...] = ()
    flink_version: str = ""
    created_at: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    migration: Migration | None = None  # the target's cluster changed (``Migration``)

    @property
    def has_changes(self) -> bool:
        """Anything apply would do, or refuse to do (a blocked job)."""
        return any(c.action is not Action.NOOP for c in self.changes)

    @property
    def refused(self) -> tuple[Change, ...]:
        """The changes whose rehearsal Flink refused: errors of the plan as SQL Flink
        rejects is (exit 1), each incompatible, so apply refuses it."""
        return tuple(c for c in self.changes if c.rehearsal and c.rehearsal.outcome == "refused")

    @property
    def errors(self) -> tuple[SqlRejected, ...]:
        """The plan's errors: each spec whose SQL Flink's planner rejects. Apply refuses a
        plan that has any (as terraform refuses a plan with errors)."""
        return tuple(c.rejected for c in self.changes if c.rejected is not None)

    def summary(self) -> dict[str, int]:
        counts = Counter(c.action.value for c in self.changes)
        return {a.value: counts[a.value] for a in Action if counts[a.value]}

    def change(self, job: str) -> Change:
        return next(c for c in self.changes if c.job == job)

    def to_json(self) -> dict[str, Any]:
        """The plan as data following schemas/plan.schema.json (not yet redacted)."""
        return {
            "format_version": PLAN_FORMAT_VERSION,
            "target": self.target,
            "url": self.url,
            "flink_version": self.flink_version,
            "created_at": self.created_at,
            **({"migration": self.migration.to_json()} if self.migration else {}),
            "changes": [c.to_json() for c in self.changes],
            "unmanaged": [j.to_json() for j in self.unmanaged],
            "warnings": list(self.warnings),
            "errors": [e.to_json() for e in self.errors],
            "summary": self.summary(),
            "observed": {
                c.job: {
                    "job_id": c.live.job_id if c.live else None,
                    "state": c.live.state if c.live else None,
                    "live_spec_hash": c.live.spec_hash if c.live else None,
                    "spec_hash": c.spec_hash,
                    "applied_version": c.applied_version,
                    "version": c.version,
                }
                for c in self.changes
            },
            **dict(self.extra),
        }
