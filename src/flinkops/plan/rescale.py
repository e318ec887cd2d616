"""In-place rescale: a parallelism-only change on a cluster running the adaptive scheduler.

Flink ≥ 1.18 changes a running job's parallelism through ``PUT
/jobs/:id/resource-requirements`` when ``jobmanager.scheduler: adaptive``: the job
keeps its id, restarts its tasks from its latest checkpoint (``latest.restored`` in
its checkpoint stats) and needs no savepoint round-trip.

- ``rescale_plan`` (pure) turns each eligible update of a plan into a RESCALE
  change, or says in the update's reason why it could not be one.
- ``in_place_versions`` (pure) lets the store speak for a rescaled job: the job
  still carries the identity it was submitted with (an older version and spec
  hash), while the store recorded the rescale as a new version of the same job id.

The REST calls of the runner's ``rescale`` step are ``flinkops.apply.health.rescale_job``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from flinkops.flink.live import LiveJob
from flinkops.plan._types import Action, Applied, Change, Plan, StateImpact
from flinkops.plan.steps import spec_steps
from flinkops.spec import JobSpec

__all__ = [
    "adaptive_scheduler",
    "in_place_versions",
    "only_parallelism_changed",
    "rescale_plan",
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


def rescale_plan(
    plan: Plan,
    specs: Sequence[JobSpec],
    applied: Mapping[str, Applied],
    *,
    adaptive: bool,
    default_savepoint_dir: str | None = None,
) -> Plan:
    """``plan`` with its parallelism-only updates as RESCALE changes (``adaptive``), or
    with the reason they stay savepoint updates. Pure."""
    by_name = {s.name: s for s in specs}
    changes = []
    for c in plan.changes:
        spec, last = by_name.get(c.job), applied.get(c.job)
        eligible = (
            c.action is Action.UPDATE
            and spec is not None
            and last is not None
            and c.live is not None
            and c.live.active
            and c.live.spec_hash == last.spec_hash
            and only_parallelism_changed(spec, last)
        )
        if not eligible:
            changes.append(c)
        elif adaptive:
            assert spec is not None and last is not None
            changes.append(_rescale(c, spec, last, default_savepoint_dir))
        else:
            why = (
                "; a savepoint update, not an in-place rescale: the cluster does not run "
                "the adaptive scheduler (jobmanager.scheduler: adaptive)"
            )
            changes.append(replace(c, reason=c.reason + why))
    return replace(plan, changes=tuple(changes))


def _rescale(c: Change, spec: JobSpec, last: Applied, savepoint_dir: str | None) -> Change:
    before = last.spec.get("parallelism")
    change = replace(
        c,
        action=Action.RESCALE,
        state=StateImpact.PRESERVED,
        reason=f"parallelism {before} -> {spec.parallelism}, rescaled in place",
        state_reason="kept: the adaptive scheduler restarts the tasks from the job's latest "
        "checkpoint (same job, no savepoint)",
        restore_from=None,
        parallelism=spec.parallelism,
        previous_parallelism=before if isinstance(before, int) else None,
        missing_savepoint_dir=False,
    )
    return replace(change, steps=tuple(spec_steps(change, spec, savepoint_dir)))


class _Recorded(Protocol):
    # read-only members: Applied and VersionRecord are frozen dataclasses
    @property
    def version(self) -> int: ...
    @property
    def spec_hash(self) -> str: ...
    @property
    def job_id(self) -> str | None: ...
    @property
    def outcome(self) -> str: ...


def in_place_versions(live: Sequence[LiveJob], applied: Mapping[str, _Recorded]) -> list[LiveJob]:
    """Jobs as the store knows them: a job the store recorded as a later applied version
    of the same job id (a rescale) carries that version and spec hash. Pure. ``applied``
    maps job name to its last applied version (``Applied``) or newest ``VersionRecord``."""
    out = []
    for job in live:
        last = applied.get(job.managed_name or "")
        if (
            last is not None
            and last.outcome == "applied"
            and last.job_id == job.job_id
            and last.version > (job.version or 0)
        ):
            job = replace(job, version=last.version, spec_hash=last.spec_hash)
        out.append(job)
    return out
