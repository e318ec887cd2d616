"""The steps each transition takes, as small data (docs/style.md §6).

Every transition is a list of step dataclasses built by one pure function: the
builder its kind declares (``TransitionKind.build`` in plan/_types.py; ``steps_for``
calls it) for what a plan does, and ``after_failure(...)`` for the list appended when
a step fails (the rollback, or the abort that cleans up when there is nothing to roll
back to). The step runner (apply/step_runner.py) executes any such list and the
renderers show the same list.

A kind of step is one class here: its fields, its ``kind`` (the name its JSON form
and the plan schema use), and how it reads (``describe``: a line for a progress
message or an event; ``short``: a few words for a plan, from the step's JSON form).
The step runner executes it with the one handler its table lists for that class.

Steps that need a value an earlier step produced (the savepoint a stop took, the
checkpoint a cancel left) name it symbolically: ``FROM_STOP``, ``FROM_CHECKPOINT``.
Each step has a ``name`` unique within its transition: the journal and the crash
points (``FLINKOPS_APPLY_CRASH_AT=<name>:<before|after|end|failed>``) use it.

A step that talks to another cluster than the target's names it: ``cluster``, the old
cluster's REST URL in a migration (``migrate_steps``: the stop on the old cluster, and
a rollback's submit and wait there); None, the target's cluster, is left out of the
JSON form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import TYPE_CHECKING, Any, ClassVar

from flinkops.plan._rehearsal import RehearseSettings, SnapshotKind
from flinkops.spec import JobSpec, parse_duration
from flinkops.store import Outcome

if TYPE_CHECKING:  # plan/_types.py declares each kind with its builder from here
    from flinkops.plan._types import Change

__all__ = [
    "FROM_CHECKPOINT",
    "FROM_STOP",
    "STEP_KINDS",
    "Builder",
    "Cancel",
    "Record",
    "Rehearse",
    "Rescale",
    "Step",
    "StepInputs",
    "StopWithSavepoint",
    "Submit",
    "WaitHealthy",
    "after_failure",
    "cancel_steps",
    "create_steps",
    "delete_steps",
    "describe",
    "health_needs_checkpoint",
    "is_rollback",
    "migrate_steps",
    "record_steps",
    "rescale_steps",
    "short",
    "spec_steps",
    "start_or_replace_steps",
    "step_from_json",
    "steps_for",
    "steps_to_json",
    "suspend_steps",
]

FROM_STOP = "@savepoint-of-stop"
FROM_CHECKPOINT = "@latest-checkpoint"
ROLLBACK = "rollback-"
ABORT = "abort-"
_SOURCES = {
    FROM_STOP: "the savepoint just taken",
    FROM_CHECKPOINT: "the latest retained checkpoint",
}


class _StepKind:
    """What every kind of step has: its ``kind``, its JSON form (the step's fields and
    its kind, as plans and the journal hold it) and its two readings."""

    kind = ""
    __dataclass_fields__: ClassVar[dict[str, Any]]  # every step is a dataclass: asdict works

    def to_json(self) -> dict[str, Any]:
        data = {"kind": self.kind, **asdict(self)}
        if "cluster" in data and data["cluster"] is None:
            del data["cluster"]  # the target's cluster: as plans wrote it before migrations
        return data

    def describe(self) -> str:
        """One line for a progress message or an event."""
        raise NotImplementedError

    @staticmethod
    def short(data: Mapping[str, Any]) -> str:
        """A few words for the step in its JSON form ``data``: how a plan lists it."""
        raise NotImplementedError


@dataclass(frozen=True)
class StopWithSavepoint(_StepKind):
    """Stop the job with a savepoint; on failure the old job keeps running."""

    job_id: str
    target_dir: str | None
    name: str = "stop"
    cluster: str | None = None
    kind = "stop"

    def describe(self) -> str:
        into = f" into {self.target_dir}" if self.target_dir else ""
        return f"stop {self.job_id}{_on(self.cluster)} with a savepoint{into}"

    @staticmethod
    def short(data: Mapping[str, Any]) -> str:
        return "stop with savepoint" + _on(data.get("cluster"), short=True)


def _on(cluster: str | None, *, short: bool = False) -> str:
    """Where a step runs when not on the target's cluster."""
    if not cluster:
        return ""
    return " on the old cluster" if short else f" on {cluster}"


@dataclass(frozen=True)
class Cancel(_StepKind):
    """Cancel the job (nothing to do when it already ended); ``keep_checkpoint``
    remembers its latest retained checkpoint."""

    job_id: str
    keep_checkpoint: bool = False
    name: str = "cancel"
    kind = "cancel"

    def describe(self) -> str:
        keep = " (keep its latest checkpoint)" if self.keep_checkpoint else ""
        return f"cancel {self.job_id}{keep}"

    @staticmethod
    def short(data: Mapping[str, Any]) -> str:
        return "cancel (keep checkpoint)" if data.get("keep_checkpoint") else "cancel"


@dataclass(frozen=True)
class Submit(_StepKind):
    """Submit version ``version`` of the job, restoring from ``restore`` (a path,
    FROM_STOP, FROM_CHECKPOINT, or None for empty state). The runner first looks for
    a live job already carrying that version, so it is never submitted twice."""

    version: int
    restore: str | None
    name: str = "submit"
    cluster: str | None = None
    kind = "submit"

    def describe(self) -> str:
        source = _SOURCES.get(self.restore or "", self.restore or "empty state")
        return f"submit version {self.version}{_on(self.cluster)} from {source}"

    @staticmethod
    def short(data: Mapping[str, Any]) -> str:
        source = {FROM_STOP: "savepoint", FROM_CHECKPOINT: "checkpoint"}.get(
            data.get("restore") or "", data.get("restore") or "empty"
        )
        return f"submit v{data['version']}{_on(data.get('cluster'), short=True)} from {source}"


@dataclass(frozen=True)
class WaitHealthy(_StepKind):
    """RUNNING with every task RUNNING and no restart for ``window`` seconds, and with
    ``checkpoint`` a completed checkpoint too (or with ``until_checkpoint`` until the
    first completed checkpoint instead of the window), within ``timeout`` seconds; with
    ``records_flowing`` every source has also emitted records (``apply/flowing.py``).
    A restart the cluster caused (a TaskManager lost) starts the window again instead
    of failing the wait (``apply/health.py``)."""

    window: float
    timeout: float
    until_checkpoint: bool = False
    records_flowing: bool = False
    checkpoint: bool = False
    name: str = "wait"
    cluster: str | None = None
    kind = "wait"

    def describe(self) -> str:
        if self.until_checkpoint:
            until = "the first completed checkpoint"
        else:
            until = f"{self.window:g}s without a restart"
            until += " and a completed checkpoint" if self.checkpoint else ""
        flowing = ", records flowing" if self.records_flowing else ""
        on = _on(self.cluster)
        return f"wait until healthy{on} ({until}{flowing}, at most {self.timeout:g}s)"

    @staticmethod
    def short(data: Mapping[str, Any]) -> str:
        flowing = " + records" if data.get("records_flowing") else ""
        on = _on(data.get("cluster"), short=True)
        if data.get("until_checkpoint"):
            return "wait for checkpoint" + on + flowing
        checkpoint = " + checkpoint" if data.get("checkpoint") else ""
        return f"wait healthy{on} {data['window']:g}s{checkpoint}{flowing}"


@dataclass(frozen=True)
class Record(_StepKind):
    """Write ``outcome`` for version ``version`` to the version store. ``job_id``: the
    running job the version is recorded on when no step before started one (a record
    in place, which no restart precedes); omitted from the JSON form when None."""

    outcome: Outcome
    version: int | None = None
    name: str = "record"
    job_id: str | None = None
    kind = "record"

    def __post_init__(self) -> None:  # read from JSON (a plan file, the journal): a string
        object.__setattr__(self, "outcome", Outcome(self.outcome))

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        if self.job_id is None:
            del data["job_id"]
        return data

    def describe(self) -> str:
        on = f" on the running job {self.job_id}" if self.job_id else ""
        return f"record version {self.version} as {self.outcome}{on}"

    @staticmethod
    def short(data: Mapping[str, Any]) -> str:
        on = " on the running job" if data.get("job_id") else ""
        return f"record v{data.get('version')} {data['outcome']}{on}"


@dataclass(frozen=True)
class Rescale(_StepKind):
    """Change the running job's parallelism in place (``PUT /jobs/:id/resource-requirements``,
    Flink's adaptive scheduler): same job id, state kept, no savepoint. ``previous`` is
    what a failed rescale goes back to."""

    job_id: str
    parallelism: int
    previous: int | None = None
    name: str = "rescale"
    kind = "rescale"

    def describe(self) -> str:
        return f"rescale {self.job_id} in place to parallelism {self.parallelism}"

    @staticmethod
    def short(data: Mapping[str, Any]) -> str:
        return f"rescale in place to {data['parallelism']}"


@dataclass(frozen=True)
class Rehearse(_StepKind):
    """Restore a snapshot of the running job (a new savepoint, or its newest retained
    checkpoint) into the new version on the rehearsal cluster, sinks replaced and
    sources committing nothing, and fail unless it restored (apply/rehearse/). The live
    job is not touched: a failed rehearsal leaves it running and ends the transition."""

    snapshot: str = SnapshotKind.SAVEPOINT.value
    timeout: float = 120.0
    keep: bool = False
    target: str | None = None
    name: str = "rehearse"
    kind = "rehearse"

    @classmethod
    def of(cls, settings: RehearseSettings) -> Rehearse:
        return cls(settings.snapshot.value, settings.timeout, settings.keep, settings.target)

    @property
    def settings(self) -> RehearseSettings:
        return RehearseSettings(
            SnapshotKind(self.snapshot), self.timeout, self.keep, 1, self.target
        )

    def describe(self) -> str:
        on = f" on target {self.target}" if self.target else ""
        return (
            f"rehearse the restore of a {self.snapshot} of the running job{on} "
            f"(at most {self.timeout:g}s)"
        )

    @staticmethod
    def short(data: Mapping[str, Any]) -> str:
        return f"rehearse from {data.get('snapshot', 'savepoint')}"


Step = StopWithSavepoint | Cancel | Submit | WaitHealthy | Record | Rescale | Rehearse
#: Every kind of step by its ``kind``: what ``step_from_json`` reads and the schema lists.
STEP_KINDS: Mapping[str, type[Step]] = {
    c.kind: c for c in (StopWithSavepoint, Cancel, Submit, WaitHealthy, Record, Rescale, Rehearse)
}


def step_from_json(data: dict[str, Any]) -> Step:
    """The step ``Step.to_json()`` wrote (from a plan file or the journal)."""
    cls = STEP_KINDS[data["kind"]]
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


def steps_to_json(steps: list[Step] | tuple[Step, ...]) -> list[dict[str, Any]]:
    return [s.to_json() for s in steps]


def describe(step: Step) -> str:
    """One line for a progress message or an event."""
    return step.describe()


def short(step: Mapping[str, Any]) -> str:
    """A few words for a step in its JSON form: how a plan lists its steps."""
    return STEP_KINDS[step["kind"]].short(step)


# ---------------------------------------------------------------------- building


@dataclass(frozen=True)
class StepInputs:
    """What every builder is handed: the change and the settings that shape its steps."""

    change: Change
    version: int
    savepoint_dir: str | None
    wait: WaitHealthy

    @property
    def live_id(self) -> str:
        live = self.change.live
        assert live is not None and live.active, f"{self.change.job}: no active job"
        return live.job_id


#: A transition kind's builder: the pure function that lists its steps.
Builder = Callable[[StepInputs], list[Step]]


def create_steps(c: StepInputs) -> list[Step]:
    return [Submit(c.version, None), c.wait, Record(Outcome.APPLIED, c.version)]


def suspend_steps(c: StepInputs) -> list[Step]:
    return [StopWithSavepoint(c.live_id, c.savepoint_dir), Record(Outcome.SUSPENDED, c.version)]


def cancel_steps(c: StepInputs) -> list[Step]:
    return [Cancel(c.live_id), Record(Outcome.CANCELLED, c.version)]


def delete_steps(c: StepInputs) -> list[Step]:
    return [Cancel(c.live_id), Record(Outcome.DELETED, c.version)]


def start_or_replace_steps(c: StepInputs) -> list[Step]:
    """Resume, restart, update: start from ``restore_from`` when nothing runs, else
    replace the running job the way its upgrade mode says."""
    live, record = c.change.live, Record(Outcome.APPLIED, c.version)
    if live is None or not live.active:  # resume, or restart of a job that stopped
        return [Submit(c.version, c.change.restore_from), c.wait, record]
    first: Step
    if c.change.upgrade_mode == "savepoint":
        first, restore = StopWithSavepoint(live.job_id, c.savepoint_dir), FROM_STOP
    elif c.change.upgrade_mode == "last-state":
        first, restore = Cancel(live.job_id, keep_checkpoint=True), FROM_CHECKPOINT
    else:
        first, restore = Cancel(live.job_id), None
    return [first, Submit(c.version, restore), c.wait, record]


def migrate_steps(c: StepInputs) -> list[Step]:
    """A job moved to a new cluster (``plan/_migrate.py``): stop it with a savepoint on
    the old cluster when it runs there, submit the version on the target's cluster from
    that savepoint (or, the old cluster gone, from the newest snapshot found:
    ``restore_from``), wait until healthy, and only then record the move. A failure
    resumes the old job from the same savepoint, on the old cluster (``after_failure``)."""
    live, old = c.change.live, c.change.migrate_from
    record = Record(Outcome.APPLIED, c.version)
    if live is None or not live.active or not old:
        return [Submit(c.version, c.change.restore_from), c.wait, record]
    stop = StopWithSavepoint(live.job_id, c.savepoint_dir, cluster=old)
    return [stop, Submit(c.version, FROM_STOP), c.wait, record]


def rescale_steps(c: StepInputs) -> list[Step]:
    target = c.change.parallelism
    assert target is not None, f"{c.change.job}: a rescale needs the new parallelism"
    step = Rescale(c.live_id, target, c.change.previous_parallelism)
    return [step, c.wait, Record(Outcome.APPLIED, c.version)]


def record_steps(c: StepInputs) -> list[Step]:
    """Only how the job is applied changed (upgrade mode, allowNonRestoredState): the
    new version is recorded on the running job, which nothing stops or restarts."""
    return [Record(Outcome.APPLIED, c.version, job_id=c.live_id)]


def steps_for(
    change: Change,
    *,
    version: int,
    savepoint_dir: str | None,
    window: float,
    timeout: float,
    until_checkpoint: bool = False,
    records_flowing: bool = False,
    checkpoint: bool = False,
) -> list[Step]:
    """The steps that carry ``change`` out (its kind's builder); empty for a kind that
    runs none (noop, blocked)."""
    build = change.action.kind.build
    if build is None:
        return []
    wait = WaitHealthy(window, timeout, until_checkpoint, records_flowing, checkpoint)
    return build(StepInputs(change, version, savepoint_dir, wait))


def spec_steps(
    change: Change, spec: JobSpec | None, default_savepoint_dir: str | None
) -> list[Step]:
    """``steps_for`` with the settings read from the job's spec (health gate, savepoint
    directory); what a plan holds and apply runs."""
    health = spec.health if spec is not None else None
    return steps_for(
        change,
        version=change.version or 0,
        savepoint_dir=(spec.savepoint_dir if spec else None) or default_savepoint_dir,
        window=health.window_seconds if health else 0,
        timeout=health.timeout_seconds if health else 0,
        until_checkpoint=bool(health and health.until_checkpoint),
        records_flowing=bool(health and health.records_flowing),
        checkpoint=spec is not None and health_needs_checkpoint(spec),
    )


def health_needs_checkpoint(spec: JobSpec) -> bool:
    """Whether the health gate also waits for a completed checkpoint: by default (no
    ``health.untilCheckpoint``) for a streaming job whose ``flinkConfiguration`` turns
    checkpointing on with an interval shorter than the health timeout. Otherwise (batch,
    checkpointing off, a longer interval, or ``untilCheckpoint: false``) the gate waits
    on the window alone: RUNNING, every task RUNNING, no restart."""
    health, conf = spec.health, spec.flink_configuration
    if health.until_checkpoint is not None:
        return False  # true: the checkpoint instead of the window; false: the window only
    if conf.get("execution.runtime-mode", "streaming").lower() == "batch":
        return False
    interval = conf.get("execution.checkpointing.interval")
    try:
        seconds = parse_duration(interval) if interval else 0.0
    except ValueError:
        return False
    return 0 < seconds < health.timeout_seconds


def after_failure(
    failed: Step,
    steps: list[Step] | tuple[Step, ...],
    *,
    version: int,
    rollback_to: int | None,
    new_job_id: str | None,
    restore: str | None,
    infrastructure: bool = False,
) -> list[Step]:
    """The list appended when ``failed`` (a step of ``steps``) raised. Pure.

    - A step of a rollback or an abort failed, or a stop/cancel that changed nothing
      (the old job keeps running), or recording failed: nothing more ([]).
    - A submit or wait failed after the running job was replaced, and the store holds
      the version to go back to (``rollback_to``): the rollback. It cancels the new job,
      submits ``rollback_to`` from ``restore`` (the same savepoint or checkpoint), waits
      until healthy and records ``version`` as rolled back; in a migration, on the old
      cluster the stop named (the old job resumed from the savepoint it took).
    - Otherwise (a new job, a resume, nothing to go back to): the abort. It cancels the
      new job and records ``version`` as failed; the state stays at ``restore``.

    With ``infrastructure`` (the cluster failed the new job: a TaskManager lost, slots
    missing) either list records ``version`` as infra-failed instead, which does not
    block its spec: the next apply tries it again.
    """
    if failed.name.startswith((ROLLBACK, ABORT)) or not isinstance(failed, Submit | WaitHealthy):
        return []
    infra = Outcome.INFRA_FAILED if infrastructure else None
    if isinstance(steps[0], Rescale):  # the same job: scale it back, never cancel it
        back = steps[0]
        listed: list[Step] = [
            Rescale(back.job_id, back.previous or back.parallelism, back.previous)
        ]
        listed.append(Record(infra or Outcome.ROLLED_BACK, version))
        return [replace(s, name=ROLLBACK + s.name) for s in listed]
    cancel: list[Step] = [Cancel(new_job_id)] if new_job_id else []
    first = next(s for s in steps if not isinstance(s, Rehearse))
    replaced = isinstance(first, StopWithSavepoint | Cancel)
    wait = next((s for s in steps if isinstance(s, WaitHealthy)), None)
    if replaced and rollback_to is not None and wait is not None:
        record = Record(infra or Outcome.ROLLED_BACK, version)
        # a migration resumes the old job on the old cluster its stop named
        home = steps[0].cluster if isinstance(steps[0], StopWithSavepoint) else None
        again: list[Step] = [Submit(rollback_to, restore, cluster=home)]
        listed = [*cancel, *again, replace(wait, cluster=home), record]
        return [replace(s, name=ROLLBACK + s.name) for s in listed]
    abort = [*cancel, Record(infra or Outcome.FAILED, version)]
    return [replace(s, name=ABORT + s.name) for s in abort]


def is_rollback(steps: list[Step] | tuple[Step, ...]) -> bool:
    return any(s.name.startswith(ROLLBACK) for s in steps)
