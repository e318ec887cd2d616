"""In-place rescale: a parallelism-only change on a cluster running the adaptive scheduler.

Flink ≥ 1.18 changes a running job's parallelism through ``PUT
/jobs/:id/resource-requirements`` when ``jobmanager.scheduler: adaptive``: the job
keeps its id, restarts its tasks from its latest checkpoint (``latest.restored`` in
its checkpoint stats) and needs no savepoint round-trip.

- ``rescalable`` (pure) says which updates are parallelism-only changes: the builder
  (``builder.py``) makes each a RESCALE change with ``rescale_fields`` on an
  adaptive-scheduler cluster, or says in the update's reason why it is not one
  (``NOT_ADAPTIVE``).
- ``in_place_versions`` (pure) lets the store speak for a rescaled job: the job
  still carries the identity it was submitted with (an older version and spec
  hash), while the store recorded the rescale as a new version of the same job id.
  The same rule covers a job adopted by `flinkops import`: it carries no identity at
  all, and the store's adopted version names it by its job id.

The REST calls of the runner's ``rescale`` step are ``flinkops.apply.health.rescale_job``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

from flinkops.flink.live import LiveJob, Ownership
from flinkops.plan._types import Action, Applied, StateImpact
from flinkops.spec import JobSpec
from flinkops.store import RUNNING_OUTCOMES, Outcome

__all__ = [
    "NOT_ADAPTIVE",
    "adaptive_scheduler",
    "adopted_runs",
    "in_place_versions",
    "only_parallelism_changed",
    "rescalable",
    "rescale_fields",
]

_RUNTIME = ("flinkConfiguration", "upgradeMode", "allowNonRestoredState", "sql")


def adaptive_scheduler(jobmanager_config: Mapping[str, str]) -> bool:
    """Whether the cluster's JobManager runs the adaptive scheduler."""
    return jobmanager_config.get("jobmanager.scheduler", "").strip().lower() == "adaptive"


def only_parallelism_changed(spec: JobSpec, applied: Applied) -> bool:
    """The applied spec and ``spec`` differ in parallelism and in nothing that reaches
    the job (SQL, Flink configuration, upgrade mode), both in their stored form."""
    new = spec.portable(spec.to_json(redacted=False))
    old = dict(applied.spec)
    if spec.parallelism is None or old.get("parallelism") == spec.parallelism:
        return False
    return all(old.get(k) == new.get(k) for k in _RUNTIME)


def rescalable(spec: JobSpec, run: LiveJob, applied: Applied | None) -> bool:
    """Whether replacing the active ``run`` with ``spec`` is a parallelism-only change of
    the version it runs (no drift): an in-place rescale on an adaptive-scheduler cluster,
    else a savepoint update whose reason says why (``NOT_ADAPTIVE``). Pure."""
    return (
        applied is not None
        and run.active
        and run.spec_hash == applied.spec_hash
        and only_parallelism_changed(spec, applied)
    )


#: What a parallelism-only update's reason adds on a cluster without the adaptive scheduler.
NOT_ADAPTIVE = (
    "; a savepoint update, not an in-place rescale: the cluster does not run "
    "the adaptive scheduler (jobmanager.scheduler: adaptive)"
)


def rescale_fields(spec: JobSpec, applied: Applied) -> dict[str, Any]:
    """What a RESCALE change says and carries beyond any change of the job (its
    reason, state impact and the two parallelisms). Pure."""
    before = applied.spec.get("parallelism")
    return {
        "action": Action.RESCALE,
        "state": StateImpact.PRESERVED,
        "reason": f"parallelism {before} -> {spec.parallelism}, rescaled in place",
        "state_reasons": (
            "kept: the adaptive scheduler restarts the tasks from the job's "
            "latest checkpoint (same job, no savepoint)",
        ),
        "parallelism": spec.parallelism,
        "previous_parallelism": before if isinstance(before, int) else None,
    }


class _Recorded(Protocol):
    # read-only members: Applied and VersionRecord are frozen dataclasses
    @property
    def version(self) -> int: ...
    @property
    def spec_hash(self) -> str: ...
    @property
    def job_id(self) -> str | None: ...
    @property
    def outcome(self) -> Outcome: ...


def adopted_runs(
    live: Sequence[LiveJob], versions: Mapping[str, Sequence[_Recorded]]
) -> list[LiveJob]:
    """Jobs without flinkops's identity whose id an ``adopted`` version recorded: managed
    under that job's name, at that version. Pure. ``versions`` maps job name to all its
    versions; the old run an update replaced is then the job's run, not an unmanaged one.
    A read in the project's scope already names such a job (``flink.live.Scope.owns``:
    a job the store recorded is the project's); this gives it the adopted version."""
    adopted = {
        v.job_id: (name, v)
        for name, records in versions.items()
        for v in records
        if v.job_id and v.outcome == Outcome.ADOPTED
    }
    out = []
    for job in live:
        # read without the project's scope (unmanaged), or named by it without a version
        unversioned = job.ownership is Ownership.UNMANAGED or (
            job.managed_name is not None and job.version is None
        )
        if unversioned and job.job_id in adopted:
            name, v = adopted[job.job_id]
            job = replace(job, managed_name=name, version=v.version, spec_hash=v.spec_hash)
        out.append(job)
    return out


def in_place_versions(live: Sequence[LiveJob], applied: Mapping[str, _Recorded]) -> list[LiveJob]:
    """Jobs as the store knows them. Pure. ``applied`` maps job name to its last applied
    version (``Applied``) or newest ``VersionRecord``; a version counts when its job runs
    it (``RUNNING_OUTCOMES``: applied or adopted) and it recorded the job's id.

    - A job the store recorded as a later version of the same job id (a rescale) carries
      that version and spec hash.
    - A job without flinkops's identity whose id the store recorded (adopted by
      `flinkops import`, perhaps rescaled since) is managed under that name, at that
      version and spec hash, until its first update submits it with an identity.
    """
    adopted = {
        r.job_id: name for name, r in applied.items() if r.job_id and r.outcome in RUNNING_OUTCOMES
    }
    out = []
    for job in live:
        name = job.managed_name
        if job.ownership is Ownership.UNMANAGED and job.job_id in adopted:
            name = adopted[job.job_id]
            job = replace(job, managed_name=name)
        last = applied.get(name or "")
        if (
            last is not None
            and last.outcome in RUNNING_OUTCOMES
            and last.job_id == job.job_id
            and last.version > (job.version or 0)
        ):
            job = replace(job, version=last.version, spec_hash=last.spec_hash)
        out.append(job)
    return out
