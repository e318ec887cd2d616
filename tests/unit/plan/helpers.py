"""Helpers of the pure build_plan tests: what a plan observed, a plan from a few specs,
its one change."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flinkops.flink.live import LiveJob
from flinkops.flink.models import Overview
from flinkops.plan import (
    Applied,
    Attempt,
    Behind,
    Change,
    Compat,
    LineageView,
    Observation,
    Plan,
    PlanOptions,
    Rehearsal,
    RehearseSettings,
    SqlRejected,
    Verdicts,
    build_plan,
)


def observed(
    live: Sequence[LiveJob] = (),
    applied: Mapping[str, Applied] | None = None,
    *,
    target: str = "local",
    url: str = "",
    flink_version: str = "",
    created_at: str = "",
    default_savepoint_dir: str | None = None,
    adaptive: bool = False,
    attempts: Mapping[str, Attempt] | None = None,
    behind: Mapping[str, Behind] | None = None,
    failed_runs: Mapping[str, Attempt] | None = None,
) -> Observation:
    """An ``Observation`` of ``live`` jobs and ``applied`` versions; the cluster's
    savepoint directory and scheduler as its JobManager configuration would say."""
    conf = {"state.savepoints.dir": default_savepoint_dir} if default_savepoint_dir else {}
    if adaptive:
        conf["jobmanager.scheduler"] = "adaptive"
    return Observation(
        target=target,
        url=url,
        overview=Overview.from_json({"flink-version": flink_version}),
        jobmanager_config=conf,
        live=tuple(live),
        applied=dict(applied or {}),
        attempts=dict(attempts or {}),
        behind=dict(behind or {}),
        failed_runs=dict(failed_runs or {}),
        at=created_at,
    )


def plan_of(
    specs: Any,
    live: Any = (),
    applied: Any = None,
    *,
    compat: Mapping[str, Compat] | None = None,
    rejected: Mapping[str, SqlRejected] | None = None,
    lineage: LineageView | None = None,
    prune: bool = False,
    only: Sequence[str] | None = None,
    retry_failed: bool = False,
    allow_behind: bool = False,
    rehearsals: Mapping[str, Rehearsal] | None = None,
    rehearse: RehearseSettings | None = None,
    **seen: Any,
) -> Plan:
    """``build_plan`` on target ``local`` unless told, ``applied`` empty unless given,
    Flink's verdicts (``compat``) and rejections (``rejected``) as given; ``seen`` is what
    else the observation holds (``observed``)."""
    options = PlanOptions(
        prune=prune,
        only=tuple(only) if only else None,
        retry_failed=retry_failed,
        allow_behind=allow_behind,
        rehearse=rehearse,
    )
    verdicts = Verdicts(compat or {}, rejected=rejected or {})
    return build_plan(
        list(specs), observed(live, applied, **seen), verdicts, lineage, options, rehearsals
    )


def only_change(plan: Plan) -> Change:
    assert len(plan.changes) == 1, plan.changes
    return plan.changes[0]
