"""Read what a plan needs, once, and make the plan: the I/O side of planning.

``make_plan`` wires it in three steps:

1. ``observe`` reads the cluster and the store into one ``Observation``
   (``_inputs.py``): ``GET /overview``, ``/jobmanager/config``,
   ``/jobmanager/environment`` (the cluster's identity for the compile cache),
   ``/jobs/overview`` and the ``/config`` of each active job and each job the
   project's store recorded (``flink.live.read_live`` in the project's ``scope``), the
   retained checkpoint of each managed run that stopped on its own, the exceptions
   of each managed job whose newest run FAILED (``_failed_runs``); each job's
   versions and newest savepoint (and the Flink version that wrote it), and the
   transitions left open; with a checkout, each job's newest placing transition in
   the store's history, and whether git has its commit (``behind``). Nothing reads
   either again.
2. Flink's planner compiles what the specs and the observation say needs it
   (``_verdicts.compile_needs``), keyed by the observed identity (``compiler.py``).
3. ``builder.build_plan`` makes the final plan in one pass, with the lineage view
   (``_lineage.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from flinkops.errors import FlinkError, PlanError
from flinkops.flink.live import LiveJob, read_live, runs_of
from flinkops.flink.models import Exceptions, Overview
from flinkops.flink.rest import FlinkClient
from flinkops.flink.snapshots import (
    SAVEPOINT_DIR_KEYS,
    SnapshotSearch,
    find_snapshot,
    snapshot_dirs,
)
from flinkops.gitinfo import Ancestry, in_history
from flinkops.plan._inputs import Observation, PlanOptions, Verdicts
from flinkops.plan._lineage import lineage_view
from flinkops.plan._migrate_observe import Connect, observe_migration, upgrade_verdicts
from flinkops.plan._rehearsal import Rehearsal
from flinkops.plan._state import known_state
from flinkops.plan._types import Applied, Attempt, Behind, Plan
from flinkops.plan._verdicts import compile_needs, verdicts_of
from flinkops.plan.builder import build_plan
from flinkops.plan.compiler import ClusterIdentity, Compiler, identity_of, read_environment
from flinkops.plan.rescale import adopted_runs, in_place_versions
from flinkops.plan.scope import project_scope
from flinkops.spec import JobSpec
from flinkops.store import (
    PLACING_OUTCOMES,
    RUNNING_OUTCOMES,
    Outcome,
    SavepointRecord,
    Store,
    VersionRecord,
    iso_ms,
    utc_now,
)

__all__ = [
    "APPLIED_OUTCOMES",
    "Rehearse",
    "applied_from_store",
    "behind_of",
    "make_plan",
    "observe",
]

#: Rehearses a plan's changes (apply/rehearse/, handed in by the CLI: plan reads, apply
#: runs jobs): per job, its rehearsal.
Rehearse = Callable[[Plan], Mapping[str, Rehearsal]]

#: Version outcomes that mean "this is what flinkops last put in place" (the store's
#: ``PLACING_OUTCOMES``, in the enum's order).
APPLIED_OUTCOMES = tuple(o for o in Outcome if o in PLACING_OUTCOMES)
#: The states of a run that ended without flinkops ending it (or whose end an apply
#: did not finish): its snapshots are looked for (``_searches``).
STOPPED_ON_ITS_OWN = ("FAILED", "CANCELED", "FINISHED")


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
        cluster_url=last.cluster_url,
        flink_version=last.flink_version,
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
    checkout: Path | None = None,
    project: str | None = None,
    connect: Connect | None = None,
    from_url: str | None = None,
) -> Observation:
    """What the cluster and the store say now, each read once. ``identity``: read the
    cluster's identity too (plans that compile need it); ``checkout``: the project's
    directory, whose git history is checked for the commits the jobs' newest
    transitions came from (``behind``); ``project``: the project's id (its jobs are the
    managed ones; None: ids not compared); ``connect`` opens a client of another cluster
    (the old one of a migration; default: without the target's headers), ``from_url``
    the old cluster when the store did not record it (``--from-url``). FlinkUnreachable
    when the cluster is down;
    PlanError when an active job that may be the project's cannot be identified."""
    overview = client.overview()
    scope = project_scope(store, target, project, names=(s.name for s in specs), known_only=True)
    live = read_live(client, scope)
    names = {s.name for s in specs} | {j.managed_name for j in live if j.managed_name}
    applied, attempts, recorded = _versions(store, target, names)
    live = adopted_runs(live, recorded)  # adopted jobs are known by their recorded ids
    conf = _jobmanager_config(client)
    searches = _searches(client, live, applied, specs, conf)
    retained = {n: f.found.path for n, f in searches.items() if f.found is not None}
    applied = _with_snapshots(applied, searches)
    migration, old_live = observe_migration(
        connect or (lambda other: FlinkClient(other, timeout=client.timeout)),
        scope, url=url, flink_version=overview.flink_version, applied=applied, live=live,
        specs=specs, conf=conf, from_url=from_url,
    )  # fmt: skip
    return Observation(
        target=target,
        url=url,
        overview=overview,
        jobmanager_config=conf,
        identity=_identity(client, overview, conf) if identity else None,
        live=tuple(in_place_versions(live, applied)),
        applied=applied,
        attempts=attempts,
        failed_runs=_failed_runs(client, live),
        retained=retained,
        searched={n: f.where for n, f in searches.items()},
        open_transitions=tuple(store.open_transitions(target)),
        behind=behind_of(store, target, checkout) if checkout is not None else {},
        migration=migration,
        old_live=old_live,
        at=utc_now(),
    )


def _versions(
    store: Store, target: str, names: Iterable[str | None]
) -> tuple[dict[str, Applied], dict[str, Attempt], dict[str, list[VersionRecord]]]:
    """Per job of ``names``: what flinkops last put in place, its newest attempt if that
    did not take, and every version the store recorded."""
    applied: dict[str, Applied] = {}
    attempts: dict[str, Attempt] = {}
    recorded: dict[str, list[VersionRecord]] = {}
    for name in sorted(n for n in names if n):
        versions = recorded[name] = store.versions(target, name)
        found, attempt = _applied(store, target, name, versions), _attempt(versions)
        if found is not None:
            applied[name] = found
        if attempt is not None:
            attempts[name] = attempt
    return applied, attempts, recorded


def _with_snapshots(
    applied: dict[str, Applied], searches: Mapping[str, SnapshotSearch]
) -> dict[str, Applied]:
    """``applied`` with each running version's newest snapshot the search found (the
    Flink that wrote it is known of the store's savepoint only)."""
    out = dict(applied)
    for name, search in searches.items():
        if name in out and out[name].outcome in RUNNING_OUTCOMES:
            path = search.found.path if search.found else None
            last = out[name]
            written = last.savepoint_flink_version if path == last.savepoint else None
            out[name] = replace(last, savepoint=path, savepoint_flink_version=written)
    return out


def behind_of(store: Store, target: str, checkout: Path) -> dict[str, Behind]:
    """Per job whose newest transition that left it as it is (``Store.last_placed``)
    came from a commit the checkout's history lacks (or, in a shallow clone, may lack).
    One store read, and one git call per distinct commit."""
    ancestry: dict[str, Ancestry | None] = {}
    behind: dict[str, Behind] = {}
    for job, row in sorted(store.last_placed(target).items()):
        if not row.git_commit:
            continue
        if row.git_commit not in ancestry:
            ancestry[row.git_commit] = in_history(row.git_commit, checkout)
        found = ancestry[row.git_commit]
        if found in (Ancestry.MISSING, Ancestry.SHALLOW):
            behind[job] = Behind(
                row.version, row.action, row.git_commit, row.git_author, row.at,
                known=found is Ancestry.MISSING,
            )  # fmt: skip
    return behind


def _searches(
    client: FlinkClient,
    live: Sequence[LiveJob],
    applied: Mapping[str, Applied],
    specs: Sequence[JobSpec],
    conf: Mapping[str, str] | None,
) -> dict[str, SnapshotSearch]:
    """Per managed job whose newest run stopped on its own (FAILED, FINISHED, or
    cancelled outside flinkops) or is gone from the cluster while the store has it
    applied: the newest snapshot there is to restart from (``flink/snapshots.py``: the
    store's newest savepoint, the run's latest savepoint or checkpoint, its savepoints
    and retained checkpoints on disk, each checked for ``_metadata``)."""
    by_spec = {s.name: s for s in specs}
    names = {j.managed_name for j in live if j.managed_name} | set(applied)
    searches: dict[str, SnapshotSearch] = {}
    for name in sorted(names):
        run = runs_of(live, name).newest
        last = applied.get(name)
        if run is not None and (run.active or run.state not in STOPPED_ON_ITS_OWN):
            continue
        if run is None and (
            last is None or last.outcome not in RUNNING_OUTCOMES or not last.job_id
        ):
            continue
        spec = by_spec.get(name)
        own = {SAVEPOINT_DIR_KEYS[0]: spec.savepoint_dir} if spec and spec.savepoint_dir else {}
        savepoint_dirs, checkpoint_dirs = snapshot_dirs(
            own, spec.flink_configuration if spec else None, conf
        )
        stored = last.savepoint if last else None
        known = [(stored, "the store's newest savepoint")] if stored else []
        ids = [i for i in (run.job_id if run else None, last.job_id if last else None) if i]
        searches[name] = find_snapshot(
            client, ids, known=known, savepoint_dirs=savepoint_dirs,
            checkpoint_dirs=checkpoint_dirs,
        )  # fmt: skip
    return searches


#: A running job whose exception history holds this many failures of its own (not the
#: cluster's) keeps restarting: it is blocked like a FAILED one (``_failed_runs``).
RESTART_LOOP = 3


def _failed_runs(client: FlinkClient, live: Sequence[LiveJob]) -> dict[str, Attempt]:
    """Per managed job whose newest run FAILED, or runs but keeps restarting (its
    exception history holds ``RESTART_LOOP`` failures of its own), that run as an attempt
    of its version: when it last failed, Flink's root cause (``GET /jobs/:id/exceptions``,
    read once per run) and whether the cluster failed it (INFRA_FAILED) or the job's own
    code or state did."""
    failed: dict[str, Attempt] = {}
    for name in sorted({j.managed_name for j in live if j.managed_name}):
        run = runs_of(live, name).newest
        if run is None or run.version is None or not (run.active or run.state == "FAILED"):
            continue
        attempt = _failed_run(client, run)
        if attempt is not None:
            failed[name] = attempt
    return failed


def _failed_run(client: FlinkClient, run: LiveJob) -> Attempt | None:
    """``run`` as a failed attempt of its version (``_failed_runs``), or None."""
    assert run.version is not None
    try:
        exceptions = client.exceptions(run.job_id)
    except FlinkError:
        if run.active:
            return None  # cannot tell; a running job is left as it is
        exceptions = Exceptions(None, None, [])
    own = [e for e in exceptions.history if not e.infrastructure]
    restarts = len(own) if run.active else 0
    if run.active and restarts < RESTART_LOOP:
        return None
    infra = not run.active and exceptions.infrastructure
    at = iso_ms(run.end_time) if not run.active else iso_ms(own[0].timestamp)
    return Attempt(
        run.version,
        Outcome.INFRA_FAILED if infra else Outcome.FAILED,
        run.spec_hash or "",
        at or "",
        own[0].root_cause if run.active else exceptions.root_cause,
        run.job_id,
        restarts=restarts,
    )


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
    compiler: Compiler,
    specs: Sequence[JobSpec],
    observation: Observation,
    options: PlanOptions,
    root: Path,
) -> Verdicts:
    """Compile what needs Flink's verdict: the cache, or one parallel batch of compiles;
    what Flink rejects is located in the spec files (paths shown from ``root``)."""
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
    return verdicts_of(needs, results, root)


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
    root: Path | None = None,
    allow_behind: bool = False,
    project: str | None = None,
    rehearse: Rehearse | None = None,
    options: PlanOptions | None = None,
    connect: Connect | None = None,
    from_url: str | None = None,
) -> Plan:
    """Observe once, check state compatibility with Flink's planner, build the plan once.

    ``retry_failed`` plans a spec whose newest version failed or was rolled back
    instead of blocking it; ``compiler`` sets the compile cache and concurrency
    (default: the environment's); ``root`` is the project's directory, from which
    errors name spec files (default: the working directory), and its git checkout: a
    job whose newest transition came from a commit it lacks is blocked unless
    ``allow_behind``; ``project`` the project's id (``observe``). ``rehearse``: the
    changes of the plan built so far are rehearsed with it, and the plan is built again,
    once, with their results (``build_plan`` is pure, so the second build differs only by
    them). ``options``: further plan options (``PlanOptions.rehearse``). ``connect`` and
    ``from_url``: how the old cluster of a migration is reached (``observe``)."""
    options = replace(
        options or PlanOptions(),
        prune=prune,
        only=tuple(only) if only else None,
        retry_failed=retry_failed,
        allow_behind=allow_behind,
    )
    observation = observe(
        client, store, target=target, url=url, specs=specs, identity=check_compat,
        checkout=root, project=project, connect=connect, from_url=from_url,
    )  # fmt: skip
    verdicts = Verdicts()
    if check_compat:
        compiler = compiler or Compiler(client, store)
        verdicts = _ask_flink(compiler, specs, observation, options, root or Path())
        if observation.identity is not None:
            upgrade = upgrade_verdicts(
                connect or (lambda other: FlinkClient(other, timeout=client.timeout)), store,
                compiler, observation.identity, observation.migration, observation.applied,
                [s for s in specs if options.planned(s.name)],
            )  # fmt: skip
            verdicts = replace(verdicts, upgrade=upgrade)
    lineage = lineage_view(specs, observation.applied)
    plan = build_plan(specs, observation, verdicts, lineage, options)
    if rehearse is None:
        return plan
    return build_plan(specs, observation, verdicts, lineage, options, rehearse(plan))
