"""The typed protocol of carrying a transition out: ``Run`` (one transition as the step
runner takes it) and ``RunState`` (what its steps hand each other).

The step runner (step_runner.py) reads and writes them, the applier (applier.py) makes a
``Run`` per change and reads the result off it, and recovery (recover.py) rebuilds one
from the journal. Each step's data goes to the journal as a dict, as it always has;
``RunState.absorb`` takes the fields the runner reads back out of such a dict, so a
live run and a run rebuilt from its journal (one an older flinkops wrote included)
hold the same state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from flinkops.plan import Action
from flinkops.plan.steps import Step
from flinkops.spec import JobSpec
from flinkops.store import TransitionStatus

__all__ = ["SUBMITTED_BEFORE", "Run", "RunState"]

#: The journal key of ``RunState.submitted_before`` for a step: ``<step name>_before``.
SUBMITTED_BEFORE = "_before"


@dataclass
class RunState:
    """What a transition's steps produced so far and what it failed with, by the names
    the journal gives them. None until a step produced it."""

    #: The job that ran when the transition began (the plan's live job).
    old_job_id: str | None = None
    #: stop: the savepoint trigger, journaled before it is polled, and the job it stops.
    trigger_id: str | None = None
    stopping: str | None = None
    #: stop: the savepoint it took.
    savepoint: str | None = None
    #: cancel: the job it cancelled (or found ended).
    cancelled: str | None = None
    #: cancel with ``keep_checkpoint``: the retained checkpoint it kept.
    checkpoint: str | None = None
    #: submit, rescale: the job that runs the version, and what it restored from.
    job_id: str | None = None
    restored_from: str | None = None
    #: wait with ``records_flowing``: the verdict (``FlowVerdict.to_json()``).
    flow: dict[str, Any] | None = None
    #: submit: per step name, the jobs that already carried its version when the step
    #: first ran (journaled as ``<name>_before``); a job carrying it that is not among
    #: them is the step's own, so a submit taken again adopts it.
    submitted_before: dict[str, list[str]] = field(default_factory=dict)
    #: The failure that switched the list (to the rollback or the abort), or the cluster
    #: that stopped answering; and Flink's root cause of it.
    error: str | None = None
    root_cause: str | None = None

    def absorb(self, data: Mapping[str, Any]) -> None:
        """Take in what a step journaled (a ``start`` or ``end`` entry's data, or a
        failure's ``error`` and ``root_cause``). Other keys (``healthy``, ``recorded``,
        ...) are for people and stay in the journal."""
        for key, value in data.items():
            if key.endswith(SUBMITTED_BEFORE):
                self.submitted_before[key.removesuffix(SUBMITTED_BEFORE)] = list(value)
            elif key in _JOURNALED:
                setattr(self, key, value)

    @property
    def taken(self) -> str | None:
        """The savepoint or checkpoint this transition took from the job it replaced."""
        return self.savepoint or self.checkpoint

    @property
    def restore_point(self) -> str | None:
        """The state the old version goes back to: what this transition took, else what
        the new job started from."""
        return self.taken or self.restored_from


_JOURNALED = frozenset(f.name for f in fields(RunState)) - {"submitted_before"}


@dataclass
class Run:
    """One transition being carried out: its journal id (``tid``), the list it runs now,
    and what earlier steps produced (``state``). ``status`` is what it ends as when the
    list finishes: DONE, ROLLED_BACK or FAILED (UNCHANGED: recovery closed it)."""

    job: str
    action: Action
    tid: int
    version: int
    applied_version: int | None
    reason: str
    spec: JobSpec | None
    steps: list[Step]
    state: RunState = field(default_factory=RunState)
    status: TransitionStatus = TransitionStatus.DONE
    interrupted: bool = False
    done: set[str] = field(default_factory=set)  # names of steps that already ended
    #: what a command asked for, when the plan's action does not say it: ``rollback``
    #: (`flinkops rollback --to`), ``restore`` (`flinkops restore`); history's action
    requested: str | None = None
    #: when it failed or was interrupted: what Flink showed then of the jobs it touched
    #: (the step runner's ``_situation``), for the message; not journaled
    situation: str = ""
    #: the old job's state then (None: gone from the cluster, or not asked)
    old_state: str | None = None

    @property
    def message(self) -> str:
        """What a failed version's record says: Flink's root cause, else the error, else
        why the transition was made."""
        return self.state.root_cause or self.state.error or self.reason
