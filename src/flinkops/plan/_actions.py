"""Which action a plan takes for a spec, decided before any change is built. Pure.

The builder builds each change by this action (``builder.py``), and which specs need
Flink's planner follows from it before any plan exists (``_verdicts.py``): a spec
whose action puts a version in place is compiled. Flink's verdicts change a change's
state impact, never its action, so the action needs none.
"""

from __future__ import annotations

from flinkops.flink.live import LiveJob
from flinkops.plan._types import Action, Applied, Attempt
from flinkops.plan.rescale import rescalable
from flinkops.spec import JobSpec
from flinkops.store import Outcome

__all__ = [
    "PUTS_VERSION",
    "blocking_attempt",
    "only_how_applied_changed",
    "retried_attempt",
    "spec_action",
]

#: The actions that put a new version of a spec in place (apply records it).
PUTS_VERSION = frozenset(
    {
        Action.CREATE,
        Action.RESUME,
        Action.UPDATE,
        Action.RESTART,
        Action.MIGRATE,
        Action.RESCALE,
        Action.RECORD,
    }
)
_ENDED = ("FAILED", "FINISHED", "CANCELED")


def spec_action(
    spec: JobSpec, run: LiveJob | None, applied: Applied | None, *, adaptive: bool
) -> Action:
    """What the plan does with ``spec``, before a failed attempt may block it.

    ``run`` is the run that speaks for the job (``flinkops.flink.live.newest_run``),
    ``applied`` the version flinkops last put in place, ``adaptive`` whether the cluster
    rescales jobs in place.
    """
    active = run if run is not None and run.active else None
    if spec.state != "running":
        if active is None:
            return Action.NOOP
        return Action.SUSPEND if spec.state == "suspended" else Action.CANCEL
    if active is not None:
        return _replace_action(spec, active, applied, adaptive=adaptive)
    if applied is not None and applied.outcome == Outcome.SUSPENDED:
        return Action.RESUME
    if applied is not None and applied.outcome not in (Outcome.CANCELLED, Outcome.DELETED):
        return Action.RESTART  # drift: it stopped outside flinkops
    if applied is None and run is not None and run.state in _ENDED:
        return Action.RESTART  # drift, with no applied version in the store
    return Action.CREATE


def _replace_action(
    spec: JobSpec, active: LiveJob, applied: Applied | None, *, adaptive: bool
) -> Action:
    """Desired running and a run is active: in sync, or what replaces it."""
    if active.spec_hash == spec.spec_hash:
        return Action.NOOP
    drift = applied is not None and active.spec_hash != applied.spec_hash
    if drift and applied is not None and applied.spec_hash == spec.spec_hash:
        return Action.RESTART  # the live job is not the applied one: resubmit that
    if not drift and applied is not None and only_how_applied_changed(spec, applied):
        return Action.RECORD
    if adaptive and rescalable(spec, active, applied):
        return Action.RESCALE
    return Action.UPDATE


def only_how_applied_changed(spec: JobSpec, applied: Applied) -> bool:
    """``spec`` differs from the applied version only in how a version is put in place
    (``upgradeMode``, ``allowNonRestoredState``), which reach no running job: what Flink
    runs (SQL, secrets, configuration, parallelism) is the same. Pure."""
    stored = applied.spec
    as_applied = spec.spec_hash_applied_as(
        str(stored.get("upgradeMode", "savepoint")),
        bool(stored.get("allowNonRestoredState", False)),
    )
    return spec.spec_hash != applied.spec_hash and as_applied == applied.spec_hash


def blocking_attempt(
    spec: JobSpec,
    action: Action,
    attempt: Attempt | None,
    *,
    failed_run: Attempt | None = None,
    retry_failed: bool,
) -> Attempt | None:
    """The attempt that blocks ``action``: it would put in place a spec (the same spec
    hash) whose newest recorded version failed or was rolled back, or whose applied
    version's job FAILED since, or keeps restarting (``failed_run``, with Flink's root
    cause; a crash-looping job in sync is shown blocked too), and retrying
    it on every apply would restart a crash-looping job, or a healthy one, for nothing.
    A failure the cluster caused (INFRA_FAILED) blocks nothing; a changed spec or
    ``retry_failed`` lifts the block."""
    if retry_failed:
        return None
    if action is Action.NOOP and failed_run is not None and failed_run.restarts:
        # in sync, but crash-looping: shown blocked (apply leaves it alone either way)
        return failed_run if failed_run.spec_hash == spec.spec_hash else None
    if action not in PUTS_VERSION:
        return None
    for candidate in (attempt, failed_run):
        if candidate is not None and candidate.failed and candidate.spec_hash == spec.spec_hash:
            return candidate
    return None


def retried_attempt(
    spec: JobSpec, action: Action, attempt: Attempt | None, failed_run: Attempt | None
) -> Attempt | None:
    """The version of this spec the cluster failed (a TaskManager lost, slots missing)
    that ``action`` tries again, for the plan to say so; None when there is none."""
    if action not in PUTS_VERSION:
        return None
    for candidate in (attempt, failed_run):
        if (
            candidate is not None
            and candidate.outcome == Outcome.INFRA_FAILED
            and candidate.spec_hash == spec.spec_hash
        ):
            return candidate
    return None
