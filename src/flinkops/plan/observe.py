"""Read what a plan needs, once, and make the plan: the I/O side of planning.

``make_plan`` wires it in three steps:

1. ``observe`` reads the cluster and the store into one ``Observation``
   (``_inputs.py``): ``GET /overview``, ``/jobmanager/config``,
   ``/jobmanager/environment`` (the cluster's identity for the compile cache),
   ``/jobs/overview`` and the ``/config`` of each active job and each job the
   project's store recorded (``flink.live.read_live`` in the project's ``scope``), the
   retained checkpoint of each managed run that stopped on its own; each job's
   versions and newest savepoint, and the transitions left open. Nothing reads
   either again.
2. Flink's planner compiles what the specs and the observation say needs it
   (``_verdicts.compile_needs``), keyed by the observed identity (``compiler.py``).
3. ``builder.build_plan`` makes the final plan in one pass, with the lineage view
   (``_lineage.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from flinkops.errors import FlinkError, PlanError
from flinkops.flink.live import LiveJob, latest_checkpoint, read_live, runs_of
from flinkops.flink.models import Overview
from flinkops.flink.rest import FlinkClient
from flinkops.plan._inputs import Observation, PlanOptions, Verdicts
from flinkops.plan._lineage import lineage_view
from flinkops.plan._state import known_state
from flinkops.plan._types import Applied, Attempt, Plan
from flinkops.plan._verdicts import compile_needs, verdicts_of
from flinkops.plan.builder import build_plan
from flinkops.plan.compiler import ClusterIdentity, Compiler, identity_of, read_environment
from flinkops.plan.rescale import in_place_versions
from flinkops.plan.scope import project_scope
from flinkops.spec import JobSpec
from flinkops.store import Outcome, SavepointRecord, Store, VersionRecord, utc_now

__all__ = ["APPLIED_OUTCOMES", "applied_from_store", "make_plan", "observe"]

#: Version outcomes that mean "this is what flinkops last put in place".
APPLIED_OUTCOMES = (Outcome.APPLIED, Outcome.SUSPENDED, Outcome.CANCELLED, Outcome.DELETED)


def applied_from_store(store: Store, target: str, job: str) -> Applied | None:
    """The last version flinkops put in place, and the savepoint to restore from."""
    return _applied(store, target, job, store.versions(target, job))


def _applied(
    store: Store, target: str, job: str, versions: Sequence[VersionRecord]
) -> Applied | None:
    """``applied_from_store`` over ``versions`` already read (and the job's savepoints,
    read once: the newest, and the Flink version that wrote the one to restore)."""
    placed = [v for v in versions if v.outcome in APPLIED_OUTCOMES]
    if not placed:
        return None
    last = placed[-1]
    savepoints = store.savepoints(target, job)
    newest = savepoints[0] if savepoints else None
    known = known_state(last, newest)
    return Applied(
        version=last.version,
        spec_hash=last.spec_hash,
        sql=last.sql,
        spec=last.spec,
        outcome=last.outcome,
        savepoint=known,
        job_id=last.job_id,
        savepoint_flink_version=_written_by(savepoints, known),
    )


def _written_by(savepoints: Sequence[SavepointRecord], location: str | None) -> str | None:
    """The Flink version that wrote the savepoint at ``location``, when recorded."""
    found = next((s for s in savepoints if location and s.location == location), None)
    return found.flink_version if found else None


def _attempt(versions: Sequence[VersionRecord]) -> Attempt | None:
    """The newest version the store recorded, whatever its outcome."""
    if not versions:
        return None
    v = versions[-1]
    return Attempt(v.version, v.outcome, v.spec_hash, v.applied_at, v.message)


def observe(
    client: FlinkClient,
    store: Store,
    *,
    target: str,
    url: str,
    specs: Sequence[JobSpec],
    identity: bool = True,
    project: str | None = None,
) -> Observation:
    """What the cluster and the store say now, each read once. ``identity``: read the
    cluster's identity too (plans that compile need it); ``project``: the project's id
    (its jobs are the managed ones; None: ids not compared). FlinkUnreachable when the
    cluster is down; PlanError when an active job that may be the project's cannot be
    identified."""
    overview = client.overview()
    scope = project_scope(store, target, project, names=(s.name for s in specs), known_only=True)
    live = read_live(client, scope)
    names = {s.name for s in specs} | {j.managed_name for j in live if j.managed_name}
    applied: dict[str, Applied] = {}
    attempts: dict[str, Attempt] = {}
    for name in sorted(n for n in names if n):
        versions = store.versions(target, name)
        found, attempt = _applied(store, target, name, versions), _attempt(versions)
        if found is not None:
            applied[name] = found
        if attempt is not None:
            attempts[name] = attempt
    retained = _retained(client, live)
    for name, path in retained.items():
        if name in applied and applied[name].outcome == Outcome.APPLIED:
            # written by this cluster: restoring it into the cluster is no downgrade
            applied[name] = replace(applied[name], savepoint=path, savepoint_flink_version=None)
    conf = _jobmanager_config(client)
    return Observation(
        target=target,
        url=url,
        overview=overview,
        jobmanager_config=conf,
        identity=_identity(client, overview, conf) if identity else None,
        live=tuple(in_place_versions(live, applied)),
        applied=applied,
        attempts=attempts,
        retained=retained,
        open_transitions=tuple(store.open_transitions(target)),
        at=utc_now(),
    )


def _retained(client: FlinkClient, live: Sequence[LiveJob]) -> dict[str, str]:
    """Per managed job that stopped on its own (FAILED, or cancelled outside flinkops),
    its retained checkpoint: the freshest state there is to restart from."""
    retained: dict[str, str] = {}
    for name in sorted({j.managed_name for j in live if j.managed_name}):
        job = runs_of(live, name).newest
        if job is not None and not job.active and job.state in ("FAILED", "CANCELED"):
            path = latest_checkpoint(client, job.job_id, or_savepoint=True)
            if path:
                retained[name] = path
    return retained


def _jobmanager_config(client: FlinkClient) -> dict[str, str] | None:
    """The cluster's configuration; None when it cannot be read."""
    try:
        return client.jobmanager_config()
    except FlinkError:
        return None


def _identity(
    client: FlinkClient, overview: Overview, conf: dict[str, str] | None
) -> ClusterIdentity | None:
    """The cluster's identity for the compile cache, from what was read and its
    environment; None without its configuration (the planner settings key the cache)."""
    if conf is None:
        return None
    return identity_of(overview, read_environment(client), conf)


def _ask_flink(
    compiler: Compiler, specs: Sequence[JobSpec], observation: Observation, options: PlanOptions
) -> Verdicts:
    """Compile what needs Flink's verdict: the cache, or one parallel batch of compiles."""
    needs = compile_needs(specs, observation, options)
    requests = [r for need in needs for r in need.requests]
    if not requests:
        return Verdicts()
    if observation.identity is None:
        raise PlanError(
            "cannot ask Flink's planner: the JobManager's configuration "
            "(GET /jobmanager/config) could not be read, and the compile cache is keyed "
            "by it; plan again when the cluster answers, or plan with --no-compat"
        )
    results = compiler.compile_many(requests, identity=observation.identity)
    return verdicts_of(needs, results)


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
    project: str | None = None,
) -> Plan:
    """Observe once, check state compatibility with Flink's planner, build the plan once.

    ``retry_failed`` plans a spec whose newest version failed or was rolled back
    instead of blocking it; ``compiler`` sets the compile cache and concurrency
    (default: the environment's); ``project`` the project's id (``observe``)."""
    options = PlanOptions(
        prune=prune, only=tuple(only) if only else None, retry_failed=retry_failed
    )
    observation = observe(
        client,
        store,
        target=target,
        url=url,
        specs=specs,
        identity=check_compat,
        project=project,
    )
    verdicts = Verdicts()
    if check_compat:
        verdicts = _ask_flink(compiler or Compiler(client, store), specs, observation, options)
    lineage = lineage_view(specs, observation.applied)
    return build_plan(specs, observation, verdicts, lineage, options)
