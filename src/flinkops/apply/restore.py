"""`flinkops restore JOB --from ...`: restart the job's current spec from a chosen snapshot.

``resolve_snapshot`` turns what the user wrote into a path (I/O: the cluster's
checkpoint history, the local filesystem); ``restore_change`` (pure) builds the
change apply runs: a new version of the same spec, submitted from that path through
the journaled steps of any transition (cancel the running job, keeping its latest
checkpoint to roll back to; submit; wait healthy; record). The version record's
``restored_from`` names the snapshot, and Flink's ``latest.restored`` shows it.
``restore_plan`` reads what the change needs (the job's newest run, the store's
versions) and builds the one-change plan the command applies.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from flinkops.errors import FlinkError, PlanError
from flinkops.flink.live import LiveJob, Scope, latest_checkpoint, require_identities
from flinkops.flink.rest import FlinkClient
from flinkops.ops import find_job
from flinkops.plan import Action, Change, Plan, StateImpact, next_version
from flinkops.plan.builder import held_back, held_downgrade
from flinkops.plan.observe import applied_from_store, behind_of
from flinkops.plan.steps import Cancel, Step, Submit, spec_steps
from flinkops.savepoints import local_path
from flinkops.spec import JobSpec
from flinkops.store import Store

__all__ = [
    "LATEST_CHECKPOINT",
    "Snapshot",
    "resolve_snapshot",
    "restorable_spec",
    "restore_change",
    "restore_plan",
]

LATEST_CHECKPOINT = "latest-checkpoint"


@dataclass(frozen=True)
class Snapshot:
    """The snapshot a restore starts from: its path, and how it was chosen."""

    path: str
    chosen: str  # "path", "latest checkpoint of <job id>", "checkpoint 12 of <job id>"

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "chosen": self.chosen}


def resolve_snapshot(client: FlinkClient, job: str, run: LiveJob | None, source: str) -> Snapshot:
    """``source`` is a path (file://, s3://, /abs), ``latest-checkpoint`` or a checkpoint
    id from the job's newest run (as `flinkops show` lists them). PlanError, saying what
    exists, when it names nothing restorable."""
    if source == LATEST_CHECKPOINT or source.isdigit():
        if run is None:
            raise PlanError(f"{job} has no run on the cluster to take a checkpoint from")
        try:
            cps = client.checkpoints(run.job_id)
        except FlinkError as exc:
            raise PlanError(f"{job}: cannot read the checkpoints of {run.job_id}: {exc}") from exc
        if source == LATEST_CHECKPOINT:
            done = cps.latest.completed
            if done is None or not done.external_path:
                raise PlanError(
                    f"{job}: job {run.job_id} has no completed checkpoint "
                    "(is checkpointing on? execution.checkpointing.interval)"
                )
            return _checked(Snapshot(done.external_path, f"latest checkpoint of {run.job_id}"))
        wanted = int(source)
        found = [c for c in cps.history if c.id == wanted and c.external_path]
        if cps.latest.completed and cps.latest.completed.id == wanted:
            found.append(cps.latest.completed)
        if not found or found[0].status != "COMPLETED":
            listed = ", ".join(str(c.id) for c in cps.history if c.status == "COMPLETED")
            raise PlanError(
                f"{job}: checkpoint {wanted} of {run.job_id} is not a completed one "
                f"(completed: {listed or 'none'}); or pass its path"
            )
        path = found[0].external_path
        assert path is not None
        return _checked(Snapshot(path, f"checkpoint {wanted} of {run.job_id}"))
    return _checked(Snapshot(source, "path"))


def _checked(snap: Snapshot) -> Snapshot:
    """A local snapshot must still hold its ``_metadata`` (Flink may have subsumed it)."""
    local = local_path(snap.path)
    if local is not None and not (local / "_metadata").is_file() and not local.is_file():
        raise PlanError(
            f"no snapshot at {snap.path} (no _metadata there; Flink keeps only the "
            "latest retained checkpoints, see execution.checkpointing.num-retained)"
        )
    return snap


def _written_by(
    client: FlinkClient, store: Store, target: str, job: str, path: str
) -> tuple[str | None, str]:
    """The Flink version the store recorded as having written the snapshot at ``path``
    (None: not recorded), and the cluster's (empty when it cannot be read)."""
    written = next((s for s in store.savepoints(target, job) if s.location == path), None)
    if written is None or not written.flink_version:
        return None, ""
    try:
        return written.flink_version, client.version()
    except FlinkError:
        return None, ""


def restore_change(
    spec: JobSpec,
    *,
    live: LiveJob | None,
    applied_version: int | None,
    version: int,
    snapshot: Snapshot,
    keep_checkpoint: bool,
    default_savepoint_dir: str | None = None,
) -> Change:
    """The change that restarts ``spec`` as ``version`` from ``snapshot``. Pure.

    A running job is cancelled first (``keep_checkpoint``: remembering its latest
    checkpoint, which a failed restore rolls back to); a stop-with-savepoint would
    end the job FINISHED, and Flink discards retained checkpoints then.
    """
    active = live if live is not None and live.active else None
    change = Change(
        job=spec.name,
        action=Action.RESTART,
        state=StateImpact.PRESERVED,
        reason=f"restore requested from {snapshot.chosen}",
        state_reasons=(f"restored from {snapshot.path}",),
        upgrade_mode=spec.upgrade_mode,
        restore_from=snapshot.path,
        spec_hash=spec.spec_hash,
        version=version,
        live=live,
        applied_version=applied_version,
    )
    create = spec_steps(
        replace(change, action=Action.CREATE, live=None), spec, default_savepoint_dir
    )
    steps: list[Step] = [Cancel(active.job_id, keep_checkpoint)] if active else []
    steps += [replace(s, restore=snapshot.path) if isinstance(s, Submit) else s for s in create]
    return replace(change, steps=tuple(steps))


def restorable_spec(spec: JobSpec | None, job: str, target: str) -> JobSpec:
    """``spec``, the job's spec on ``target``; PlanError when it has none."""
    if spec is None:
        raise PlanError(f"{job} has no spec on target {target}; `flinkops status` lists jobs")
    return spec


def restore_plan(
    client: FlinkClient,
    store: Store,
    *,
    target: str | Scope,
    url: str,
    spec: JobSpec,
    source: str,
    checkout: Path | None = None,
    allow_behind: bool = False,
) -> Plan:
    """The plan that restarts ``spec`` from ``source`` (as ``resolve_snapshot`` reads
    it): one change, numbered after every version the store or the cluster knows;
    blocked, as a plan's change would be, when ``checkout`` lacks the commit of the
    job's newest transition (``plan.builder.held_back``), unless ``allow_behind``, or
    when the snapshot was written by a newer Flink than the cluster runs
    (``plan.builder.held_downgrade``). ``target``: the project's ``Scope`` (its jobs
    only), or a target's name."""
    job = spec.name
    scope = target if isinstance(target, Scope) else Scope(target)
    found = find_job(client, scope, job, store)  # an adopted job, too (by its recorded id)
    require_identities(found.unidentified, scope)
    run = found.newest
    target = scope.target
    snapshot = resolve_snapshot(client, job, run, source)
    applied = applied_from_store(store, target, job)
    newest = store.latest_version(target, job, outcome=None)
    active = run if run is not None and run.active else None
    change = restore_change(
        spec,
        live=run,
        applied_version=applied.version if applied else None,
        version=next_version(newest.version if newest else None, run.version if run else None),
        snapshot=snapshot,
        keep_checkpoint=active is not None and latest_checkpoint(client, active.job_id) is not None,
    )
    written_by, running = _written_by(client, store, target, job, snapshot.path)
    change = held_downgrade(change, written_by, running, doing="restore")
    if checkout is not None:
        change = held_back(change, behind_of(store, target, checkout).get(job), allow_behind)
    return Plan(target=target, url=url, changes=(change,))
