"""`flinkops savepoint JOB` and `flinkops logs JOB`: the two ops that talk to a running job.

A savepoint leaves the job running and is recorded in the store (kind
``manual``) so ``show`` lists it and a later resume can use it. Logs are the
files Flink's JobManager and TaskManagers serve.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flinkops.errors import FlinkError
from flinkops.flink.rest import FlinkClient
from flinkops.ops._show import find_runs
from flinkops.ops._status import LiveRow
from flinkops.spec import JobSpec
from flinkops.store import Store

__all__ = ["job_logs", "take_savepoint"]


def _active_run(client: FlinkClient, target: str, name: str) -> LiveRow:
    runs = [r for r in find_runs(client, target, name) if r.active]
    if not runs:
        raise FlinkError(
            f"job {name!r} is not running on target {target!r} ({client.base_url}); "
            "`flinkops status` shows its state"
        )
    return max(runs, key=lambda r: r.job.summary.start_time or 0)


def take_savepoint(
    client: FlinkClient,
    store: Store,
    *,
    target: str,
    name: str,
    spec: JobSpec | None,
    directory: str | None = None,
    timeout: float = 300.0,
    on_progress: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Trigger a savepoint of the running job ``name`` (it keeps running); record it.

    ``directory`` defaults to the spec's savepointDir, else the cluster's default.
    Returns ``{"job", "job_id", "version", "location"}``.
    """
    run = _active_run(client, target, name)
    ident = run.identity if run.identity and run.identity.target == target else None
    job = ident.name if ident else name
    version = ident.version if ident else None
    directory = directory or (spec.savepoint_dir if spec else None)
    trigger = client.trigger_savepoint(run.id, directory)
    location = client.wait_savepoint(run.id, trigger, timeout=timeout, on_progress=on_progress)
    store.record_savepoint(target, job, location, kind="manual", job_id=run.id, version=version)
    store.add_event(
        target,
        job,
        "savepoint",
        f"savepoint taken by `flinkops savepoint`: {location}",
        details={"job_id": run.id, "version": version, "location": location},
    )
    return {"job": job, "job_id": run.id, "version": version, "location": location}


def job_logs(
    client: FlinkClient,
    *,
    target: str,
    name: str,
    taskmanager: str | None = None,
    tail: int | None = 200,
) -> dict[str, Any]:
    """The JobManager's log (or TaskManager ``taskmanager``'s) as Flink serves it.

    ``name`` must be a job the cluster knows (its id is printed so the log can
    be searched for it). ``taskmanager`` may be an id or a unique prefix of one.
    """
    runs = find_runs(client, target, name)
    if not runs:
        raise FlinkError(
            f"no job {name!r} on target {target!r} ({client.base_url}); "
            "`flinkops status` lists the jobs"
        )
    job_ids = [r.id for r in runs]
    if taskmanager is None:
        return {
            "source": "jobmanager",
            "job_ids": job_ids,
            "text": client.jobmanager_log(tail=tail),
        }
    tms = client.taskmanagers()
    matches = [t for t in tms if t.id == taskmanager] or [
        t for t in tms if t.id.startswith(taskmanager)
    ]
    if len(matches) != 1:
        known = ", ".join(t.id for t in tms) or "none"
        raise FlinkError(
            f"no single TaskManager {taskmanager!r} on {client.base_url} (TaskManagers: {known})"
        )
    tm = matches[0]
    return {
        "source": f"taskmanager {tm.id}",
        "job_ids": job_ids,
        "text": client.taskmanager_log(tm.id, tail=tail),
    }
