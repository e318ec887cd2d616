"""Read what a plan needs: the target's live jobs, the version store, Flink's verdicts.

This is the I/O side of planning; ``build_plan`` stays pure. ``make_plan`` wires
it: observe, ask Flink's planner for state compatibility where SQL changed,
compute lineage, then build.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from flinkops.errors import FlinkError
from flinkops.flink.live import LiveJob, latest_checkpoint, read_live, runs_of
from flinkops.flink.rest import FlinkClient
from flinkops.plan._diffs import sql_changed
from flinkops.plan._lineage import LineageView, lineage_view
from flinkops.plan._types import Action, Applied, Attempt, Compat, CompatBasis, Plan, StateImpact
from flinkops.plan.builder import build_plan
from flinkops.plan.compat import compare_graphs, unknown
from flinkops.plan.compiler import Compiled, Compiler, CompileRequest
from flinkops.plan.rescale import adaptive_scheduler, in_place_versions, rescale_plan
from flinkops.spec import JobSpec
from flinkops.store import Store, utc_now

__all__ = [
    "APPLIED_OUTCOMES",
    "Observed",
    "applied_from_store",
    "attempts_from_store",
    "make_plan",
    "observe",
]

#: Version outcomes that mean "this is what flinkops last put in place".
APPLIED_OUTCOMES = ("applied", "suspended", "cancelled", "deleted")
_SAVEPOINT_DIR_KEYS = ("execution.checkpointing.savepoint-dir", "state.savepoints.dir")


@dataclass(frozen=True)
class Observed:
    target: str
    url: str
    flink_version: str
    live: list[LiveJob]
    applied: dict[str, Applied]
    default_savepoint_dir: str | None
    retained: dict[str, str] = field(default_factory=dict)
    adaptive_scheduler: bool = False  # the cluster rescales jobs in place (plan/rescale.py)


def applied_from_store(store: Store, target: str, job: str) -> Applied | None:
    """The last version flinkops put in place, and the savepoint to restore from."""
    versions = [v for v in store.versions(target, job) if v.outcome in APPLIED_OUTCOMES]
    if not versions:
        return None
    last = versions[-1]
    savepoint = last.savepoint
    if last.outcome != "suspended":
        latest = store.latest_savepoint(target, job)
        savepoint = latest.location if latest else None
    return Applied(
        version=last.version,
        spec_hash=last.spec_hash,
        sql=last.sql,
        spec=last.spec,
        outcome=last.outcome,
        savepoint=savepoint,
        job_id=last.job_id,
    )


def observe(
    client: FlinkClient, store: Store, target: str, url: str, specs: Sequence[JobSpec]
) -> Observed:
    """What the cluster and the store say now. FlinkUnreachable when the cluster is down."""
    overview = client.overview()
    live = read_live(client, target)
    names = {s.name for s in specs} | {j.managed_name for j in live if j.managed_name}
    applied: dict[str, Applied] = {}
    for name in sorted(n for n in names if n):
        found = applied_from_store(store, target, name)
        if found is not None:
            applied[name] = found
    # A managed job that stopped on its own (FAILED, or cancelled outside flinkops) may
    # have retained checkpoints: the freshest state there is to restart from.
    retained: dict[str, str] = {}
    managed = {j.managed_name for j in live if j.managed_name}
    for name in sorted(managed):
        job = runs_of(live, name).newest
        if job is not None and not job.active and job.state in ("FAILED", "CANCELED"):
            path = latest_checkpoint(client, job.job_id, or_savepoint=True)
            if path:
                retained[name] = path
                if name in applied and applied[name].outcome == "applied":
                    applied[name] = replace(applied[name], savepoint=path)
    conf = {}
    try:
        conf = client.jobmanager_config()
    except FlinkError:
        conf = {}
    default_dir = next((conf[k] for k in _SAVEPOINT_DIR_KEYS if conf.get(k)), None)
    return Observed(
        target=target,
        url=url,
        flink_version=overview.flink_version,
        live=in_place_versions(live, applied),
        applied=applied,
        default_savepoint_dir=default_dir,
        retained=retained,
        adaptive_scheduler=adaptive_scheduler(conf),
    )


def _compat(spec: JobSpec, new: Compiled, old: Compiled) -> Compat:
    """Compare the applied and the new graph, each compiled with its own configuration.

    Configuration matters: mini-batch settings, for one, turn a GroupAggregate into
    Local/GlobalGroupAggregate, whose state differs.
    """
    if new.graph is None:
        why = f"Flink rejects the new SQL: {new.error}"
        return Compat(StateImpact.AT_RISK, (why,), basis=CompatBasis.NEW_SQL_REJECTED)
    if old.graph is None:
        why = f"the applied SQL no longer compiles: {old.error}"
        return replace(unknown(why), basis=CompatBasis.APPLIED_SQL_REJECTED)
    return compare_graphs(
        old.graph, new.graph, allow_non_restored_state=spec.allow_non_restored_state
    )


def _verdicts(
    compiler: Compiler, plan: Plan, specs: Sequence[JobSpec], applied: dict[str, Applied]
) -> tuple[dict[str, Compat], list[str]]:
    """Flink's verdict per job whose SQL changed; other started jobs' SQL checked to compile.

    Every graph needed comes from the compile cache or one parallel batch of compiles.
    """
    by_name = {s.name: s for s in specs}
    starts = (Action.CREATE, Action.RESUME, Action.RESTART, Action.UPDATE)
    todo: list[tuple[JobSpec, CompileRequest, CompileRequest | None]] = []
    for change in plan.changes:
        spec = by_name.get(change.job)
        if spec is None or change.action not in starts:
            continue
        before = applied.get(change.job)
        old = None
        if change.action is not Action.CREATE and before and sql_changed(spec, before):
            old = CompileRequest.of_version(spec, before.sql, before.spec)
        todo.append((spec, CompileRequest.of_spec(spec), old))
    requests = [r for _, new, old in todo for r in (new, old) if r is not None]
    results = compiler.compile_many(requests)
    compat: dict[str, Compat] = {}
    warnings: list[str] = []
    for spec, new, old in todo:
        if old is not None:
            verdict = compat[spec.name] = _compat(spec, results[new], results[old])
            if verdict.basis is CompatBasis.NEW_SQL_REJECTED:
                warnings.append(f"{spec.name}: {verdict.reasons[0]}")
        elif results[new].error is not None:
            warnings.append(f"{spec.name}: Flink rejects the SQL: {results[new].error}")
    return compat, warnings


def attempts_from_store(store: Store, target: str, jobs: Sequence[str]) -> dict[str, Attempt]:
    """Per job, the newest version the store recorded, whatever its outcome."""
    out: dict[str, Attempt] = {}
    for job in jobs:
        v = store.latest_version(target, job, outcome=None)
        if v is not None:
            out[job] = Attempt(v.version, v.outcome, v.spec_hash, v.applied_at, v.message)
    return out


def _interrupted(store: Store, target: str) -> list[str]:
    """Transitions an apply left open (killed, or the cluster stopped answering)."""
    out = []
    for t in store.open_transitions(target):
        last = t.steps[-1] if t.steps else None
        where = f" at step '{last.step}' ({last.phase})" if last else ""
        if any(e.phase == "failed" and e.data.get("then") for e in t.steps):
            where = f" (it was rolling back or cleaning up){where}"
        out.append(
            f"{t.job}: an earlier apply's {t.action} did not finish{where} (transition "
            f"{t.id}, started {t.started_at}); the next apply finishes or rolls it "
            "back first"
        )
    return out


def _plan_args(
    store: Store,
    observed: Observed,
    specs: Sequence[JobSpec],
    *,
    prune: bool,
    only: Sequence[str] | None,
    retry_failed: bool,
) -> dict[str, Any]:
    """The ``build_plan`` arguments both of make_plan's builds share."""
    names = {s.name for s in specs} | {j.managed_name for j in observed.live if j.managed_name}
    target = observed.target
    return {
        "attempts": attempts_from_store(store, target, sorted(n for n in names if n)),
        "retry_failed": retry_failed,
        "target": target,
        "url": observed.url,
        "prune": prune,
        "only": only,
        "default_savepoint_dir": observed.default_savepoint_dir,
        "flink_version": observed.flink_version,
        "created_at": utc_now(),
    }


def _annotated(
    plan: Plan, view: LineageView, warnings: Sequence[str], *, retry_failed: bool
) -> Plan:
    """``plan`` with ``warnings`` (after its own) and the extras its JSON carries: the
    lineage chart of the changed jobs, and whether failed versions are retried."""
    changed = {c.job for c in plan.changes if c.action is not Action.NOOP}
    mermaid = view.mermaid(changed)
    extra: dict[str, Any] = {"lineage_mermaid": mermaid} if mermaid else {}
    if retry_failed:
        extra["retry_failed"] = True
    return replace(plan, warnings=tuple(warnings), extra=extra)


def make_plan(
    client: FlinkClient,
    store: Store,
    *,
    target: str,
    url: str,
    specs: Sequence[JobSpec],
    prune: bool = False,
    only: Sequence[str] | None = None,
    check_compat: bool = True,
    retry_failed: bool = False,
    compiler: Compiler | None = None,
) -> Plan:
    """Observe, check state compatibility with Flink's planner, and build the plan.

    ``retry_failed`` plans a spec whose newest version failed or was rolled back
    instead of blocking it; ``compiler`` sets the compile cache and concurrency
    (default: the environment's)."""
    observed = observe(client, store, target, url, specs)
    args = _plan_args(store, observed, specs, prune=prune, only=only, retry_failed=retry_failed)
    compat: dict[str, Compat] = {}
    warnings: list[str] = []
    if check_compat:
        first = build_plan(specs, observed.live, observed.applied, **args)
        compiler = compiler or Compiler(client, store)
        compat, warnings = _verdicts(compiler, first, specs, observed.applied)
    view = lineage_view(specs, observed.applied)
    plan = build_plan(
        specs,
        observed.live,
        observed.applied,
        compat=compat,
        lineage=view.diffs,
        downstream=view.downstream,
        **args,
    )
    plan = rescale_plan(
        plan,
        specs,
        observed.applied,
        adaptive=observed.adaptive_scheduler,
        default_savepoint_dir=observed.default_savepoint_dir,
    )
    warnings = [*_interrupted(store, target), *plan.warnings, *warnings, *view.warnings]
    return _annotated(plan, view, warnings, retry_failed=retry_failed)
