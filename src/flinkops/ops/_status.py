"""`flinkops status`: desired vs current state of every job on a target, console-style.

``collect_status`` does the reading (the jobs through ``flinkops.flink.live.read_jobs``:
one ``/jobs/overview``, one ``/config`` per job for flinkops's identity; then for each
active managed job its checkpoints and ``numRestarts``, at most ``max_workers`` at a
time). ``build_status`` is pure: it turns what was read into the JSON form
``--format json`` prints (docs/ops-json.md); ``render_status`` draws the text form
from that JSON. An active job whose identity could not be read is listed as
unidentified, and the job of its name is UNKNOWN (see ``flinkops.flink.live``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from flinkops.errors import FlinkUnreachable
from flinkops.flink.live import (
    JobRuns,
    LiveJob,
    Ownership,
    Scope,
    newest_run,
    read_jobs,
    runs_by_name,
)
from flinkops.flink.rest import FlinkClient
from flinkops.ops._alerts import firing_alerts, with_alerts
from flinkops.ops._optional import optional
from flinkops.ops._rest import job_metrics, plan_type
from flinkops.ops._versions import version_view
from flinkops.plan import next_restore
from flinkops.plan.rescale import adopted_runs, in_place_versions
from flinkops.plan.scope import project_scope
from flinkops.spec import JobSpec
from flinkops.store import Outcome, SavepointRecord, Store, VersionRecord

__all__ = [
    "COUNT_KEYS",
    "CURRENT_STATES",
    "LiveRow",
    "build_status",
    "collect_status",
    "current_state",
    "filter_status",
    "newest_run",
]

#: The cards: totals, then current states.
COUNT_KEYS = (
    "total",
    "batch",
    "streaming",
    "RUNNING",
    "CANCELED",
    "FAILED",
    "RESTARTING",
    "FINISHED",
    "UNKNOWN",
)
CURRENT_STATES = (
    "RUNNING",
    "RESTARTING",
    "FAILED",
    "FINISHED",
    "CANCELED",
    "SUSPENDED",
    "TRANSITIONING",
    "UNKNOWN",
    "NOT_DEPLOYED",
)
# Flink's job state -> the current state flinkops shows.
_FROM_FLINK = {
    "CREATED": "RUNNING",
    "INITIALIZING": "RUNNING",
    "RECONCILING": "RUNNING",
    "RUNNING": "RUNNING",
    "RESTARTING": "RESTARTING",
    "FAILING": "RESTARTING",
    "CANCELLING": "CANCELED",
    "CANCELED": "CANCELED",
    "FAILED": "FAILED",
    "FINISHED": "FINISHED",
    "SUSPENDED": "SUSPENDED",
}


#: The live job the ops views read: one read model with plan and apply (flinkops.flink.live).
LiveRow = LiveJob


def current_state(
    run: LiveJob | None,
    latest: VersionRecord | None,
    transitioning: bool,
    unidentified: Sequence[LiveJob] = (),
) -> str:
    """What a managed job is now (see CURRENT_STATES). Pure.

    ``unidentified``: active jobs of the job's name whose identity could not be read;
    with no active run of its own, the job may be one of them: UNKNOWN.
    """
    if transitioning:
        return "TRANSITIONING"
    if unidentified and not (run is not None and run.active):
        return "UNKNOWN"
    if run is not None and run.active:
        return _FROM_FLINK.get(run.state, run.state)
    if latest is not None and latest.outcome == Outcome.SUSPENDED:
        return "SUSPENDED"
    if latest is not None and latest.outcome in (Outcome.CANCELLED, Outcome.DELETED):
        return "CANCELED"
    if run is not None:
        return _FROM_FLINK.get(run.state, run.state)
    return "NOT_DEPLOYED"


def _in_sync(spec: JobSpec | None, run: LiveJob | None) -> bool:
    if spec is None:
        return False  # live or recorded, but no spec wants it any more
    if spec.state == "running":
        return run is not None and run.active and run.spec_hash == spec.spec_hash
    # suspended or cancelled: nothing may run (a never-started suspended job is in sync too)
    return not (run is not None and run.active)


def _age(now_ms: int, at_ms: int | None) -> int | None:
    return max(0, now_ms - at_ms) if at_ms else None


def _iso_ms(iso: str | None) -> int | None:
    if not iso:
        return None
    from datetime import datetime

    try:
        return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def _count(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(COUNT_KEYS, 0)
    for row in rows:
        counts["total"] += 1
        kind = (row.get("job_type") or "").lower()
        if kind in ("batch", "streaming"):
            counts[kind] += 1
        if row["current"] in counts:
            counts[row["current"]] += 1
    return counts


def _row(
    name: str,
    spec: JobSpec | None,
    run: LiveJob | None,
    versions: Sequence[VersionRecord],
    sp: SavepointRecord | None,
    now_ms: int,
) -> dict[str, Any]:
    """One managed job's row; current, in_sync and the health fields are filled by the caller."""
    active = run is not None and run.active
    return {
        "name": name,
        "labels": dict(spec.labels) if spec else {},
        "desired": spec.state if spec else None,
        "current": None,
        "flink_state": run.state if run else None,
        "in_sync": None,
        **version_view(run, versions, spec).to_json(),
        "spec_hash": spec.spec_hash if spec else None,
        "live_spec_hash": run.spec_hash if run else None,
        "job_id": run.job_id if run else None,
        "job_type": run.job_type if run else None,
        "start_time": run.start_time if run else None,
        "uptime_ms": _age(now_ms, run.start_time) if run and active else None,
        "restarts": None,
        "last_checkpoint_age_ms": None,
        "last_savepoint": sp.to_json() if sp else None,
        "last_savepoint_age_ms": _age(now_ms, _iso_ms(sp.created_at)) if sp else None,
        "next_restore": next_restore(spec, run, versions[-1] if versions else None, sp),
        "reason": None,
        "unidentified_job_ids": [],
    }


def _other(job: LiveJob, now_ms: int) -> dict[str, Any]:
    """A row of ``unmanaged`` or ``unidentified``: a job no managed row speaks for."""
    out = {
        "name": job.name,
        "job_id": job.job_id,
        "current": _FROM_FLINK.get(job.state, job.state),
        "flink_state": job.state,
        "job_type": job.job_type,
        "start_time": job.start_time,
        "uptime_ms": _age(now_ms, job.start_time) if job.active else None,
        "duration_ms": job.duration,
    }
    if job.ownership is Ownership.UNKNOWN:
        out["identity_error"] = job.identity_error
    if job.ownership is Ownership.OTHER_PROJECT:
        out["project"] = job.identity_project  # "" : submitted before projects had ids
    return out


@dataclass(frozen=True)
class _Seen:
    """What every managed row is built against, besides its own job's runs and versions."""

    now_ms: int
    moving: frozenset[str]
    savepoints: Mapping[str, SavepointRecord]
    restarts: Mapping[str, int]
    checkpoint_acks: Mapping[str, int | None]
    reachable: bool
    error: str | None


def _job_row(
    name: str,
    spec: JobSpec | None,
    found: JobRuns,
    version: VersionRecord | None,
    history: Sequence[VersionRecord],
    seen: _Seen,
) -> dict[str, Any] | None:
    """A managed job's row (``version`` its newest stored one, ``history`` all of them);
    None for a pruned job whose last run the cluster just still lists."""
    run = found.newest
    pruned = spec is None and version is not None and version.outcome == Outcome.DELETED
    if pruned and (run is None or not run.active) and not found.unidentified:
        return None
    row = _row(name, spec, run, history, seen.savepoints.get(name), seen.now_ms)
    row["unidentified_job_ids"] = [j.job_id for j in found.unidentified]
    if seen.reachable:
        row["current"] = current_state(run, version, name in seen.moving, found.unidentified)
        row["in_sync"] = None if row["current"] == "UNKNOWN" else _in_sync(spec, run)
    else:
        row["current"], row["in_sync"], row["reason"] = "UNKNOWN", None, seen.error
    if run is not None and run.active:
        row["restarts"] = seen.restarts.get(run.job_id)
        row["last_checkpoint_age_ms"] = _age(seen.now_ms, seen.checkpoint_acks.get(run.job_id))
    return row


def _managed_rows(
    specs: Sequence[JobSpec],
    live: Sequence[LiveJob],
    latest: Mapping[str, VersionRecord],
    versions: Mapping[str, Sequence[VersionRecord]],
    seen: _Seen,
) -> list[dict[str, Any]]:
    """A row per job a spec, the cluster or the store knows (not deleted), by name."""
    by_spec = {s.name: s for s in specs}
    names = set(by_spec) | {j.managed_name for j in live if j.managed_name}
    names |= {n for n, v in latest.items() if v.outcome != Outcome.DELETED}
    grouped = runs_by_name(live)
    jobs: list[dict[str, Any]] = []
    for name in sorted(names):
        version = latest.get(name)
        history = versions.get(name) or ([version] if version else [])
        found = grouped.get(name) or JobRuns(name)
        row = _job_row(name, by_spec.get(name), found, version, history, seen)
        if row is not None:
            jobs.append(row)
    return jobs


def build_status(
    *,
    target: str,
    url: str,
    specs: Sequence[JobSpec],
    live: Sequence[LiveJob],
    latest: dict[str, VersionRecord],
    savepoints: dict[str, SavepointRecord],
    transitioning: Iterable[str] = (),
    restarts: dict[str, int] | None = None,
    checkpoint_acks: dict[str, int | None] | None = None,
    now_ms: int,
    reachable: bool = True,
    error: str | None = None,
    flink_version: str = "",
    versions: Mapping[str, Sequence[VersionRecord]] | None = None,
) -> dict[str, Any]:
    """The status JSON from what was read. Pure: no I/O, ``now_ms`` passed in.

    ``latest`` is each job's newest stored version (any outcome); ``versions``, when
    given, all of them, oldest first, for the version reported beside the running one.
    With ``reachable=False`` (``live`` empty) every managed job is UNKNOWN and
    ``error`` says why.
    """
    seen = _Seen(
        now_ms,
        frozenset(transitioning),
        savepoints,
        restarts or {},
        checkpoint_acks or {},
        reachable,
        error,
    )
    live = adopted_runs(live, versions or {})  # runs `flinkops import` adopted, old ones too
    live = in_place_versions(live, latest)  # a job rescaled in place runs the newer version
    jobs = _managed_rows(specs, live, latest, versions or {}, seen)
    others = [_other(j, now_ms) for j in live if j.ownership is not Ownership.MANAGED]
    return {
        "target": target,
        "url": url,
        "flink_version": flink_version,
        "reachable": reachable,
        "error": error,
        "now": now_ms,
        "counts": _count([*jobs, *others]),
        "jobs": jobs,
        "unmanaged": [o for o in others if "identity_error" not in o],
        "unidentified": [o for o in others if "identity_error" in o],
    }


def filter_status(
    status: dict[str, Any], *, state: str | None = None, labels: dict[str, str] | None = None
) -> dict[str, Any]:
    """Only the managed jobs in ``state`` (current) carrying every label; counts kept whole."""
    wanted = {"CANCELLED": "CANCELED"}.get(state.upper(), state.upper()) if state else None
    jobs = [
        j
        for j in status["jobs"]
        if (wanted is None or j["current"] == wanted)
        and all(j["labels"].get(k) == v for k, v in (labels or {}).items())
    ]
    others = {k: status.get(k, []) for k in ("unmanaged", "unidentified")}
    if wanted is not None:
        others = {k: [u for u in v if u["current"] == wanted] for k, v in others.items()}
    if labels:
        others = {k: [] for k in others}  # jobs no managed row speaks for have no labels
    return {**status, "jobs": jobs, **others}


# ------------------------------------------------------------------ reading


def _health(client: FlinkClient, job_id: str) -> tuple[str, int | None, int | None]:
    """(job id, numRestarts, last completed checkpoint's ack time) of one active job.

    numRestarts is None until Flink's metric fetcher has reported it for the job."""
    metrics = optional(lambda: job_metrics(client, job_id, ["numRestarts"])) or {}
    restarts = metrics.get("numRestarts")
    done = optional(lambda: client.checkpoints(job_id).latest.completed)
    ack = (done.latest_ack_timestamp or done.trigger_timestamp) if done else None
    return job_id, int(restarts) if restarts is not None else None, ack


def _typed(client: FlinkClient, job: LiveJob) -> LiveJob:
    """Flink 1.x's overview has no job type: read it from the job's plan."""
    return job if job.job_type else replace(job, job_type=plan_type(client, job.job_id))


@dataclass(frozen=True)
class _Cluster:
    """One whole read of the cluster; empty, with the error, when it did not answer."""

    live: list[LiveJob] = field(default_factory=list)
    restarts: dict[str, int] = field(default_factory=dict)
    acks: dict[str, int | None] = field(default_factory=dict)
    flink_version: str = ""
    error: FlinkUnreachable | None = None


def _read_cluster(client: FlinkClient, scope: Scope, max_workers: int) -> _Cluster:
    """The jobs, and the health of the active managed ones (in ``scope``, a job
    `flinkops import` adopted is one: its id is recorded)."""
    live = read_jobs(client, scope, max_workers=max_workers)
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        live = list(pool.map(lambda j: _typed(client, j), live))
        managed = [j.job_id for j in live if j.active and j.managed_name]
        health = list(pool.map(lambda jid: _health(client, jid), managed))
    restarts = {jid: n for jid, n, _ in health if n is not None}
    acks = {jid: ack for jid, _, ack in health}
    return _Cluster(live, restarts, acks, optional(client.version) or "")


def _read_retrying(
    client: FlinkClient,
    scope: Scope,
    *,
    max_workers: int,
    reconnect_timeout: float,
    on_reconnect: Callable[[float, FlinkUnreachable], None] | None,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> _Cluster:
    """``_read_cluster``, retried while the cluster does not answer for up to
    ``reconnect_timeout`` seconds; then an empty read with the last error, never part
    of an attempt that broke off."""
    start = clock()
    while True:
        try:
            return _read_cluster(client, scope, max_workers)
        except FlinkUnreachable as exc:
            elapsed = clock() - start
            if elapsed >= reconnect_timeout:
                return _Cluster(error=exc)
            if on_reconnect is not None:
                on_reconnect(elapsed, exc)
            sleep(min(1.0, max(0.0, reconnect_timeout - elapsed)))


def _read_store(
    store: Store, target: str, names: Collection[str]
) -> tuple[dict[str, list[VersionRecord]], dict[str, SavepointRecord]]:
    """Each job's versions (oldest first) and newest savepoint."""
    versions = {name: store.versions(target, name) for name in names}
    savepoints = {name: sp for name in names if (sp := store.latest_savepoint(target, name))}
    return versions, savepoints


def collect_status(
    client: FlinkClient,
    store: Store,
    *,
    target: str,
    url: str,
    specs: Sequence[JobSpec],
    reconnect_timeout: float = 10.0,
    on_reconnect: Callable[[float, FlinkUnreachable], None] | None = None,
    max_workers: int = 8,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """Read the cluster and the store; the status JSON. Never changes a job. ``scope``:
    the project's (``Workspace.scope``): other projects' jobs are rows of ``unmanaged``
    with their ``project``.

    When the cluster does not answer, retries until ``reconnect_timeout`` seconds
    have passed (calling ``on_reconnect(elapsed, error)`` before each retry), then
    returns every managed job as UNKNOWN with ``reachable: false`` and no live rows.
    """
    names = {s.name for s in specs} | set(store.jobs(target))
    versions, savepoints = _read_store(store, target, names)
    cluster = _read_retrying(
        client,
        scope or project_scope(store, target, None),
        max_workers=max_workers,
        reconnect_timeout=reconnect_timeout,
        on_reconnect=on_reconnect,
        sleep=sleep,
        clock=clock,
    )
    more = {j.managed_name for j in cluster.live if j.managed_name} - names
    if more:  # jobs the cluster says are managed that neither specs nor store name
        found, found_savepoints = _read_store(store, target, more)
        versions.update(found)
        savepoints.update(found_savepoints)
    now_ms = int(time.time() * 1000)
    status = build_status(
        target=target,
        url=url,
        specs=specs,
        live=cluster.live,
        latest={name: v[-1] for name, v in versions.items() if v},
        savepoints=savepoints,
        transitioning={t.job for t in store.open_transitions(target)},
        restarts=cluster.restarts,
        checkpoint_acks=cluster.acks,
        now_ms=now_ms,
        reachable=cluster.error is None,
        error=str(cluster.error) if cluster.error is not None else None,
        flink_version=cluster.flink_version,
        versions=versions,
    )
    return with_alerts(status, firing_alerts(store, target), now_ms)
