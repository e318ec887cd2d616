"""What a plan reads from the live jobs beyond each job's own change: which live job
stands for a managed name, and warnings no single change says. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from flinkops.flink.live import LiveJob, Ownership, runs_by_name
from flinkops.plan._types import Action, Change

__all__ = ["current_live", "live_warnings"]


def live_warnings(changes: Sequence[Change], live: Sequence[LiveJob]) -> tuple[str, ...]:
    """What a reviewer should know that no single change says."""
    out: list[str] = []
    planned = {c.job: c for c in changes}
    active: dict[str, list[str]] = {}
    for job in live:
        if job.managed_name and job.active:
            active.setdefault(job.managed_name, []).append(job.job_id)
    for name, ids in sorted(active.items()):
        if name in planned and len(ids) > 1:
            out.append(
                f"{name}: {len(ids)} live jobs carry its identity ({', '.join(sorted(ids))}); "
                "the plan acts on the newest, cancel the others by hand"
            )
    for job in live:
        change = planned.get(job.name)
        if (
            job.managed_name is None
            and job.active
            and not job.unidentified
            and change is not None
            and change.action in (Action.CREATE, Action.RESUME, Action.RESTART)
        ):
            out.append(
                f"{job.name}: {_whose(job)} of that name is {job.state} ({job.job_id}); "
                f"{change.action.value} starts another one beside it"
            )
    out.extend(
        f"{job.name}: the configuration of {job.state} job {job.job_id} could not be read "
        f"({job.identity_error}); no job of this project has its name or id, so it is "
        "taken for another's and left alone"
        for job in live
        if job.unidentified  # observe refused any that may be the project's
    )
    return tuple(out)


def _whose(job: LiveJob) -> str:
    """How a warning names a live job that is not the project's."""
    if job.ownership is Ownership.OTHER_PROJECT:
        return (
            f"project {job.identity_project}'s job"
            if job.identity_project
            else ("another project's job")
        )
    return "an unmanaged job"


def current_live(live: Sequence[LiveJob]) -> dict[str, LiveJob]:
    """Per managed name, the job that speaks for it (the read model's ``newest_run``)."""
    return {name: runs.newest for name, runs in runs_by_name(live).items() if runs.newest}
