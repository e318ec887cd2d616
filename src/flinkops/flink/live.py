"""The one read model of the jobs a Flink cluster lists, for plan, apply and the ops views.

``read_jobs`` lists the cluster's jobs once (``GET /jobs/overview``) and reads each
one's identity (``GET /jobs/:id/config``), a few at a time. Every job comes back as a
``LiveJob`` whose ``ownership`` says whose it is:

- MANAGED: it carries flinkops's identity for this target (name, version, spec hash);
- OTHER_TARGET: it carries the identity of another target: not ours to touch;
- UNMANAGED: it carries no identity: flinkops did not submit it;
- UNKNOWN: its configuration could not be read (``identity_error`` holds Flink's
  answer). Such a job may be a managed one.

An active UNKNOWN job is never taken for unmanaged. It counts as a possible run of
the job whose name it has (flinkops submits every spec under its own name), so:
plan and apply refuse to act while one is on the cluster (``read_live``, through
``require_identities``; starting the job beside it could run two copies), and the ops
views show it as unidentified, with the reason, and call that job's current state UNKNOWN.

``newest_run`` is the one rule for which run of a job speaks for it. ``latest_checkpoint``
and ``root_cause`` are the two reads of one job that plan, apply and the monitor share.
A cluster that does not answer raises ``FlinkUnreachable`` from every reader.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from flinkops.errors import FlinkError, FlinkUnreachable, PlanError
from flinkops.flink.identity import JobIdentity
from flinkops.flink.models import JobSummary
from flinkops.flink.rest import FlinkClient

__all__ = [
    "ACTIVE_STATES",
    "JobRuns",
    "LiveJob",
    "Ownership",
    "latest_checkpoint",
    "newest_run",
    "read_jobs",
    "read_live",
    "require_identities",
    "root_cause",
    "runs_by_name",
    "runs_of",
]

# Flink job states in which a job holds (or is about to hold) running state.
ACTIVE_STATES = frozenset(
    {
        "INITIALIZING",
        "CREATED",
        "RUNNING",
        "RESTARTING",
        "FAILING",
        "CANCELLING",
        "SUSPENDED",
        "RECONCILING",
    }
)


class Ownership(StrEnum):
    """Whose a live job is, as far as its identity could be read (``read_jobs``)."""

    MANAGED = "managed"  # carries flinkops's identity for this target
    OTHER_TARGET = "other-target"  # carries flinkops's identity for another target
    UNMANAGED = "unmanaged"  # carries no identity: flinkops did not submit it
    UNKNOWN = "unknown"  # its configuration could not be read: it may be a managed job


@dataclass(frozen=True)
class LiveJob:
    """A job as the cluster shows it. ``managed_*`` come from flinkops's identity.

    ``read_jobs`` builds these; ``ownership`` follows from what it
    read: ``identity_error`` (Flink's answer) when the identity could not be read,
    ``identity_target`` when the job carries another target's identity.
    """

    job_id: str
    name: str
    state: str
    start_time: int | None = None
    managed_name: str | None = None
    version: int | None = None
    spec_hash: str | None = None
    end_time: int | None = None
    duration: int | None = None
    job_type: str = ""
    identity_target: str | None = None
    identity_error: str | None = None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def ownership(self) -> Ownership:
        if self.managed_name is not None:
            return Ownership.MANAGED
        if self.identity_error is not None:
            return Ownership.UNKNOWN
        if self.identity_target is not None:
            return Ownership.OTHER_TARGET
        return Ownership.UNMANAGED

    @property
    def unidentified(self) -> bool:
        """Active, and flinkops cannot tell whether it is one of its jobs."""
        return self.active and self.ownership is Ownership.UNKNOWN

    def to_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "name": self.name,
            "state": self.state,
            "version": self.version,
            "spec_hash": self.spec_hash,
        }


def _from_summary(summary: JobSummary, target: str, identity: JobIdentity | None) -> LiveJob:
    ours = identity is not None and identity.target == target
    return LiveJob(
        job_id=summary.id,
        name=summary.name,
        state=summary.state,
        start_time=summary.start_time,
        end_time=summary.end_time,
        duration=summary.duration,
        job_type=summary.job_type,
        managed_name=identity.name if identity and ours else None,
        version=identity.version if identity and ours else None,
        spec_hash=identity.spec_hash if identity and ours else None,
        identity_target=identity.target if identity and not ours else None,
    )


def _identified(client: FlinkClient, summary: JobSummary, target: str) -> LiveJob:
    try:
        identity = JobIdentity.from_user_config(client.job_config(summary.id).user_config)
    except FlinkUnreachable:
        raise
    except FlinkError as exc:
        job = _from_summary(summary, target, None)
        return replace(job, identity_error=str(exc) or type(exc).__name__)
    return _from_summary(summary, target, identity)


def read_jobs(
    client: FlinkClient,
    target: str,
    *,
    name: str | None = None,
    name_or_id: str | None = None,
    max_workers: int = 8,
) -> list[LiveJob]:
    """Every job the cluster lists (newest first), each with its ownership. Never raises
    for a job whose identity cannot be read: that job is UNKNOWN.

    ``name`` keeps only jobs of that Flink job name (flinkops submits each spec under
    its own name); ``name_or_id`` the job with that id if there is one, else the jobs
    of that name. Either way one config read per job kept, not per job listed.
    """
    summaries = [s for s in client.jobs() if name is None or s.name == name]
    if name_or_id is not None:
        summaries = [s for s in summaries if s.id == name_or_id] or [
            s for s in summaries if s.name == name_or_id
        ]
    if len(summaries) < 2:
        return [_identified(client, s, target) for s in summaries]
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        return list(pool.map(lambda s: _identified(client, s, target), summaries))


def require_identities(jobs: Iterable[LiveJob]) -> None:
    """Raise PlanError when an active job's identity could not be read.

    Plan and apply call this before they act: taking such a job for unmanaged could
    start a second copy of a managed job beside it.
    """
    for job in jobs:
        if job.unidentified:
            raise PlanError(
                f"cannot read the configuration of {job.state} job {job.job_id} "
                f"({job.name!r}) to tell whether flinkops manages it: {job.identity_error}; "
                "plan again when the cluster answers"
            )


def read_live(client: FlinkClient, target: str, *, name: str | None = None) -> list[LiveJob]:
    """Every job the cluster lists, with flinkops's identity where the job carries one.

    ``name`` keeps only jobs of that Flink job name (flinkops submits a spec under its
    own name). PlanError when an active job's identity cannot be read: plan and apply
    do not act beside a job that may be a managed one (``require_identities``).
    """
    jobs = read_jobs(client, target, name=name)
    require_identities(jobs)
    return jobs


def newest_run(runs: Iterable[LiveJob]) -> LiveJob | None:
    """The run that speaks for a job: the newest active one, else the newest of all."""
    pool = list(runs)
    return max(pool, key=lambda r: (r.active, r.start_time or 0), default=None)


@dataclass(frozen=True)
class JobRuns:
    """One job's runs on the cluster, and the active jobs that may be it.

    ``runs`` carry the job's identity (or are the one job asked for by id);
    ``unidentified`` are active jobs of that name whose identity could not be read.
    """

    name: str
    runs: tuple[LiveJob, ...] = ()
    unidentified: tuple[LiveJob, ...] = ()

    @property
    def newest(self) -> LiveJob | None:
        return newest_run(self.runs)


def runs_by_name(jobs: Sequence[LiveJob]) -> dict[str, JobRuns]:
    """Every job name's runs among ``jobs``, grouped in one pass (``runs_of`` for each). Pure."""
    runs: dict[str, list[LiveJob]] = {}
    unidentified: dict[str, list[LiveJob]] = {}
    for job in jobs:
        if job.managed_name:
            runs.setdefault(job.managed_name, []).append(job)
        if job.unidentified:
            unidentified.setdefault(job.name, []).append(job)
    return {
        name: JobRuns(name, tuple(runs.get(name, ())), tuple(unidentified.get(name, ())))
        for name in runs.keys() | unidentified.keys()
    }


def runs_of(jobs: Sequence[LiveJob], name: str) -> JobRuns:
    """Job ``name``'s runs among ``jobs`` (``name`` may also be a Flink job id). Pure."""
    by_id = [j for j in jobs if j.job_id == name]
    if by_id:
        job = by_id[0]
        return JobRuns(job.managed_name or name, (job,))
    return JobRuns(
        name,
        runs=tuple(j for j in jobs if j.managed_name == name),
        unidentified=tuple(j for j in jobs if j.unidentified and j.name == name),
    )


def latest_checkpoint(
    client: FlinkClient, job_id: str, *, or_savepoint: bool = False
) -> str | None:
    """The job's latest completed (retained) checkpoint, or with ``or_savepoint`` its
    latest savepoint when it has no checkpoint; None when Flink knows neither."""
    try:
        latest = client.checkpoints(job_id).latest
    except FlinkError:
        return None
    for ref in (latest.completed, latest.savepoint if or_savepoint else None):
        if ref is not None and ref.external_path:
            return ref.external_path
    return None


def root_cause(client: FlinkClient, job_id: str) -> str:
    """Flink's one-line reason for the job's last failure ("" when unknown)."""
    try:
        return client.exceptions(job_id).root_cause
    except FlinkError:
        return ""
