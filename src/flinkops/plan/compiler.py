"""Compiled job graphs: a cache in the store, and parallel compiles for the misses.

A job graph Flink's planner returns (``jars/:id/plan``) depends only on:

- the Flink version, and the cluster where connectors differ: ``ClusterIdentity``
  hashes the cluster's revision, the jar names on the JobManager's classpath, the
  planner-relevant part of its configuration and the SQL runner's jar;
- the normalized SQL (the statements the runner executes);
- the configuration that reaches the planner (the spec's ``flinkConfiguration``);
- parallelism.

``cache_key`` hashes exactly those, so the cache is shared by everyone using the
same store (a team's PostgreSQL store, or a CI cache of the SQLite file). A spec
whose graph is cached costs no compile; the rest compile in parallel, at most
``concurrency`` at a time (the JobManager's planner is CPU-bound: on a 2-core
machine throughput stopped growing at about 4 concurrent compiles).

Graphs are stored and returned without what differs between two compiles of the
same program (Flink's random ``jid``, the job name, the JobManager's ``[48]:``
operator counters) and with the spec's secrets masked, so a cached graph and a
fresh one are equal.
Compiles that Flink rejects are not cached (the error may be the cluster's, and
is cheap to see again); their ``Compiled`` carries Flink's ``Rejection`` (its message
without the REST URL, the statement it rejected and where in it), which
``plan/rejections.py`` locates in the spec.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import Any

from flinkops.errors import FlinkError, FlinkopsError, FlinkUnreachable, PlanError
from flinkops.flink.models import Overview
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import Rejection, rejection_of
from flinkops.redact import redact, sensitive_sql_values
from flinkops.spec import JobSpec, resolve_env_refs
from flinkops.store import CachedGraph, Store, get_graphs, put_graphs

__all__ = [
    "CACHE_ENV",
    "CONCURRENCY_ENV",
    "DEFAULT_CONCURRENCY",
    "ClusterIdentity",
    "CompileRequest",
    "CompileSettings",
    "Compiled",
    "Compiler",
    "cache_key",
    "cluster_identity",
    "identity_of",
    "portable_graph",
    "read_environment",
]

DEFAULT_CONCURRENCY = 4
CONCURRENCY_ENV = "FLINKOPS_COMPILE_CONCURRENCY"
CACHE_ENV = "FLINKOPS_COMPILE_CACHE"
MAX_CONCURRENCY = 64
#: JobManager configuration that reaches the planner (cluster-wide defaults).
_PLANNER_PREFIXES = ("table.", "pipeline.", "parallelism.", "execution.runtime-mode")
_OFF = ("0", "false", "no", "off")
_COUNTER = re.compile(r"\[\d+\]:")


@dataclass(frozen=True)
class CompileSettings:
    """How many compiles run at once, and whether the store's cache is used."""

    concurrency: int = DEFAULT_CONCURRENCY
    cache: bool = True

    @classmethod
    def resolve(
        cls,
        *configured: Mapping[str, Any] | None,
        concurrency: int | None = None,
        cache: bool | None = None,
        env: Mapping[str, str] | None = None,
    ) -> CompileSettings:
        """Command-line values, else the environment, else ``configured`` (the most
        specific first: target, then project), else the defaults."""
        env = os.environ if env is None else env
        layers: list[Mapping[str, Any]] = [c for c in configured if c]
        found_conc = _first(layers, "concurrency")
        found_cache = _first(layers, "cache")
        if env.get(CONCURRENCY_ENV):
            found_conc = _env_int(env[CONCURRENCY_ENV])
        if env.get(CACHE_ENV):
            found_cache = env[CACHE_ENV].strip().lower() not in _OFF
        conc = concurrency if concurrency is not None else found_conc
        return cls(
            concurrency=int(conc) if conc is not None else DEFAULT_CONCURRENCY,
            cache=cache if cache is not None else (found_cache is not False),
        )


def _first(layers: list[Mapping[str, Any]], key: str) -> Any:
    return next((layer[key] for layer in layers if layer.get(key) is not None), None)


def _env_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_CONCURRENCY:
        raise PlanError(
            f"{CONCURRENCY_ENV}={text!r} is not a number of concurrent compiles: "
            f"set it to 1..{MAX_CONCURRENCY}, or unset it"
        )
    return value


@dataclass(frozen=True)
class ClusterIdentity:
    """What of a cluster a compiled graph depends on: its version, and a fingerprint
    of its revision, classpath jars, planner configuration and the runner jar."""

    flink_version: str
    fingerprint: str


def cluster_identity(client: FlinkClient) -> ClusterIdentity:
    """Ask the cluster (three small GETs), for a compiler used on its own; a plan hands
    the compiler the identity it observed (``plan/observe.py``)."""
    return identity_of(client.overview(), read_environment(client), client.jobmanager_config())


def read_environment(client: FlinkClient) -> Mapping[str, Any]:
    """``GET /jobmanager/environment`` (the classpath); {} before Flink 1.17, which lacks
    it: the rest of the fingerprint still applies there."""
    try:
        environment = client.get_json("/jobmanager/environment")
    except FlinkUnreachable:
        raise
    except FlinkError:
        return {}
    return environment if isinstance(environment, dict) else {}


def identity_of(
    overview: Overview, environment: Mapping[str, Any], jobmanager_config: Mapping[str, str]
) -> ClusterIdentity:
    """The identity of a cluster from what it answered: its overview (version, revision),
    its environment (the jar names on the classpath) and its configuration. Pure."""
    from flinkops.flink.runner import runner_jar_name

    classpath = environment.get("classpath") or []
    jars = sorted({p.rsplit("/", 1)[-1] for p in classpath if str(p).endswith(".jar")})
    planner_conf = {
        k: v for k, v in sorted(jobmanager_config.items()) if k.startswith(_PLANNER_PREFIXES)
    }
    fingerprint = {
        "commit": overview.flink_commit,
        "jars": jars,
        "configuration": planner_conf,
        "runner": runner_jar_name(),
    }
    return ClusterIdentity(overview.flink_version, _sha(fingerprint))


def _sha(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class CompileRequest:
    """One SQL program to compile, as the runner receives it. ``secrets`` (masked in
    the graph and in errors) are not part of its identity."""

    job: str
    statements: tuple[str, ...]
    configuration: tuple[tuple[str, str], ...]
    parallelism: int | None
    secrets: frozenset[str] = field(default=frozenset(), compare=False)

    @classmethod
    def of_spec(cls, spec: JobSpec) -> CompileRequest:
        """The spec as it would be submitted now."""
        return cls._make(spec, spec.statements, spec.flink_configuration, spec.parallelism)

    @classmethod
    def of_version(cls, spec: JobSpec, sql: str, stored_spec: Mapping[str, Any]) -> CompileRequest:
        """A stored version of ``spec`` (its portable SQL and spec, ``${env:...}`` resolved
        where the environment has them): equal to ``of_spec`` of the spec it was."""
        from flinkops.sql import split_statements

        resolved_sql = _resolved(sql)
        conf = _resolved(dict(stored_spec.get("flinkConfiguration") or {}))
        statements = [s.text for s in split_statements(resolved_sql)]
        parallelism = stored_spec.get("parallelism")
        return cls._make(
            spec, statements, {k: str(v) for k, v in conf.items()}, parallelism, resolved_sql
        )

    @classmethod
    def _make(
        cls,
        spec: JobSpec,
        statements: Sequence[str],
        conf: Mapping[str, str],
        parallelism: int | None,
        sql: str | None = None,
    ) -> CompileRequest:
        from flinkops.flink.runner import normalize_statements

        return cls(
            job=spec.name,
            statements=tuple(normalize_statements(list(statements))),
            configuration=tuple(sorted(conf.items())),
            parallelism=parallelism,
            secrets=frozenset(spec.secrets) | sensitive_sql_values(sql or spec.sql),
        )


def portable_graph(graph: Mapping[str, Any], secrets: frozenset[str]) -> dict[str, Any]:
    """The graph without what differs between two compiles of the same program: Flink's
    random ``jid``, the job name, and the ``[48]:`` operator counters in descriptions
    (they count up in the JobManager across compiles); secrets masked. A running job's
    graph (``GET /jobs/:id/plan``) made portable compares with a compiled one."""
    out = {k: v for k, v in graph.items() if k not in ("jid", "name")}
    nodes = out.get("nodes")
    if isinstance(nodes, list):
        out["nodes"] = [
            {**n, "description": _COUNTER.sub("", n["description"])}
            if isinstance(n, dict) and isinstance(n.get("description"), str)
            else n
            for n in nodes
        ]
    return redact(out, secrets)


def _resolved(value: Any) -> Any:
    """A stored value with its ``${env:NAME}`` resolved where the environment has NAME."""
    try:
        return resolve_env_refs(value)
    except KeyError:
        return value


def cache_key(identity: ClusterIdentity, request: CompileRequest) -> str:
    """The cache key: everything the compiled graph depends on, and nothing else."""
    return _sha(
        {
            "flink": identity.flink_version,
            "cluster": identity.fingerprint,
            "statements": list(request.statements),
            "configuration": [list(kv) for kv in request.configuration],
            "parallelism": request.parallelism,
        }
    )


@dataclass(frozen=True)
class Compiled:
    """A request's outcome: Flink's graph, or the error Flink gave (secrets masked):
    ``error`` its message, ``rejection`` that message with the statement Flink rejected
    and the position in it."""

    request: CompileRequest
    graph: dict[str, Any] | None = None
    error: str | None = None
    cached: bool = False
    rejection: Rejection | None = None


class Compiler:
    """Compiles requests with the cluster's planner, through the store's cache."""

    def __init__(
        self,
        client: FlinkClient,
        store: Store | None = None,
        settings: CompileSettings | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.settings = settings or CompileSettings.resolve()
        self._identity: ClusterIdentity | None = None
        self._lock = threading.Lock()
        self.compiles = 0  # compiles sent to the cluster, for summaries and tests

    def identity(self) -> ClusterIdentity:
        if self._identity is None:
            self._identity = cluster_identity(self.client)
        return self._identity

    def compile_many(
        self, requests: Sequence[CompileRequest], *, identity: ClusterIdentity | None = None
    ) -> dict[CompileRequest, Compiled]:
        """Each request's graph: from the cache, else compiled (``concurrency`` at once).

        ``identity`` keys the cache: a plan passes the one it observed, so the cluster is
        not asked again; without it the compiler asks once (``cluster_identity``).
        FlinkUnreachable stops it and is raised; any other error is that request's.
        """
        if not requests:
            return {}
        identity = identity or self.identity()
        keys = {r: cache_key(identity, r) for r in requests}
        store = self.store if self.settings.cache else None  # None: no cache
        hits = get_graphs(store, keys.values(), identity.flink_version) if store is not None else {}
        todo = {(r.job, keys[r]): r for r in requests if keys[r] not in hits}
        fresh = self._compile_all(list(todo.values()))
        if store is not None:
            put_graphs(
                store,
                [
                    CachedGraph(keys[r], identity.flink_version, identity.fingerprint, c.graph)
                    for r, c in fresh.items()
                    if c.graph is not None
                ],
            )
        out: dict[CompileRequest, Compiled] = {}
        for r in requests:
            if keys[r] in hits:
                out[r] = Compiled(r, graph=hits[keys[r]], cached=True)
            else:
                done = fresh[todo[(r.job, keys[r])]]
                out[r] = replace(done, request=r)
        return out

    def compile(self, request: CompileRequest) -> Compiled:
        return self.compile_many([request])[request]

    def _compile_all(self, requests: list[CompileRequest]) -> dict[CompileRequest, Compiled]:
        if not requests:
            return {}
        from flinkops.flink.runner import ensure_uploaded

        jar_id = ensure_uploaded(self.client)
        workers = max(1, min(self.settings.concurrency, len(requests)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="compile") as pool:
            futures = [pool.submit(self._compile_one, jar_id, r) for r in requests]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            errors = (f.exception() for f in done)
            failed = next((e for e in errors if e is not None), None)
            if failed is not None:
                pool.shutdown(wait=True, cancel_futures=True)
                raise failed
        return {r: f.result() for r, f in zip(requests, futures, strict=True)}

    def _compile_one(self, jar_id: str, request: CompileRequest) -> Compiled:
        from flinkops.flink.runner import compile_sql

        with self._lock:
            self.compiles += 1
        try:
            graph = compile_sql(
                self.client,
                job_name=request.job,
                statements=list(request.statements),
                flink_configuration=dict(request.configuration),
                parallelism=request.parallelism,
                jar_id=jar_id,
            )
        except FlinkUnreachable:
            raise
        except FlinkError as exc:
            found = rejection_of(exc)
            rejection = replace(found, message=str(redact(found.message, request.secrets)))
            return Compiled(request, error=rejection.message, rejection=rejection)
        except FlinkopsError as exc:
            message = str(redact(str(exc), request.secrets))
            return Compiled(request, error=message, rejection=Rejection(message))
        return Compiled(request, graph=portable_graph(graph, request.secrets))

    def remember(self, spec: JobSpec) -> Compiled:
        """Make sure the graph of ``spec`` as submitted is cached (apply calls this for
        each version it puts in place, so comparing against it later compiles nothing).
        A cache hit costs one store read; a miss one compile."""
        return self.compile(CompileRequest.of_spec(spec))
