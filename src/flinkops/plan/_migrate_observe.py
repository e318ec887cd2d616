"""Whether the target's cluster changed under the jobs the store has running, read once.

``observe_migration`` is part of ``plan/observe.py``'s one observation. Each applied
version records the cluster it ran on (its URL and Flink version, store migration 9).
A job the store has running whose recorded cluster is not the target's (another URL,
or another Flink at the same URL), and that does not run on the target's cluster, is
moved. The old cluster's URL comes from those records, or from ``--from-url`` (which
also takes versions recorded before clusters were). The old cluster is then read once
(``GET /overview``, its jobs in the project's scope, ``/jobmanager/config``), and the
savepoint storage both clusters must reach is checked as far as flinkops can: a
``file:`` directory must exist here (two clusters share one only on one host or a
shared mount, which flinkops cannot see); a remote one is named, not checked.
``plan/_migrate.py`` plans the moves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlsplit

from flinkops.errors import FlinkError, PlanError
from flinkops.flink.live import LiveJob, Scope, read_live, runs_of
from flinkops.flink.rest import FlinkClient, redact_url
from flinkops.flink.snapshots import SAVEPOINT_DIR_KEYS, local_path
from flinkops.plan._types import Applied, Compat, Migration, StateImpact
from flinkops.plan.compat import compare_graphs
from flinkops.plan.compiler import ClusterIdentity, Compiler, CompileRequest
from flinkops.spec import JobSpec
from flinkops.store import RUNNING_OUTCOMES, Store

__all__ = ["Connect", "moved_jobs", "observe_migration", "same_url", "upgrade_verdicts"]

#: Opens a client of another cluster (the old one) with the target's headers.
Connect = Callable[[str], FlinkClient]
_LOOPBACK = ("localhost", "127.0.0.1", "::1", "")


def same_url(a: str, b: str) -> bool:
    """Two REST URLs of one cluster (credentials masked, trailing slash ignored)."""
    return redact_url(a.rstrip("/")).lower() == redact_url(b.rstrip("/")).lower()


def moved_jobs(
    applied: Mapping[str, Applied],
    live: Sequence[LiveJob],
    *,
    url: str,
    flink_version: str,
    from_url: str | None,
) -> list[str]:
    """The jobs the store has running on another cluster than the target's, and that do
    not run on the target's cluster. Pure."""
    moved = []
    for name, last in sorted(applied.items()):
        if last.outcome not in RUNNING_OUTCOMES:
            continue
        run = runs_of(live, name).newest
        if run is not None and run.active:
            continue  # it runs here: not a migration
        if from_url:
            elsewhere = last.cluster_url is None or same_url(last.cluster_url, from_url)
        else:
            elsewhere = bool(last.cluster_url) and not same_url(last.cluster_url or "", url)
            elsewhere = elsewhere or bool(
                last.flink_version and flink_version and last.flink_version != flink_version
            )
        if elsewhere:
            moved.append(name)
    return moved


def observe_migration(
    connect: Connect,
    scope: Scope,
    *,
    url: str,
    flink_version: str,
    applied: Mapping[str, Applied],
    live: Sequence[LiveJob],
    specs: Sequence[JobSpec],
    conf: Mapping[str, str] | None,
    from_url: str | None = None,
) -> tuple[Migration | None, tuple[LiveJob, ...]]:
    """The migration the target's cluster change makes, and the old cluster's jobs in the
    project's scope (empty when it does not answer); (None, ()) when nothing moved."""
    jobs = moved_jobs(applied, live, url=url, flink_version=flink_version, from_url=from_url)
    if not jobs:
        return None, ()
    old_url = from_url or _old_url([applied[j] for j in jobs], url)
    notes: list[str] = []
    if old_url is not None and not from_url:
        others = [j for j in jobs if not same_url(applied[j].cluster_url or old_url, old_url)]
        if others:  # recorded on a third cluster: one migration at a time
            notes.append(
                f"{', '.join(others)} ran on another cluster still; plan them with "
                "--from-url after this migration"
            )
            jobs = [j for j in jobs if j not in others]
    recorded = next((applied[j].flink_version for j in jobs if applied[j].flink_version), None)
    old_version, old_conf, reachable = recorded, None, False
    old_live: tuple[LiveJob, ...] = ()
    if old_url is not None:
        read = _read_old(connect, scope, old_url, notes)
        if read is not None:
            old_version, old_live, old_conf = read[0] or recorded, read[1], read[2]
            reachable = True
    savepoint_dir = _savepoint_dir(conf) or _savepoint_dir(old_conf)
    storage, more = _storage(
        {s.savepoint_dir for s in specs if s.name in jobs and s.savepoint_dir}
        | ({savepoint_dir} if savepoint_dir else set()),
        old_url if reachable else None,
        url,
    )
    migration = Migration(
        from_url=redact_url(old_url) if old_url else None,
        from_flink_version=old_version,
        to_url=redact_url(url),
        to_flink_version=flink_version,
        reachable=reachable,
        jobs=tuple(jobs),
        savepoint_dir=savepoint_dir,
        storage=tuple(storage),
        notes=tuple(notes + more),
    )
    return migration, old_live


def _read_old(
    connect: Connect, scope: Scope, old_url: str, notes: list[str]
) -> tuple[str | None, tuple[LiveJob, ...], Mapping[str, str] | None] | None:
    """The old cluster's Flink version, jobs in the project's scope and configuration,
    read once; None (and a note) when it does not answer."""
    try:
        with connect(old_url) as old:
            return old.overview().flink_version, tuple(read_live(old, scope)), _config(old)
    except (FlinkError, PlanError) as exc:
        notes.append(
            f"the old cluster {old_url} does not answer ({exc}): each job starts from "
            "the newest snapshot found"
        )
        return None


def _old_url(moved: Sequence[Applied], url: str) -> str | None:
    """The cluster most of the moved jobs were recorded on; None when they were recorded
    at the target's own address (its Flink changed: the old cluster is gone)."""
    urls = Counter(
        a.cluster_url for a in moved if a.cluster_url and not same_url(a.cluster_url, url)
    )
    return urls.most_common(1)[0][0] if urls else None


def _config(client: FlinkClient) -> Mapping[str, str] | None:
    try:
        return client.jobmanager_config()
    except FlinkError:
        return None


def _savepoint_dir(conf: Mapping[str, str] | None) -> str | None:
    conf = conf or {}
    return next((conf[k] for k in SAVEPOINT_DIR_KEYS if conf.get(k)), None)


def _storage(dirs: set[str], old_url: str | None, url: str) -> tuple[list[str], list[str]]:
    """Problems with the savepoint storage the two clusters share (they block the
    migration), and notes on what could not be checked. With the old cluster gone, no
    savepoint is taken: nothing to check but what the snapshot search checks."""
    if old_url is None:
        return [], []
    if not dirs:
        return [
            "no savepoint directory is set (the jobs' savepointDir, or either cluster's "
            "execution.checkpointing.savepoint-dir): set one both clusters can reach"
        ], []
    problems, notes = [], []
    hosts = {urlsplit(u).hostname or "" for u in (old_url, url)}
    one_host = len(hosts) == 1 or hosts <= set(_LOOPBACK)
    for d in sorted(dirs):
        local = local_path(d)
        if local is None:
            notes.append(
                f"savepoint storage {d} is not checked (remote): both clusters need its "
                "filesystem plugin and credentials"
            )
        elif not (local.is_dir() or local.parent.is_dir()):  # Flink creates the last level
            problems.append(f"savepoint directory {d} does not exist on this machine")
        elif not one_host:
            notes.append(
                f"savepoint directory {d} is local: the clusters on "
                f"{', '.join(sorted(hosts))} share it only through a shared mount, which "
                "flinkops cannot check"
            )
    return problems, notes


def upgrade_verdicts(
    connect: Connect,
    store: Store,
    compiler: Compiler,
    identity: ClusterIdentity,
    migration: Migration | None,
    applied: Mapping[str, Applied],
    specs: Sequence[JobSpec],
) -> dict[str, Compat]:
    """Per job a migration moves to another Flink, while the old cluster answers: its
    applied version compiled by the old cluster's planner, the spec by the new one's
    (``compiler``, which the plan's other compiles went through: cached), compared as a
    plan compares two versions (``plan/compat.py``). Flink maps state by operator id, so
    ids the new planner changes are refused; what the graphs cannot show (the state's
    serializers) is checked only when the job starts. A compile that fails leaves the job
    without a verdict (the plan's generic reason stands)."""
    if migration is None or not migration.upgrade or not migration.reachable:
        return {}
    assert migration.from_url is not None
    by_name = {s.name: s for s in specs}
    jobs = [j for j in migration.jobs if j in by_name and j in applied]
    if not jobs:
        return {}
    olds = {j: CompileRequest.of_version(by_name[j], applied[j].sql, applied[j].spec) for j in jobs}
    news = {j: CompileRequest.of_spec(by_name[j]) for j in jobs}
    with connect(migration.from_url) as client:
        before = Compiler(client, store, compiler.settings).compile_many(list(olds.values()))
    after = compiler.compile_many(list(news.values()), identity=identity)
    verdicts = {}
    for job in jobs:
        old, new = before[olds[job]].graph, after[news[job]].graph
        if old is None or new is None:
            continue
        found = compare_graphs(
            old, new, allow_non_restored_state=by_name[job].allow_non_restored_state
        )
        versions = f"Flink {migration.from_flink_version} -> {migration.to_flink_version}"
        reasons = tuple(f"{versions}, job graphs compared: {r}" for r in found.reasons)
        if found.impact <= StateImpact.PRESERVED:
            reasons += (
                f"{versions}: the state's serializers are not in the job graph; Flink checks "
                "them when the job starts, and a failed restore resumes the old job",
            )
        verdicts[job] = Compat(found.impact, reasons, found.basis)
    return verdicts
