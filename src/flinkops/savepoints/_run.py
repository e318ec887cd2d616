"""The savepoints' I/O: list them, apply retention, take the scheduled ones.

``list_savepoints`` and ``apply_retention`` read the store (savepoints, versions,
open transitions, deletion events) and hand that to the pure policy in
``_retention``; ``run_due_savepoints`` is one pass of the scheduler, which
``flinkops monitor`` calls on every sample and ``flinkops savepoints
--run-schedule`` runs once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flinkops.errors import FlinkError
from flinkops.flink.rest import FlinkClient
from flinkops.ops import take_savepoint
from flinkops.savepoints._dispose import dispose, size_of
from flinkops.savepoints._retention import Decision, Snapshot, plan_retention, protection
from flinkops.spec import JobSpec, SavepointPolicy, Schedule
from flinkops.store import SavepointRecord, Store

__all__ = ["DELETED_STEP", "ORIGINS", "apply_retention", "list_savepoints", "run_due_savepoints"]

#: The event step that records a deletion (the store keeps the savepoint's row).
DELETED_STEP = "savepoint-deleted"
#: Store kind -> the origin shown: an update's stop is an upgrade, a suspend a stop.
ORIGINS = {"scheduled": "scheduled", "manual": "manual", "suspend": "stop", "stop": "upgrade"}


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def _deleted(store: Store, target: str, job: str) -> set[str]:
    events = store.events(target, job, limit=None)
    return {str(e.details.get("location")) for e in events if e.step == DELETED_STEP}


def _history(store: Store, target: str, job: str) -> list[SavepointRecord]:
    """The job's savepoints that still exist (retained checkpoints are Flink's to manage)."""
    gone = _deleted(store, target, job)
    records = store.savepoints(target, job, kinds=ORIGINS)
    return [r for r in records if r.location not in gone]


def _protected(
    store: Store, target: str, job: str, history: list[Snapshot]
) -> dict[str, tuple[str, ...]]:
    used = {v.restored_from for v in store.versions(target, job)} | {
        v.savepoint for v in store.versions(target, job)
    }
    open_tx = [t for t in store.open_transitions(target) if t.job == job]
    in_tx = {s for t in open_tx for s in _strings(t.to_json())}
    return protection(history, {u for u in used if u}, in_tx)


def _decisions(
    store: Store, target: str, job: str, policy: SavepointPolicy, now: datetime
) -> tuple[list[SavepointRecord], list[Decision]]:
    records = _history(store, target, job)
    snaps = [Snapshot(r.location, _when(r.created_at)) for r in records]
    retain = policy.retain
    decisions = plan_retention(
        snaps,
        count=retain.count if retain else None,
        max_age=retain.max_age_seconds if retain else None,
        protected=_protected(store, target, job, snaps),
        now=now,
    )
    return records, decisions


def list_savepoints(
    store: Store, *, target: str, job: str, policy: SavepointPolicy, now: datetime
) -> dict[str, Any]:
    """The job's savepoints, newest first: size, age, origin, protected, and what
    retention would do with each under ``policy``."""
    records, decisions = _decisions(store, target, job, policy, now)
    by_location = {r.location: r for r in records}
    rows = []
    for d in decisions:
        rec = by_location[d.snapshot.location]
        rows.append(
            {
                "location": rec.location,
                "origin": ORIGINS.get(rec.kind, rec.kind),
                "created_at": rec.created_at,
                "age_seconds": round((now - d.snapshot.created_at).total_seconds(), 1),
                "size_bytes": size_of(rec.location),
                "job_id": rec.job_id,
                "version": rec.version,
                "protected": list(d.protected),
                "retention": "delete" if d.delete else "keep",
                "reason": d.reason,
            }
        )
    return {"target": target, "job": job, "policy": _policy_json(policy), "savepoints": rows}


def _policy_json(policy: SavepointPolicy) -> dict[str, Any]:
    retain = policy.retain
    return {
        "schedule": None if policy.schedule is None else str(policy.schedule),
        "retain": {
            "count": retain.count if retain else None,
            "maxAge": None if retain is None or retain.max_age is None else str(retain.max_age),
        },
    }


def apply_retention(
    client: FlinkClient | None,
    store: Store,
    *,
    target: str,
    job: str,
    policy: SavepointPolicy,
    now: datetime,
) -> list[dict[str, Any]]:
    """Delete what the policy does not keep; each deletion (or failure) is an event."""
    if policy.retain is None:
        return []
    _records, decisions = _decisions(store, target, job, policy, now)
    out = []
    for d in decisions:
        if not d.delete:
            continue
        location = d.snapshot.location
        result = dispose(client, location, policy.cleanup_command)
        details = {"location": location, "reason": d.reason, "method": result.method}
        if result.deleted:
            store.add_event(
                target,
                job,
                DELETED_STEP,
                f"deleted savepoint {location} ({d.reason})",
                details=details,
            )
        else:
            store.add_event(
                target,
                job,
                "savepoint-delete-failed",
                f"could not delete savepoint {location}: {result.message}",
                level="warning",
                details={**details, "error": result.message},
            )
        out.append({**details, "deleted": result.deleted, "message": result.message})
    return out


def _take_if_due(
    client: FlinkClient, store: Store, target: str, spec: JobSpec, now: datetime
) -> dict[str, Any] | None:
    policy = spec.savepoint_policy
    if policy.schedule is None or spec.state != "running":
        return None
    last = store.latest_savepoint(target, spec.name, kinds={"scheduled"})
    if not Schedule.parse(policy.schedule).due(_when(last.created_at) if last else None, now):
        return None
    if any(t.job == spec.name for t in store.open_transitions(target)):
        return {"job": spec.name, "taken": False, "reason": "an apply is changing the job"}
    try:
        taken = take_savepoint(
            client, store, target=target, name=spec.name, spec=spec, kind="scheduled"
        )
    except FlinkError as exc:
        message = f"scheduled savepoint not taken: {exc}"
        recent = store.events(target, spec.name, limit=1)
        if not recent or recent[0].message != message:  # once, not on every monitor pass
            store.add_event(target, spec.name, "savepoint-schedule", message, level="warning")
        return {"job": spec.name, "taken": False, "reason": str(exc)}
    return {"job": spec.name, "taken": True, "location": taken["location"]}


def run_due_savepoints(
    client: FlinkClient, store: Store, *, target: str, specs: list[JobSpec], now: datetime
) -> dict[str, Any]:
    """One scheduler pass over ``specs`` on ``target``: take each savepoint that is due,
    then apply each job's retention. A job that is not running is skipped (said why);
    the pass never raises for one job's failure. ``now`` is an aware UTC datetime."""
    taken: list[dict[str, Any]] = []
    deleted: list[dict[str, Any]] = []
    for spec in specs:
        result = _take_if_due(client, store, target, spec, now)
        if result is not None:
            taken.append(result)
        deleted.extend(
            {"job": spec.name, **d}
            for d in apply_retention(
                client, store, target=target, job=spec.name, policy=spec.savepoint_policy, now=now
            )
        )
    return {"target": target, "at": now.isoformat(), "savepoints": taken, "deletions": deleted}
