"""The compiled-graph cache and parallel compiles against the session's real cluster.

Every graph here is Flink's own (``jars/:id/plan``): a cache hit must give what a
fresh compile gives, a change to any key input must compile again, and parallel
compiles must hand each request its own graph, failures included.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from flinkops.flink.local import ClusterInfo
from flinkops.flink.rest import FlinkClient
from flinkops.plan import Action, StateImpact
from flinkops.plan.compat import compare_graphs
from flinkops.plan.compiler import (
    ClusterIdentity,
    Compiler,
    CompileRequest,
    CompileSettings,
    cache_key,
    cluster_identity,
)
from flinkops.plan.observe import make_plan
from flinkops.store import CachedGraph, Store, put_graphs
from tests.conftest import version_record
from tests.integration.test_plan import SUM_COUNT_SQL, SUM_SQL, spec_of, write_project

DDL = (
    "CREATE TABLE src{i} (k INT, v BIGINT) WITH ('connector' = 'datagen')",
    "CREATE TABLE snk{i} (k INT, total BIGINT) WITH ('connector' = 'blackhole')",
)
AGGREGATES = ("SUM(v)", "MAX(v)", "MIN(v)", "COUNT(*)", "SUM(v) + 1")
MINI_BATCH = (
    ("table.exec.mini-batch.allow-latency", "1s"),
    ("table.exec.mini-batch.enabled", "true"),
    ("table.exec.mini-batch.size", "100"),
)


def agg_request(i: int = 0, agg: str = "SUM(v)", **changes: object) -> CompileRequest:
    statements = (
        *(d.format(i=i) for d in DDL),
        f"INSERT INTO snk{i} SELECT k, {agg} FROM src{i} GROUP BY k",
    )
    base = CompileRequest(f"graphs-{i}", statements, (), 1)
    return replace(base, **changes)


def operators(graph: dict) -> list[str]:
    return sorted(f"{n['id']}|{n['description']}|{n['parallelism']}" for n in graph["nodes"])


def test_the_cluster_identity_carries_the_reported_version(flink_client: FlinkClient) -> None:
    identity = cluster_identity(flink_client)
    assert identity.flink_version == flink_client.overview().flink_version
    assert identity.flink_version.startswith(("1.", "2."))
    assert cluster_identity(flink_client) == identity  # stable: the cache can be shared


def test_each_key_input_compiles_again_and_a_hit_matches_a_fresh_compile(
    flink_client: FlinkClient, runner_jar_id: str, tmp_path: Path
) -> None:
    base = agg_request()
    variants = {
        "sql": agg_request(agg="MAX(v)"),
        "configuration": agg_request(configuration=MINI_BATCH),
        "parallelism": agg_request(parallelism=2),
    }
    fresh = Compiler(flink_client, None, CompileSettings(4, cache=False))
    with Store(tmp_path / "store.db") as store:
        first = Compiler(flink_client, store).compile_many([base, *variants.values()])
        assert not any(c.cached for c in first.values())
        again = Compiler(flink_client, store)
        hits = again.compile_many([base, *variants.values()])
        assert again.compiles == 0 and all(c.cached for c in hits.values())
    uncached = fresh.compile_many([base, *variants.values()])
    for name, request in {"base": base, **variants}.items():
        assert hits[request].graph == uncached[request].graph, name
        if request != base:  # each input reached Flink: its graph differs from the base
            assert operators(hits[request].graph) != operators(hits[base].graph), name
    verdict = compare_graphs(hits[base].graph, hits[variants["sql"]].graph)
    assert verdict == compare_graphs(uncached[base].graph, uncached[variants["sql"]].graph)
    assert verdict.impact is StateImpact.AT_RISK


def test_a_graph_cached_for_another_flink_version_is_not_used(
    flink_client: FlinkClient, runner_jar_id: str, tmp_path: Path
) -> None:
    identity = cluster_identity(flink_client)
    request = agg_request(1)
    bogus = {"type": "STREAMING", "nodes": [{"id": "x", "description": "bogus"}]}
    other = ClusterIdentity("1.20.0" if identity.flink_version != "1.20.0" else "2.3.0", "x")
    with Store(tmp_path / "store.db") as store:
        put_graphs(
            store,
            [
                # the same key, written by another version: refused on read
                CachedGraph(cache_key(identity, request), other.flink_version, "x", bogus),
                CachedGraph(cache_key(other, request), other.flink_version, "x", bogus),
            ],
        )
        compiler = Compiler(flink_client, store)
        result = compiler.compile(request)
    assert compiler.compiles == 1 and not result.cached
    assert "GroupAggregate" in str(result.graph)


def test_parallel_compiles_give_each_request_its_own_graph(
    flink_client: FlinkClient, runner_jar_id: str
) -> None:
    requests = [agg_request(i, AGGREGATES[i % len(AGGREGATES)]) for i in range(10)]
    bad = replace(
        requests[3], statements=(*requests[3].statements[:2], "INSERT INTO nowhere SELECT 1")
    )
    requests[3] = bad
    parallel = Compiler(flink_client, None, CompileSettings(4, cache=False))
    results = parallel.compile_many(requests)
    one_by_one = Compiler(flink_client, None, CompileSettings(1, cache=False))
    for i, request in enumerate(requests):
        got = results[request]
        if request is bad:
            assert got.graph is None and "nowhere" in (got.error or "")
            # Flink's own message, without the request's URL; the runner named the statement
            assert "/jars/" not in (got.error or "")
            assert got.rejection is not None and got.rejection.statement == 2
            continue
        assert got.error is None
        assert f"snk{i}" in str(got.graph) and f"src{i}" in str(got.graph)
        assert operators(got.graph) == operators(one_by_one.compile(request).graph)
    assert parallel.compiles == 10


def test_plan_compares_with_an_applied_version_without_compiling_it(
    flink_cluster: ClusterInfo, flink_client: FlinkClient, runner_jar_id: str, tmp_path: Path
) -> None:
    target = "graphs-plan"
    project = write_project(tmp_path / "p", target, flink_cluster.url, {"totals": SUM_SQL})
    v1 = spec_of(project, target, "totals")
    args = {"target": target, "url": flink_cluster.url}
    with Store(tmp_path / "store.db") as store:
        compiler = Compiler(flink_client, store)
        make_plan(flink_client, store, specs=[v1], compiler=compiler, **args)
        assert compiler.compiles == 1  # the create's SQL
        store.record_version(
            version_record(
                v1, target, savepoint="file:///tmp/graphs-plan/sp-1", outcome="suspended"
            )
        )
        write_project(tmp_path / "p", target, flink_cluster.url, {"totals": SUM_COUNT_SQL})
        v2 = spec_of(project, target, "totals")
        compiler = Compiler(flink_client, store)
        plan = make_plan(flink_client, store, specs=[v2], compiler=compiler, **args)
    (change,) = plan.changes
    assert change.action is Action.RESUME
    assert change.state is StateImpact.INCOMPATIBLE
    assert "GroupAggregate select list changed: SUM(v) -> SUM(v), COUNT(*)" in change.state_reasons
    assert compiler.compiles == 1  # the new SQL only: version 1's graph was cached
