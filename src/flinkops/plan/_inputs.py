"""What ``build_plan`` is handed besides the specs: the one ``Observation`` of the cluster
and the store (read by ``plan/observe.py``), Flink's ``Verdicts`` and the
``PlanOptions``. Pure data; ``flinkops.plan`` re-exports every name here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flinkops.flink.live import LiveJob
from flinkops.flink.models import Overview
from flinkops.flink.snapshots import SAVEPOINT_DIR_KEYS
from flinkops.plan._rehearsal import RehearseSettings
from flinkops.plan._types import Applied, Attempt, Behind, Compat, Migration
from flinkops.plan.compiler import ClusterIdentity
from flinkops.plan.rejections import SqlRejected
from flinkops.plan.rescale import adaptive_scheduler
from flinkops.store import Transition

__all__ = ["Observation", "PlanOptions", "Verdicts"]


def _no_overview() -> Overview:
    return Overview.from_json({})


@dataclass(frozen=True)
class Observation:
    """Everything a plan reads, each read once (``observe.observe``).

    From the cluster: its ``overview`` (version, revision), its JobManager configuration
    (None when it could not be read), its ``identity`` for the compile cache (None when
    nothing is compiled, or when the configuration could not be read) and its jobs
    (``live``, as the store knows them: ``rescale.in_place_versions``). From the store,
    per job: the version last put in place (``applied``, its ``savepoint`` the freshest
    state known, a stopped run's retained checkpoint included), the newest version
    recorded whatever its outcome (``attempts``), and the transitions an apply left
    open. From git, per job whose newest placing transition (the store's history) came
    from a commit the checkout's history lacks, or may lack: ``behind``.
    ``failed_runs``: per managed job whose newest run FAILED, that run (its version,
    when, Flink's root cause, whether the cluster failed it). ``migration``: the target's
    cluster changed under jobs the store has running (``_migrate_observe.py``), with
    ``old_live`` the old cluster's jobs. ``at`` is when it was read: the plan's
    ``created_at``.
    """

    target: str
    url: str = ""
    overview: Overview = field(default_factory=_no_overview)
    jobmanager_config: Mapping[str, str] | None = field(default_factory=dict)
    identity: ClusterIdentity | None = None
    live: tuple[LiveJob, ...] = ()
    applied: Mapping[str, Applied] = field(default_factory=dict)
    attempts: Mapping[str, Attempt] = field(default_factory=dict)
    failed_runs: Mapping[str, Attempt] = field(default_factory=dict)
    retained: Mapping[str, str] = field(default_factory=dict)
    #: per job whose run stopped or is gone: where its snapshots were looked for
    #: (``flink/snapshots.py``), which a plan that starts it empty names
    searched: Mapping[str, str] = field(default_factory=dict)
    open_transitions: tuple[Transition, ...] = ()
    behind: Mapping[str, Behind] = field(default_factory=dict)
    migration: Migration | None = None
    old_live: tuple[LiveJob, ...] = ()
    at: str = ""

    @property
    def flink_version(self) -> str:
        return self.overview.flink_version

    @property
    def default_savepoint_dir(self) -> str | None:
        """The cluster's savepoint directory, for jobs that set none."""
        conf = self.jobmanager_config or {}
        return next((conf[k] for k in SAVEPOINT_DIR_KEYS if conf.get(k)), None)

    @property
    def adaptive_scheduler(self) -> bool:
        """Whether the cluster rescales jobs in place (``plan/rescale.py``)."""
        return adaptive_scheduler(self.jobmanager_config or {})


@dataclass(frozen=True)
class Verdicts:
    """Flink's planner on the plan's specs: per job whose SQL changed, its verdict on
    restoring the old state (``compat``); per job whose SQL it rejects, where and why
    (``rejected``: an error of the plan); per job moved to another Flink, the two
    versions' graphs compared (``upgrade``); and warnings."""

    compat: Mapping[str, Compat] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    rejected: Mapping[str, SqlRejected] = field(default_factory=dict)
    #: per job a migration moves to another Flink: its applied version compiled by the
    #: old cluster's planner against the spec compiled by the new one's
    #: (``_migrate_observe.upgrade_verdicts``)
    upgrade: Mapping[str, Compat] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanOptions:
    """How a plan is asked for: ``prune`` deletes managed jobs whose spec is gone;
    ``only`` limits the plan to those job names; ``retry_failed`` plans a spec whose
    newest version failed or was rolled back instead of blocking it; ``allow_behind``
    plans a job the checkout is behind (``Observation.behind``) instead of blocking it;
    ``rehearse`` (apply --rehearse) puts a ``rehearse`` step before the stop of each
    update that restores a running job's state: apply stops the job only if it restored."""

    prune: bool = False
    only: tuple[str, ...] | None = None
    retry_failed: bool = False
    allow_behind: bool = False
    rehearse: RehearseSettings | None = None

    def planned(self, job: str) -> bool:
        """Whether the plan covers ``job``."""
        return not self.only or job in self.only
