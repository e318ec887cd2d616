"""The one read model of the jobs a Flink cluster lists, for plan, apply and the ops views.

``read_jobs`` lists the cluster's jobs once (``GET /jobs/overview``) and reads each
one's identity (``GET /jobs/:id/config``), a few at a time. Every job comes back as a
``LiveJob`` whose ``ownership`` says whose it is:

- MANAGED: it carries flinkops's identity for this target and this project (name,
  version, spec hash), or for this target with an id this project's store recorded
  (a job submitted before projects had ids is adopted so);
- OTHER_PROJECT: it carries this target's identity with another project id (or none),
  and this project's store never recorded it: foreign, never touched;
- OTHER_TARGET: it carries the identity of another target: not ours to touch;
- UNMANAGED: it carries no identity: flinkops did not submit it;
- UNKNOWN: its configuration could not be read (``identity_error`` holds Flink's
  answer). Such a job may be a managed one;
- NOT_READ: a finished job the project's store does not know: a plan does not read
  its configuration (``Scope.known_only``).

Whose a job is follows from a ``Scope``: the target, the project's id and what its
store knows (``plan.scope.project_scope`` builds it); a bare target name is a scope
that does not compare project ids.

An active UNKNOWN job is never taken for unmanaged. It counts as a possible run of
the job whose name it has (flinkops submits every spec under its own name), so:
plan and apply refuse to act while one is on the cluster (``read_live``, through
``require_identities``; starting the job beside it could run two copies), unless the
scope knows the project's job names and ids and the job has none of them: then it
cannot be the project's, and a plan warns instead. The ops views show it as
unidentified, with the reason, and call that job's current state UNKNOWN.

``newest_run`` is the one rule for which run of a job speaks for it. ``latest_checkpoint``
and ``root_cause`` are the two reads of one job that plan, apply and the monitor share.
A cluster that does not answer raises ``FlinkUnreachable`` from every reader.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
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
    "Scope",
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

    MANAGED = "managed"  # carries flinkops's identity for this target and project
    OTHER_PROJECT = "other-project"  # another project's (or an unrecorded legacy) job
    OTHER_TARGET = "other-target"  # carries flinkops's identity for another target
    UNMANAGED = "unmanaged"  # carries no identity: flinkops did not submit it
    UNKNOWN = "unknown"  # its configuration could not be read: it may be a managed job
    NOT_READ = "not-read"  # finished and unknown to the project's store: not read


@dataclass(frozen=True)
class Scope:
    """Which of a cluster's jobs are one project's on one target (``read_jobs`` sorts by it).

    ``project``: the project's id (None: ids are not compared, as before projects had
    them); ``recorded``: the ids of the jobs the project's store recorded, each with the
    name of the job it ran. A job that carries this target's identity is the project's
    when it carries the project's id; a job whose id is among ``recorded`` is the
    project's whatever it carries (``owns``): the store is the project's, so a job it
    recorded is (one submitted before projects had ids, a clone's that shares the store
    with another id, or one `flinkops import` adopted, which carries no identity at all
    and is managed under the name the store recorded); another project's otherwise.
    ``names``: the project's job names (its specs' and its store's), None when
    unknown: an unreadable active job of none of these names and ids cannot be the
    project's (``may_own``).
    ``known_only``: read the configuration of active jobs and recorded ones only.
    """

    target: str
    project: str | None = None
    recorded: Mapping[str, str] = field(default_factory=dict)
    names: frozenset[str] | None = None
    known_only: bool = False

    def owns(self, identity: JobIdentity | None, job_id: str) -> bool:
        """Whether a job carrying ``identity`` (None: no identity) is this project's on
        this target: the one rule for jobs the store recorded, adopted ones included."""
        if identity is None:
            return job_id in self.recorded  # adopted by `flinkops import`
        if identity.target != self.target:
            return False
        if self.project is None:
            return True
        return identity.project == self.project or job_id in self.recorded

    def may_own(self, job: LiveJob) -> bool:
        """Whether an unidentified job may be this project's (its name or id is)."""
        return self.names is None or job.name in self.names or job.job_id in self.recorded

    def reads(self, summary: JobSummary) -> bool:
        """Whether ``read_jobs`` reads this job's configuration."""
        return not self.known_only or summary.state in ACTIVE_STATES or summary.id in self.recorded


@dataclass(frozen=True)
class LiveJob:
    """A job as the cluster shows it. ``managed_*`` come from flinkops's identity.

    ``read_jobs`` builds these; ``ownership`` follows from what it
    read: ``identity_error`` (Flink's answer) when the identity could not be read,
    ``identity_project`` (``""`` for none) when the job carries another project's
    identity, ``identity_target`` when it carries another target's, ``identity_read``
    False when its configuration was not read.
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
    identity_project: str | None = None
    identity_read: bool = True

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def ownership(self) -> Ownership:
        if self.managed_name is not None:
            return Ownership.MANAGED
        if self.identity_error is not None:
            return Ownership.UNKNOWN
        if not self.identity_read:
            return Ownership.NOT_READ
        if self.identity_project is not None:
            return Ownership.OTHER_PROJECT
        if self.identity_target is not None:
            return Ownership.OTHER_TARGET
        return Ownership.UNMANAGED

    @property
    def unidentified(self) -> bool:
        """Active, and flinkops cannot tell whether it is one of its jobs."""
        return self.active and self.ownership is Ownership.UNKNOWN

    def to_json(self) -> dict[str, Any]:
        """The job as a plan shows it; a job not the project's says whose it is."""
        out: dict[str, Any] = {
            "job_id": self.job_id,
            "name": self.name,
            "state": self.state,
            "version": self.version,
            "spec_hash": self.spec_hash,
        }
        if self.ownership is not Ownership.MANAGED:
            out["ownership"] = self.ownership.value
        if self.identity_project is not None:
            out["project"] = self.identity_project
        return out


def _from_summary(
    summary: JobSummary, scope: Scope, identity: JobIdentity | None, read: bool = True
) -> LiveJob:
    """The live job; ``read``: its configuration was read (``identity`` None then means
    it carries none, not that it is unknown)."""
    ours = read and scope.owns(identity, summary.id)
    foreign = identity is not None and not ours and identity.target == scope.target
    # a job without identity the store recorded (adopted): named by the store; its
    # version and spec hash are the store's too (plan.rescale.in_place_versions)
    name = (identity.name if identity else scope.recorded.get(summary.id)) if ours else None
    return LiveJob(
        job_id=summary.id,
        name=summary.name,
        state=summary.state,
        start_time=summary.start_time,
        end_time=summary.end_time,
        duration=summary.duration,
        job_type=summary.job_type,
        managed_name=name,
        version=identity.version if identity and ours else None,
        spec_hash=identity.spec_hash if identity and ours else None,
        identity_target=identity.target if identity and not ours else None,
        identity_project=identity.project if identity and foreign else None,
    )


def _identified(client: FlinkClient, summary: JobSummary, scope: Scope) -> LiveJob:
    if not scope.reads(summary):
        return replace(_from_summary(summary, scope, None, read=False), identity_read=False)
    try:
        identity = JobIdentity.from_user_config(client.job_config(summary.id).user_config)
    except FlinkUnreachable:
        raise
    except FlinkError as exc:
        job = _from_summary(summary, scope, None, read=False)
        return replace(job, identity_error=str(exc) or type(exc).__name__)
    return _from_summary(summary, scope, identity)


def read_jobs(
    client: FlinkClient,
    target: str | Scope,
    *,
    name: str | None = None,
    name_or_id: str | None = None,
    max_workers: int = 8,
) -> list[LiveJob]:
    """Every job the cluster lists (newest first), each with its ownership. Never raises
    for a job whose identity cannot be read: that job is UNKNOWN.

    ``name`` keeps only jobs of that Flink job name (flinkops submits each spec under
    its own name); ``name_or_id`` the job with that id if there is one, else the jobs
    of that name. Either way one config read per job kept, not per job listed. ``target``
    is a ``Scope``, or a target's name (project ids not compared).
    """
    scope = target if isinstance(target, Scope) else Scope(target)
    summaries = [s for s in client.jobs() if name is None or s.name == name]
    if name_or_id is not None:
        summaries = [s for s in summaries if s.id == name_or_id] or [
            s for s in summaries if s.name == name_or_id
        ]
    if len(summaries) < 2:
        return [_identified(client, s, scope) for s in summaries]
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        return list(pool.map(lambda s: _identified(client, s, scope), summaries))


def require_identities(jobs: Iterable[LiveJob], scope: Scope | None = None) -> None:
    """Raise PlanError when an active job's identity could not be read and it may be
    the project's (``Scope.may_own``; any such job without a scope).

    Plan and apply call this before they act: taking such a job for unmanaged could
    start a second copy of a managed job beside it. A job the scope rules out stays
    in the list, UNKNOWN: a plan warns of it.
    """
    for job in jobs:
        if job.unidentified and (scope is None or scope.may_own(job)):
            raise PlanError(
                f"cannot read the configuration of {job.state} job {job.job_id} "
                f"({job.name!r}) to tell whether flinkops manages it: {job.identity_error}; "
                "plan again when the cluster answers"
            )


def read_live(
    client: FlinkClient, target: str | Scope, *, name: str | None = None
) -> list[LiveJob]:
    """Every job the cluster lists, with flinkops's identity where the job carries one.

    ``name`` keeps only jobs of that Flink job name (flinkops submits a spec under its
    own name). PlanError when an active job's identity cannot be read and it may be the
    project's: plan and apply do not act beside a job that may be a managed one
    (``require_identities``).
    """
    scope = target if isinstance(target, Scope) else Scope(target)
    jobs = read_jobs(client, scope, name=name)
    require_identities(jobs, scope)
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
