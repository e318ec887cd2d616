"""`flinkops savepoint JOB`: a savepoint of a running job (`logs` is ``ops/_logs.py``).

A savepoint leaves the job running and is recorded in the store (kind
``manual``) so ``show`` lists it and a later resume can use it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flinkops.errors import FlinkError
from flinkops.flink.live import LiveJob, Ownership, Scope
from flinkops.flink.rest import FlinkClient
from flinkops.ops._optional import optional
from flinkops.ops._show import find_job
from flinkops.spec import JobSpec
from flinkops.store import Store

__all__ = ["take_savepoint"]


def _active_run(
    client: FlinkClient, store: Store, target: str, name: str, scope: Scope | None
) -> LiveJob:
    found = find_job(client, scope or target, name, store)
    run = found.newest
    if run is not None and run.ownership is Ownership.OTHER_PROJECT:
        owner = f"project {run.identity_project!r}" if run.identity_project else "another project"
        raise FlinkError(
            f"job {name!r} ({run.job_id}) is {owner}'s, not this project's: flinkops "
            "leaves it alone"
        )
    if run is not None and run.active:
        return run
    if found.unidentified:
        job = found.unidentified[0]
        raise FlinkError(
            f"job {name!r} may be running on target {target!r} as {job.job_id} ({job.state}), "
            f"but that job's identity could not be read: {job.identity_error}; "
            "try again when the cluster answers"
        )
    raise FlinkError(
        f"job {name!r} is not running on target {target!r} ({client.base_url}); "
        "`flinkops status` shows its state"
    )


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
    kind: str = "manual",
    scope: Scope | None = None,
) -> dict[str, Any]:
    """Trigger a savepoint of the running job ``name`` (it keeps running); record it.

    ``directory`` defaults to the spec's savepointDir, else the cluster's default.
    ``kind`` is its origin in the store: ``manual``, or ``scheduled`` for a schedule's.
    ``scope``: the project's (another project's job of that name is not its). The
    savepoint is recorded with the Flink version that wrote it.
    Returns ``{"job", "job_id", "version", "location"}``.
    """
    run = _active_run(client, store, target, name, scope)
    job = run.managed_name or name
    version = run.version
    directory = directory or (spec.savepoint_dir if spec else None)
    trigger = client.trigger_savepoint(run.job_id, directory)
    location = client.wait_savepoint(run.job_id, trigger, timeout=timeout, on_progress=on_progress)
    store.record_savepoint(
        target,
        job,
        location,
        kind=kind,
        job_id=run.job_id,
        version=version,
        flink_version=optional(client.version) or None,
    )
    by = "the savepoint schedule" if kind == "scheduled" else "`flinkops savepoint`"
    store.add_event(
        target,
        job,
        "savepoint",
        f"savepoint taken by {by}: {location}",
        details={"job_id": run.job_id, "version": version, "location": location},
    )
    return {"job": job, "job_id": run.job_id, "version": version, "location": location}
