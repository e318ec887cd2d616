"""`flinkops show JOB`: one job as a console's job page shows it, as JSON then text.

``find_runs`` resolves a job name (or a Flink job id) to its runs on the
cluster (``find_job`` also to the active jobs of that name whose identity could
not be read, see ``flinkops.flink.live``); ``collect_show`` reads the details (vertices
with rates, back pressure and watermarks, checkpoints, exceptions) and what the
store knows (versions, savepoints, events). A job that is not running still
shows the store's side.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flinkops.errors import FlinkError, FlinkUnreachable
from flinkops.flink.live import JobRuns, LiveJob, Ownership, Scope, read_jobs, runs_of
from flinkops.flink.models import CheckpointRef, Checkpoints, JobDetails
from flinkops.flink.rest import FlinkClient
from flinkops.ops._optional import optional
from flinkops.ops._rest import backpressure, checkpoint_config, vertex_metrics, watermarks
from flinkops.ops._status import current_state
from flinkops.ops._versions import version_view
from flinkops.plan import next_restore
from flinkops.plan.rescale import in_place_versions
from flinkops.spec import JobSpec
from flinkops.store import RUNNING_OUTCOMES, Store, VersionRecord

__all__ = ["checkpoints_json", "collect_show", "find_job", "find_runs", "web_ui_url"]

_RATES = ["numRecordsInPerSecond", "numRecordsOutPerSecond", "numBytesInPerSecond",
          "numBytesOutPerSecond"]  # fmt: skip


def web_ui_url(url: str, job_id: str, active: bool) -> str:
    """The Flink Web UI page of a job."""
    return f"{url.rstrip('/')}/#/job/{'running' if active else 'completed'}/{job_id}/overview"


def find_job(
    client: FlinkClient, target: str | Scope, name: str, store: Store | None = None
) -> JobRuns:
    """Job ``name``'s runs on ``target`` (or the job with that id), and the active jobs
    of that name whose identity could not be read. ``target``: the project's ``Scope``
    (another project's job of that name is not its), or a target's name. With
    ``store``, also the job whose id its running version recorded: a job adopted by
    `flinkops import` carries no identity and may have another Flink job name
    (``in_place_versions``)."""
    jobs = read_jobs(client, target, name_or_id=name)
    where = target.target if isinstance(target, Scope) else target
    placed = _running_version(store, where, name) if store is not None else None
    if placed is not None:
        if placed.job_id and all(j.job_id != placed.job_id for j in jobs):
            jobs += read_jobs(client, target, name_or_id=placed.job_id)
        jobs = in_place_versions(jobs, {name: placed})
    return runs_of(jobs, name)


def _running_version(store: Store, target: str, name: str) -> VersionRecord | None:
    """The newest version of ``name`` whose job runs it (applied or adopted)."""
    versions = store.versions(target, name)
    return next((v for v in reversed(versions) if v.outcome in RUNNING_OUTCOMES), None)


def find_runs(
    client: FlinkClient, target: str, name: str, store: Store | None = None
) -> list[LiveJob]:
    """The cluster's runs of managed job ``name`` on ``target`` (or the job with that id)."""
    return list(find_job(client, target, name, store).runs)


def _vertex(client: FlinkClient, job_id: str, v: Any, now_ms: int, active: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": v.id,
        "name": v.name,
        "parallelism": v.parallelism,
        "status": v.status,
        "records_in": v.read_records,
        "records_out": v.write_records,
        "bytes_in": v.read_bytes,
        "bytes_out": v.write_bytes,
        "records_in_per_second": None,
        "records_out_per_second": None,
        "bytes_in_per_second": None,
        "bytes_out_per_second": None,
        "backpressure": None,
        "backpressure_ratio": None,
        "busy_ratio": None,
        "watermark": None,
        "watermark_lag_ms": None,
    }
    if not active:
        return out
    rates = optional(lambda: vertex_metrics(client, job_id, v.id, _RATES))
    if rates is not None:
        out["records_in_per_second"] = rates.get("numRecordsInPerSecond")
        out["records_out_per_second"] = rates.get("numRecordsOutPerSecond")
        out["bytes_in_per_second"] = rates.get("numBytesInPerSecond")
        out["bytes_out_per_second"] = rates.get("numBytesOutPerSecond")
    bp = optional(lambda: backpressure(client, job_id, v.id))
    if bp is not None:
        out["backpressure"] = bp["level"]
        out["backpressure_ratio"] = bp["max_ratio"]
        out["busy_ratio"] = bp["max_busy_ratio"]
    wm = optional(lambda: watermarks(client, job_id, v.id))
    if wm is not None:
        out["watermark"] = wm
        out["watermark_lag_ms"] = max(0, now_ms - wm)
    return out


def _enabled(interval: Any) -> bool:
    """Flink reports checkpointing switched off as an interval of Long.MAX_VALUE."""
    return isinstance(interval, int) and 0 < interval < 2**62


def _ref(ref: CheckpointRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    return {
        "id": ref.id,
        "status": ref.status,
        "is_savepoint": ref.is_savepoint,
        "path": ref.external_path,
        "trigger_timestamp": ref.trigger_timestamp,
        "latest_ack_timestamp": ref.latest_ack_timestamp,
        "restore_timestamp": ref.restore_timestamp,
        "state_size": ref.state_size,
        "duration_ms": ref.end_to_end_duration,
        "type": ref.checkpoint_type,
        "failure_message": ref.failure_message,
    }


def checkpoints_json(cp: Checkpoints, limit: int = 10) -> dict[str, Any]:
    """Counts, the latest of each kind (with the one it restored from), recent history."""
    return {
        "counts": dict(cp.counts),
        "latest_completed": _ref(cp.latest.completed),
        "latest_savepoint": _ref(cp.latest.savepoint),
        "latest_failed": _ref(cp.latest.failed),
        "restored_from": _ref(cp.latest.restored),
        "history": [_ref(h) for h in cp.history[:limit]],
    }


def _exceptions(client: FlinkClient, job_id: str, limit: int = 10) -> dict[str, Any]:
    exc = client.exceptions(job_id, max_exceptions=limit)
    return {
        "root_cause": exc.root_cause or None,
        "root_exception": exc.root_exception,
        "history": [
            {
                "timestamp": e.timestamp,
                "exception": e.exception_name,
                "root_cause": e.root_cause,
                "task": e.task_name,
                "location": e.location,
            }
            for e in exc.history[:limit]
        ],
        "truncated": exc.truncated,
    }


def _lineage(sql: str | None, name: str) -> dict[str, Any] | None:
    if not sql:
        return None
    try:
        from flinkops.sql.lineage import lineage_of_sql

        return lineage_of_sql(sql, name).to_json()
    except Exception:  # lineage is advisory: show never fails on it
        return None


def _checkpoint_config(conf: dict[str, Any] | None) -> dict[str, Any] | None:
    """The checkpoint configuration show reports; None when Flink reports none."""
    if not conf:
        return None
    enabled = _enabled(conf.get("interval"))
    return {
        "mode": conf.get("mode"),
        "enabled": enabled,
        "interval_ms": conf.get("interval") if enabled else None,
        "timeout_ms": conf.get("timeout"),
        "state_backend": conf.get("state_backend"),
        "unaligned": conf.get("unaligned_checkpoints"),
        "tolerable_failures": conf.get("tolerable_failed_checkpoints"),
    }


def _live_details(
    client: FlinkClient, run: LiveJob, now_ms: int, redact: Callable[[Any], Any]
) -> dict[str, Any]:
    """The run's details, vertices and checkpoints; a part Flink will not give is None."""
    job_id = run.job_id
    details: JobDetails = client.job(job_id)
    with ThreadPoolExecutor(max_workers=4) as pool:
        vertices = list(
            pool.map(lambda v: _vertex(client, job_id, v, now_ms, run.active), details.vertices)
        )
    execution_config = optional(lambda: redact(client.job_config(job_id).execution_config))
    checkpoints = optional(lambda: checkpoints_json(client.checkpoints(job_id)))
    conf = optional(lambda: checkpoint_config(client, job_id))
    exceptions = optional(lambda: redact(_exceptions(client, job_id)))
    return {
        "job_id": job_id,
        "name": details.name,
        "flink_state": details.state,
        "job_type": details.job_type,
        "start_time": details.start_time,
        "end_time": details.end_time,
        "duration_ms": details.duration,
        "parallelism": details.parallelism,
        "vertices": vertices,
        "checkpoints": checkpoints,
        "checkpoint_config": _checkpoint_config(conf),
        "exceptions": exceptions,
        "execution_config": execution_config,
    }


def _message(
    job: str, target: str, current: str, running: bool, unreachable: Exception | None
) -> str | None:
    if unreachable is not None:
        return f"the cluster did not answer ({unreachable}); what flinkops recorded is shown"
    if running:
        return None
    return (
        f"job {job!r} is not running on {target!r} ({current.lower()}); "
        "what flinkops recorded is shown"
    )


def _unidentified(found: JobRuns) -> list[dict[str, Any]]:
    return [
        {
            "job_id": j.job_id,
            "flink_state": j.state,
            "start_time": j.start_time,
            "identity_error": j.identity_error,
        }
        for j in found.unidentified
    ]


def _runs_json(found: JobRuns, run: LiveJob | None) -> list[dict[str, Any]]:
    return [
        {"job_id": r.job_id, "flink_state": r.state, "start_time": r.start_time}
        for r in sorted(found.runs, key=lambda r: r.start_time or 0, reverse=True)
        if run is None or r.job_id != run.job_id
    ]


def _find(
    client: FlinkClient, target: str | Scope, name: str, store: Store
) -> tuple[JobRuns, FlinkUnreachable | None]:
    """The job's runs; none, and why, when the cluster does not answer (the store still does)."""
    try:
        return find_job(client, target, name, store), None
    except FlinkUnreachable as exc:
        return JobRuns(name), exc


def _in_sync(
    spec: JobSpec | None, run: LiveJob | None, current: str, reachable: bool
) -> bool | None:
    """Whether the spec's job runs as written; None when the spec does not want it
    running or its state is unknown."""
    if spec is None or spec.state != "running" or not reachable or current == "UNKNOWN":
        return None
    return bool(
        run is not None
        and run.active
        and run.ownership is Ownership.MANAGED
        and run.spec_hash == spec.spec_hash
    )


def _recorded(
    store: Store,
    target: str,
    job: str,
    versions: list[VersionRecord],
    spec: JobSpec | None,
    run: LiveJob | None,
    redact: Callable[[Any], Any],
    events: int,
) -> dict[str, Any]:
    """What the store knows of the job: versions, savepoints, the next restore, events."""
    latest = versions[-1] if versions else None
    return {
        "versions": [v.to_json() for v in versions],
        "savepoints": [s.to_json() for s in store.savepoints(target, job)[:10]],
        "next_restore": next_restore(spec, run, latest, store.latest_savepoint(target, job)),
        "events": [redact(e.to_json()) for e in store.events(target, job, events)],
    }


def collect_show(
    client: FlinkClient,
    store: Store,
    *,
    target: str,
    url: str,
    name: str,
    spec: JobSpec | None,
    redact: Callable[[Any], Any],
    events: int = 10,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """Everything known about job ``name`` (a spec name or a Flink job id). Never changes it.
    ``scope``: the project's (``Workspace.scope``); another project's job is not its.

    Raises FlinkError when neither the specs, the store nor the cluster know the job.
    """
    found, unreachable = _find(client, scope or target, name, store)
    job, run = found.name, found.newest
    versions = store.versions(target, job)
    latest = versions[-1] if versions else None
    if spec is None and run is None and latest is None and not found.unidentified:
        raise FlinkError(
            f"no job {name!r} on target {target!r}: no spec, no recorded version and no job "
            f"with that name or id on {url}; `flinkops status` lists the jobs"
        )
    moving = any(t.job == job for t in store.open_transitions(target))
    applied = next((v for v in reversed(versions) if v.outcome in RUNNING_OUTCOMES), None)
    if run is not None and applied is not None:  # rescaled in place, or adopted: the store speaks
        run = in_place_versions([run], {job: applied})[0]
    current = "UNKNOWN" if unreachable else current_state(run, latest, moving, found.unidentified)
    running = run is not None and run.active
    sql = (applied.sql if applied else None) or (spec.sql if spec else None)
    return {
        "name": job,
        "target": target,
        "managed": run is None or run.ownership is Ownership.MANAGED,
        "ownership": run.ownership.value if run else None,
        "desired": spec.state if spec else None,
        "current": current,
        "running": running,
        "message": _message(job, target, current, running, unreachable),
        **version_view(run, versions, spec).to_json(),
        "spec_hash": spec.spec_hash if spec else None,
        "live_spec_hash": run.spec_hash if run else None,
        "in_sync": _in_sync(spec, run, current, unreachable is None),
        "reachable": unreachable is None,
        "web_ui": web_ui_url(url, run.job_id, running) if run else None,
        "configuration": redact(applied.spec) if applied else None,
        "live": _live_details(client, run, int(time.time() * 1000), redact) if run else None,
        "previous_runs": _runs_json(found, run),
        "unidentified": _unidentified(found),
        **_recorded(store, target, job, versions, spec, run, redact, events),
        "lineage": _lineage(sql, job),
    }
