"""One rehearsal on a cluster: a snapshot of the live job (a new savepoint, the job
running on; or its newest retained checkpoint), the new version started from it on the
rehearsal cluster with its sinks replaced and its sources committing nothing
(``_sql.py``), watched until every task runs and a checkpoint completes, then cancelled
and its savepoint disposed of (unless ``keep``). The live job is only asked for a
savepoint. Everything that happens becomes the frozen ``Rehearsal`` of the plan.

The watch is the health gate's (``apply/health.py``): once for every task RUNNING (the
restore's time), once for the first completed checkpoint. A failure is Flink's root
cause; a refusal is a failure whose cause says the state did not fit
(``refused_state``). What the restore took is read from Flink: the snapshot's state per
vertex of the live job (``/jobs/:id/checkpoints/details/:checkpoint``) against the
rehearsal job's vertices.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flinkops.apply.health import TERMINAL, Progress, wait_healthy, wait_state
from flinkops.apply.rehearse._sql import rehearsal_sql
from flinkops.errors import FlinkError, FlinkopsError, RehearsalEnded, Unhealthy
from flinkops.flink.models import JobDetails
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import rejection_of, submit_sql
from flinkops.flink.snapshots import SAVEPOINT_DIR_KEYS
from flinkops.plan import Rehearsal, RehearsalOutcome, RehearseSettings, SnapshotKind
from flinkops.plan.steps import WaitHealthy
from flinkops.spec import JobSpec
from flinkops.store import iso_ms, utc_now

__all__ = ["REFUSAL_MARKERS", "REHEARSAL_CONFIGURATION", "Rehearser", "refused_state"]

#: What Flink writes when a snapshot's state does not fit the new program: at submission
#: (operators it cannot map, max parallelism) or when an operator restores it (its
#: serializer cannot read the old state).
REFUSAL_MARKERS = (
    "StateMigrationException",
    "Cannot map checkpoint/savepoint state",
    "Max parallelism mismatch",
    "must not be incompatible with the old state serializer",
    "Failed to rollback to checkpoint/savepoint",
    "is not compatible with the",
)

#: The rehearsal job's own settings over the spec's: its first failure is the answer
#: (no restarts); it checkpoints soon (no earlier than a second after it starts); its
#: checkpoints go when it is cancelled.
REHEARSAL_CONFIGURATION = {
    "restart-strategy.type": "none",
    "execution.checkpointing.interval": "1 s",
    "execution.checkpointing.min-pause": "1 s",
    "execution.checkpointing.externalized-checkpoint-retention": "DELETE_ON_CANCELLATION",
}


def refused_state(cause: str) -> bool:
    """Whether Flink's ``cause`` says the snapshot's state did not fit the new program."""
    return any(marker in cause for marker in REFUSAL_MARKERS)


@dataclass
class _Snapshot:
    """The live job's snapshot: where, what, when, its state in all and per vertex."""

    path: str
    kind: SnapshotKind
    at: str
    size: int | None = None
    by_vertex: dict[str, int] = field(default_factory=dict)
    taken: bool = False  # a savepoint the rehearsal took (disposed of afterwards)


@dataclass
class _Trace:
    """What a rehearsal saw so far, for its result whatever happens."""

    started: float = field(default_factory=time.monotonic)
    slots: int | None = None
    snapshot: _Snapshot | None = None
    job_id: str | None = None
    restore_seconds: float | None = None
    replaced: tuple[str, ...] = ()
    restored: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rehearser:
    """Rehearses changes: ``live`` is the target's cluster (the live job's), ``client``
    the rehearsal cluster (the same one by default), ``cluster`` its target's name;
    ``savepoint_dir`` where savepoints go when the spec names none."""

    live: FlinkClient
    client: FlinkClient
    settings: RehearseSettings
    cluster: str
    savepoint_dir: str | None = None
    progress: Progress = field(default=lambda job, what, elapsed: None)

    def rehearse(self, job: str, live_id: str, spec: JobSpec) -> Rehearsal:
        """Rehearse the update of ``job``, running as ``live_id``, to ``spec``'s SQL."""
        trace = _Trace()
        try:
            self._run(job, live_id, spec, trace)
            outcome, reason, cause = RehearsalOutcome.RESTORED, "", ""
        except RehearsalEnded as ended:
            outcome = RehearsalOutcome(ended.outcome)
            reason, cause = ended.reason, ended.root_cause
        finally:
            kept = self._clean_up(job, trace)
        return _result(trace, outcome, reason, cause, self.cluster, kept)

    def _run(self, job: str, live_id: str, spec: JobSpec, trace: _Trace) -> None:
        sql = rehearsal_sql(spec.name, spec.sql, f"flinkops-rehearsal-{live_id[:8]}")
        if sql.problem is not None:
            raise RehearsalEnded(RehearsalOutcome.SKIPPED, sql.problem)
        trace.replaced = sql.replaced
        live = self.live.job(live_id)
        trace.slots = spec.parallelism or live.parallelism or 1
        self._check_slots(trace.slots)
        trace.snapshot = self._snapshot(job, live_id, spec)
        deadline = time.monotonic() + self.settings.timeout
        trace.job_id = self._submit(spec, sql.statements, bool(sql.sinks), trace.snapshot)
        self._watch(job, trace, deadline)
        trace.restored, trace.dropped = _operators(
            live, self.client.job(trace.job_id), trace.snapshot.by_vertex
        )
        kept_from_sinks = [name for name in trace.dropped if not _sink_vertex(name)]
        if kept_from_sinks and not spec.allow_non_restored_state:
            raise RehearsalEnded(
                RehearsalOutcome.REFUSED,
                root_cause=(
                    f"the state of {', '.join(kept_from_sinks)} has no operator in the new "
                    "program: Flink refuses the savepoint without allowNonRestoredState"
                ),
            )

    def _check_slots(self, needed: int) -> None:
        overview = self.client.overview()
        if overview.slots_available < needed:
            raise RehearsalEnded(
                RehearsalOutcome.SKIPPED,
                f"the rehearsal needs {needed} task slot{'s' if needed > 1 else ''} and the "
                f"rehearsal cluster ({self.cluster}) has {overview.slots_available} free of "
                f"{overview.slots_total}",
            )

    def _snapshot(self, job: str, live_id: str, spec: JobSpec) -> _Snapshot:
        """A new savepoint of the running job (it runs on), or its newest retained
        checkpoint, with its state in all and per vertex."""
        if self.settings.snapshot is SnapshotKind.CHECKPOINT:
            latest = self.live.checkpoints(live_id).latest.completed
            if latest is None or not latest.external_path:
                raise RehearsalEnded(
                    RehearsalOutcome.SKIPPED,
                    "the running job has no retained checkpoint (--rehearse=savepoint takes a "
                    "savepoint instead)",
                )
            snap = _Snapshot(
                latest.external_path, SnapshotKind.CHECKPOINT,
                iso_ms(latest.latest_ack_timestamp) or utc_now(),
            )  # fmt: skip
            return self._sized(live_id, latest.id, snap)
        base = spec.savepoint_dir or self.savepoint_dir or self._default_savepoint_dir()
        target = f"{base.rstrip('/')}/rehearsals" if base else None
        self.progress(job, "taking a savepoint of the running job for the rehearsal", 0.0)
        try:
            path = self.live.wait_savepoint(live_id, self.live.trigger_savepoint(live_id, target))
        except FlinkError as exc:
            raise RehearsalEnded(
                RehearsalOutcome.FAILED, root_cause=f"the live job's savepoint failed: {exc}"
            ) from exc
        snap = _Snapshot(path, SnapshotKind.SAVEPOINT, utc_now(), taken=True)
        done = self.live.checkpoints(live_id).latest.savepoint
        return self._sized(live_id, done.id if done and done.external_path == path else None, snap)

    def _default_savepoint_dir(self) -> str | None:
        with contextlib.suppress(FlinkError):
            conf = self.live.jobmanager_config()
            return next((conf[k] for k in SAVEPOINT_DIR_KEYS if conf.get(k)), None)
        return None

    def _sized(self, live_id: str, checkpoint: int | None, snap: _Snapshot) -> _Snapshot:
        """``snap`` with its state size in all and per vertex, when Flink still has them."""
        if checkpoint is None:
            return snap
        with contextlib.suppress(FlinkError):
            details = self.live.get_json(f"/jobs/{live_id}/checkpoints/details/{checkpoint}")
            snap.size = _size(details)
            tasks = details.get("tasks") or {}
            snap.by_vertex = {v: _size(t) or 0 for v, t in tasks.items() if isinstance(t, dict)}
        return snap

    def _submit(
        self, spec: JobSpec, statements: tuple[str, ...], sinks: bool, snap: _Snapshot
    ) -> str:
        """The rehearsal job, from the snapshot; the replaced sinks' state may be left
        (allowNonRestoredState), which ``_run`` checks was theirs only."""
        try:
            return submit_sql(
                self.client,
                job_name=f"flinkops-rehearsal-{spec.name}",
                statements=list(statements),
                identity=None,
                parallelism=spec.parallelism,
                flink_configuration={**spec.flink_configuration, **REHEARSAL_CONFIGURATION},
                savepoint_path=snap.path,
                allow_non_restored_state=spec.allow_non_restored_state or sinks,
            )
        except FlinkError as exc:
            cause = rejection_of(exc).message
            outcome = RehearsalOutcome.REFUSED if refused_state(cause) else RehearsalOutcome.FAILED
            raise RehearsalEnded(outcome, root_cause=cause) from exc

    def _watch(self, job: str, trace: _Trace, deadline: float) -> None:
        """Until every task runs (the restore), then until a checkpoint completes."""
        assert trace.job_id is not None
        submitted = time.monotonic()
        for checkpoint in (False, True):
            left = deadline - time.monotonic()
            step = WaitHealthy(0.0, max(left, 0.0), until_checkpoint=checkpoint)
            try:
                wait_healthy(self.client, job, trace.job_id, step, progress=self.progress)
            except Unhealthy as exc:
                raise self._ended(trace.job_id, exc, checkpoint) from exc
            if not checkpoint:
                trace.restore_seconds = round(time.monotonic() - submitted, 1)
                restored = self.client.checkpoints(trace.job_id).latest.restored
                if restored is None:
                    raise RehearsalEnded(
                        RehearsalOutcome.FAILED, root_cause="Flink restored nothing"
                    )

    def _ended(self, job_id: str, exc: Unhealthy, checkpoint: bool) -> RehearsalEnded:
        """What an unhealthy rehearsal job means: refused or failed (Flink's cause), or
        not there in time (what it waited for)."""
        details = self.client.job(job_id)
        failed = details.state in TERMINAL or bool(self.client.exceptions(job_id).history)
        if failed:
            cause = exc.root_cause or str(exc)
            refused = refused_state(cause)
            return RehearsalEnded(
                RehearsalOutcome.REFUSED if refused else RehearsalOutcome.FAILED,
                root_cause=cause,
            )
        waited = "a completed checkpoint" if checkpoint else "every task to run"
        return RehearsalEnded(
            RehearsalOutcome.TIMEOUT,
            f"waited {self.settings.timeout:g}s for {waited} (the job was {details.state}"
            f"{_waiting(details)}); a longer --rehearse-timeout may let it finish",
        )

    def _clean_up(self, job: str, trace: _Trace) -> bool:
        """Cancel the rehearsal job and dispose of the savepoint it took (unless kept);
        whether the snapshot was kept. Best effort: what stays is named in the result."""
        if trace.job_id is not None:
            with contextlib.suppress(FlinkopsError, FlinkError):
                if self.client.job(trace.job_id).state not in TERMINAL:
                    self.client.cancel(trace.job_id)
                wait_state(
                    self.client, job, trace.job_id, TERMINAL, "cancelling the rehearsal", 60,
                    self.progress,
                )  # fmt: skip
        snap = trace.snapshot
        if snap is None or not snap.taken or self.settings.keep:
            return snap is not None and snap.taken
        try:
            self.live.dispose_savepoint(snap.path)
        except FlinkError:
            return True
        return False


def _operators(
    live: JobDetails, rehearsal: JobDetails, state: Mapping[str, int]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The live job's vertices whose snapshot holds state, those the rehearsal job has
    (restored) and those it has not (dropped), by name. Flink maps state by operator id,
    and a vertex's id is its first operator's, so a vertex of the same id took it."""
    ids = {v.id for v in rehearsal.vertices}
    stateful = [v for v in live.vertices if state.get(v.id, 0) > 0] if state else []
    restored = tuple(v.name for v in stateful if v.id in ids)
    dropped = tuple(v.name for v in stateful if v.id not in ids)
    if not state:  # the snapshot's details are gone: every vertex kept is restored
        restored = tuple(v.name for v in live.vertices if v.id in ids)
    return restored, dropped


#: Operators a replaced sink leaves behind in the live job's graph: its writers and
#: committers (the filesystem sink's, Kafka's transactional committer, Paimon's ...).
_SINK_WORDS = ("Sink", "Writer", "Committer", "ConstraintEnforcer", "TimestampInserter")


def _sink_vertex(name: str) -> bool:
    """Whether every operator of a vertex (``A -> B -> C``) belongs to a sink."""
    return all(any(w in op for w in _SINK_WORDS) for op in name.split(" -> "))


def _size(details: Mapping[str, Any]) -> int | None:
    value = details.get("state_size", details.get("checkpointed_size"))
    return int(value) if isinstance(value, int | float) else None


def _waiting(details: JobDetails) -> str:
    """``, tasks not running: A (INITIALIZING)``, or nothing."""
    slow = [f"{v.name} ({v.status})" for v in details.vertices if v.status != "RUNNING"]
    return f", tasks not running: {'; '.join(slow)}" if slow else ""


def _result(
    trace: _Trace,
    outcome: RehearsalOutcome,
    reason: str,
    cause: str,
    cluster: str,
    kept: bool,
) -> Rehearsal:
    snap = trace.snapshot
    return Rehearsal(
        outcome=outcome,
        reason=reason,
        snapshot=snap.path if snap else None,
        snapshot_kind=snap.kind if snap else None,
        snapshot_at=snap.at if snap else "",
        cluster=cluster,
        job_id=trace.job_id,
        slots=trace.slots,
        restore_seconds=trace.restore_seconds,
        seconds=round(time.monotonic() - trace.started, 1),
        state_size=snap.size if snap else None,
        restored=trace.restored,
        dropped=trace.dropped,
        replaced=trace.replaced,
        root_cause=cause,
        kept=kept,
    )
