"""`flinkops status`: desired vs current state of every job on a target, console-style.

``collect_status`` does the reading (one ``/jobs/overview``, one ``/config`` per
job for flinkops's identity, and for each active managed job its checkpoints and
``numRestarts``, at most ``max_workers`` at a time). ``build_status`` is pure: it
turns what was read into the JSON form ``--format json`` prints (docs/ops-json.md);
``render_status`` draws the text form from that JSON.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from flinkops.errors import FlinkError, FlinkUnreachable
from flinkops.flink.identity import JobIdentity
from flinkops.flink.rest import FlinkClient
from flinkops.ops._rest import JobRow, job_metrics, list_jobs
from flinkops.plan import ACTIVE_STATES
from flinkops.spec import JobSpec
from flinkops.store import SavepointRecord, Store, VersionRecord

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
    "CANCELLED",
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
    "CANCELLING": "CANCELLED",
    "CANCELED": "CANCELLED",
    "FAILED": "FAILED",
    "FINISHED": "FINISHED",
    "SUSPENDED": "SUSPENDED",
}


@dataclass(frozen=True)
class LiveRow:
    """A job the cluster lists, its type, and flinkops's identity when it carries one."""

    job: JobRow
    identity: JobIdentity | None

    @property
    def id(self) -> str:
        return self.job.summary.id

    @property
    def state(self) -> str:
        return self.job.summary.state

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES


def newest_run(runs: Sequence[LiveRow]) -> LiveRow | None:
    """The run that speaks for a job: the newest active one, else the newest of all."""
    active = [r for r in runs if r.active]
    pool = active or list(runs)
    return max(pool, key=lambda r: r.job.summary.start_time or 0) if pool else None


def current_state(run: LiveRow | None, latest: VersionRecord | None, transitioning: bool) -> str:
    """What a managed job is now (see CURRENT_STATES). Pure."""
    if transitioning:
        return "TRANSITIONING"
    if run is not None and run.active:
        return _FROM_FLINK.get(run.state, run.state)
    if latest is not None and latest.outcome == "suspended":
        return "SUSPENDED"
    if latest is not None and latest.outcome in ("cancelled", "deleted"):
        return "CANCELLED"
    if run is not None:
        return _FROM_FLINK.get(run.state, run.state)
    return "NOT_DEPLOYED"


def _in_sync(spec: JobSpec | None, run: LiveRow | None) -> bool:
    if spec is None:
        return False  # live or recorded, but no spec wants it any more
    if spec.state == "running":
        return (
            run is not None
            and run.active
            and run.identity is not None
            and run.identity.spec_hash == spec.spec_hash
        )
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
        state = row["current"]
        key = {"CANCELLED": "CANCELED"}.get(state, state)
        if key in counts:
            counts[key] += 1
    return counts


def _row(
    name: str,
    spec: JobSpec | None,
    run: LiveRow | None,
    version: VersionRecord | None,
    sp: SavepointRecord | None,
    now_ms: int,
) -> dict[str, Any]:
    """One managed job's row; current, in_sync and the health fields are filled by the caller."""
    active = run is not None and run.active
    summary = run.job.summary if run else None
    ident = run.identity if run else None
    return {
        "name": name,
        "labels": dict(spec.labels) if spec else {},
        "desired": spec.state.upper() if spec else None,
        "current": None,
        "flink_state": summary.state if summary else None,
        "in_sync": None,
        "version": (ident.version if ident and active else None)
        or (version.version if version else None),
        "spec_hash": spec.spec_hash if spec else None,
        "live_spec_hash": ident.spec_hash if ident else None,
        "job_id": summary.id if summary else None,
        "job_type": run.job.job_type if run else None,
        "start_time": summary.start_time if summary else None,
        "uptime_ms": _age(now_ms, summary.start_time) if summary and active else None,
        "restarts": None,
        "last_checkpoint_age_ms": None,
        "last_savepoint": sp.to_json() if sp else None,
        "last_savepoint_age_ms": _age(now_ms, _iso_ms(sp.created_at)) if sp else None,
        "reason": None,
    }


def build_status(
    *,
    target: str,
    url: str,
    specs: Sequence[JobSpec],
    live: Sequence[LiveRow],
    latest: dict[str, VersionRecord],
    savepoints: dict[str, SavepointRecord],
    transitioning: Iterable[str] = (),
    restarts: dict[str, int] | None = None,
    checkpoint_acks: dict[str, int | None] | None = None,
    now_ms: int,
    reachable: bool = True,
    error: str | None = None,
    flink_version: str = "",
) -> dict[str, Any]:
    """The status JSON from what was read. Pure: no I/O, ``now_ms`` passed in.

    With ``reachable=False`` (``live`` empty) every managed job is UNKNOWN and
    ``error`` says why.
    """
    restarts = restarts or {}
    checkpoint_acks = checkpoint_acks or {}
    moving = set(transitioning)
    by_spec = {s.name: s for s in specs}
    runs: dict[str, list[LiveRow]] = {}
    unmanaged: list[LiveRow] = []
    for row in live:
        if row.identity is not None and row.identity.target == target:
            runs.setdefault(row.identity.name, []).append(row)
        else:
            unmanaged.append(row)
    names = set(by_spec) | set(runs)
    names |= {n for n, v in latest.items() if v.outcome != "deleted"}
    jobs: list[dict[str, Any]] = []
    for name in sorted(names):
        spec = by_spec.get(name)
        run = newest_run(runs.get(name, []))
        version = latest.get(name)
        pruned = spec is None and version is not None and version.outcome == "deleted"
        if pruned and (run is None or not run.active):
            continue  # the cluster just still lists its last run
        row = _row(name, spec, run, version, savepoints.get(name), now_ms)
        if reachable:
            row["current"] = current_state(run, version, name in moving)
            row["in_sync"] = _in_sync(spec, run)
        else:
            row["current"], row["in_sync"], row["reason"] = "UNKNOWN", None, error
        if run is not None and run.active:
            row["restarts"] = restarts.get(run.id)
            row["last_checkpoint_age_ms"] = _age(now_ms, checkpoint_acks.get(run.id))
        jobs.append(row)
    others = [
        {
            "name": r.job.summary.name,
            "job_id": r.id,
            "current": _FROM_FLINK.get(r.state, r.state),
            "flink_state": r.state,
            "job_type": r.job.job_type,
            "start_time": r.job.summary.start_time,
            "uptime_ms": _age(now_ms, r.job.summary.start_time) if r.active else None,
            "duration_ms": r.job.summary.duration,
        }
        for r in unmanaged
    ]
    return {
        "target": target,
        "url": url,
        "flink_version": flink_version,
        "reachable": reachable,
        "error": error,
        "now": now_ms,
        "counts": _count([*jobs, *others]),
        "jobs": jobs,
        "unmanaged": others,
    }


def filter_status(
    status: dict[str, Any], *, state: str | None = None, labels: dict[str, str] | None = None
) -> dict[str, Any]:
    """Only the managed jobs in ``state`` (current) carrying every label; counts kept whole."""
    wanted = {"CANCELED": "CANCELLED"}.get(state.upper(), state.upper()) if state else None
    jobs = [
        j
        for j in status["jobs"]
        if (wanted is None or j["current"] == wanted)
        and all(j["labels"].get(k) == v for k, v in (labels or {}).items())
    ]
    unmanaged = status["unmanaged"]
    if wanted is not None:
        unmanaged = [u for u in unmanaged if u["current"] == wanted]
    if labels:
        unmanaged = []  # unmanaged jobs have no labels
    return {**status, "jobs": jobs, "unmanaged": unmanaged}


# ------------------------------------------------------------------ reading


def identify(client: FlinkClient, job: JobRow) -> LiveRow:
    try:
        identity = JobIdentity.from_user_config(client.job_config(job.summary.id).user_config)
    except FlinkUnreachable:
        raise
    except FlinkError:
        identity = None
    return LiveRow(job, identity)


def _health(client: FlinkClient, job_id: str) -> tuple[str, int | None, int | None]:
    """(job id, numRestarts, last completed checkpoint's ack time) of one active job."""
    restarts: int | None = None
    ack: int | None = None
    try:
        value = job_metrics(client, job_id, ["numRestarts"]).get("numRestarts")
        restarts = int(value) if value is not None else None
    except FlinkUnreachable:
        raise
    except FlinkError:
        pass
    try:
        done = client.checkpoints(job_id).latest.completed
        ack = (done.latest_ack_timestamp or done.trigger_timestamp) if done else None
    except FlinkUnreachable:
        raise
    except FlinkError:
        pass
    return job_id, restarts, ack


def _read_cluster(
    client: FlinkClient, target: str, max_workers: int
) -> tuple[list[LiveRow], dict[str, int], dict[str, int | None]]:
    jobs = list_jobs(client)
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        live = list(pool.map(lambda j: identify(client, j), jobs))
        managed = [
            r.id
            for r in live
            if r.active and r.identity is not None and r.identity.target == target
        ]
        health = list(pool.map(lambda jid: _health(client, jid), managed))
    restarts = {jid: n for jid, n, _ in health if n is not None}
    acks = {jid: ack for jid, _, ack in health}
    return live, restarts, acks


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
) -> dict[str, Any]:
    """Read the cluster and the store; the status JSON. Never changes a job.

    When the cluster does not answer, retries until ``reconnect_timeout`` seconds
    have passed (calling ``on_reconnect(elapsed, error)`` before each retry), then
    returns every managed job as UNKNOWN with ``reachable: false``.
    """
    start = clock()
    error: FlinkUnreachable | None = None
    live: list[LiveRow] = []
    restarts: dict[str, int] = {}
    acks: dict[str, int | None] = {}
    flink_version = ""
    while True:
        try:
            live, restarts, acks = _read_cluster(client, target, max_workers)
            try:
                flink_version = client.version()
            except FlinkUnreachable:
                raise
            except FlinkError:
                flink_version = ""
            error = None
            break
        except FlinkUnreachable as exc:
            error = exc
            elapsed = clock() - start
            if elapsed >= reconnect_timeout:
                break
            if on_reconnect is not None:
                on_reconnect(elapsed, exc)
            sleep(min(1.0, max(0.0, reconnect_timeout - elapsed)))
    names = {s.name for s in specs} | set(store.jobs(target))
    names |= {r.identity.name for r in live if r.identity and r.identity.target == target}
    latest: dict[str, VersionRecord] = {}
    savepoints: dict[str, SavepointRecord] = {}
    for name in names:
        version = store.latest_version(target, name, outcome=None)
        if version is not None:
            latest[name] = version
        sp = store.latest_savepoint(target, name)
        if sp is not None:
            savepoints[name] = sp
    moving = {t.job for t in store.open_transitions(target)}
    return build_status(
        target=target,
        url=url,
        specs=specs,
        live=live,
        latest=latest,
        savepoints=savepoints,
        transitioning=moving,
        restarts=restarts,
        checkpoint_acks=acks,
        now_ms=int(time.time() * 1000),
        reachable=error is None,
        error=str(error) if error is not None else None,
        flink_version=flink_version,
    )
