"""The compiled-graph cache's key, its store table, settings, and the compiler's logic.

Flink's behaviour (what a compile returns) is checked on the real cluster in
tests/integration/test_graphs.py; here a MockTransport answers, for the wiring.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import replace

import httpx
import pytest

from flinkops.errors import FlinkUnreachable, PlanError, SpecError
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import runner_jar_name
from flinkops.plan.compiler import (
    CACHE_ENV,
    CONCURRENCY_ENV,
    DEFAULT_CONCURRENCY,
    ClusterIdentity,
    Compiler,
    CompileRequest,
    CompileSettings,
    cache_key,
)
from flinkops.store import CachedGraph, Store, count_graphs, get_graphs, put_graphs
from flinkops.workspace import open_workspace
from tests.conftest import job_yaml

IDENTITY = ClusterIdentity("2.3.0", "f" * 64)


def request(**changes) -> CompileRequest:
    base = CompileRequest(
        job="job-a",
        statements=("CREATE TABLE t (k INT)", "INSERT INTO s SELECT k FROM t"),
        configuration=(("table.exec.mini-batch.enabled", "false"),),
        parallelism=2,
    )
    return replace(base, **changes)


@pytest.mark.parametrize(
    "change",
    [
        {"statements": ("CREATE TABLE t (k INT)", "INSERT INTO s SELECT k + 1 FROM t")},
        {"configuration": (("table.exec.mini-batch.enabled", "true"),)},
        {"configuration": ()},
        {"parallelism": 4},
        {"parallelism": None},
    ],
)
def test_every_request_input_is_in_the_key(change):
    assert cache_key(IDENTITY, request(**change)) != cache_key(IDENTITY, request())


@pytest.mark.parametrize(
    "identity", [ClusterIdentity("1.20.0", "f" * 64), ClusterIdentity("2.3.0", "e" * 64)]
)
def test_the_flink_version_and_the_cluster_are_in_the_key(identity):
    assert cache_key(identity, request()) != cache_key(IDENTITY, request())


def test_job_name_and_secrets_are_not_in_the_key():
    other = request(job="job-b", secrets=frozenset({"s3cr3t"}))
    assert cache_key(IDENTITY, other) == cache_key(IDENTITY, request())


def test_a_stored_version_asks_for_the_same_compile_as_its_spec(make_spec, make_applied):
    spec = make_spec(parallelism=3, flink_configuration={"table.exec.mini-batch.enabled": True})
    applied = make_applied(spec)
    stored = CompileRequest.of_version(spec, applied.sql, applied.spec)
    assert stored == CompileRequest.of_spec(spec)
    assert stored.configuration == (("table.exec.mini-batch.enabled", "true"),)
    assert stored.parallelism == 3


def test_a_version_resolves_its_env_secrets_again(make_spec, make_applied, monkeypatch):
    sql = "CREATE TABLE t (k INT) WITH ('connector' = 'datagen', 'password' = 'pw-4711');"
    spec = make_spec(sql=sql, env_refs=(("FLINKOPS_T_PW", "pw-4711"),))
    applied = make_applied(spec)
    assert "pw-4711" not in applied.sql
    monkeypatch.setenv("FLINKOPS_T_PW", "pw-4711")
    assert CompileRequest.of_version(spec, applied.sql, applied.spec) == CompileRequest.of_spec(
        spec
    )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def location(request: pytest.FixtureRequest, tmp_path) -> str:
    """An SQLite file, or a fresh PostgreSQL schema (tests/conftest.py's pg_url)."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return request.getfixturevalue("pg_url")


def test_the_store_keeps_graphs_per_flink_version(location):
    with Store(location) as store:
        put_graphs(store, [CachedGraph("k1", "1.20.0", "c", {"nodes": [1]})])
        put_graphs(store, [CachedGraph("k1", "1.20.0", "c", {"nodes": [2]})])  # kept: first
        assert get_graphs(store, ["k1", "k2"], "1.20.0") == {"k1": {"nodes": [1]}}
        assert get_graphs(store, ["k1"], "2.3.0") == {}
        assert count_graphs(store) == 1


def test_the_store_reads_more_keys_than_one_query_takes(location):
    with Store(location) as store:
        put_graphs(store, [CachedGraph(f"k{i}", "2.3.0", "c", {"i": i}) for i in range(1200)])
        found = get_graphs(store, [f"k{i}" for i in range(0, 1300, 2)], "2.3.0")
        assert len(found) == 600 and found["k1198"] == {"i": 1198}


def test_settings_precedence():
    target, project = {"concurrency": 2}, {"concurrency": 8, "cache": False}
    assert CompileSettings.resolve(env={}) == CompileSettings(DEFAULT_CONCURRENCY, True)
    assert CompileSettings.resolve(target, project, env={}) == CompileSettings(2, False)
    env = {CONCURRENCY_ENV: "3", CACHE_ENV: "on"}
    assert CompileSettings.resolve(target, project, env=env) == CompileSettings(3, True)
    assert CompileSettings.resolve(
        target, project, concurrency=1, cache=False, env=env
    ) == CompileSettings(1, False)
    assert CompileSettings.resolve(env={CACHE_ENV: "off"}).cache is False


def test_a_bad_concurrency_in_the_environment_says_what_to_do():
    with pytest.raises(PlanError, match=r"FLINKOPS_COMPILE_CONCURRENCY='many'.*1\.\.64"):
        CompileSettings.resolve(env={CONCURRENCY_ENV: "many"})


class FakePlanner:
    """Answers the few REST calls a compile makes; counts compiles and their overlap."""

    def __init__(self, version: str = "2.3.0", gather: int = 1, total: int = 0) -> None:
        self.version = version
        self.compiled: list[str] = []
        self.running = 0
        self.most = 0
        # hold each compile until `gather` are in flight or `total` have arrived (max 10 s)
        self.gather, self.total = gather, total
        self._cond = threading.Condition()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path in ("/overview", "/config"):
            return httpx.Response(200, json={"flink-version": self.version})
        if path == "/jobmanager/environment":
            return httpx.Response(200, json={"classpath": ["/opt/flink/lib/flink-dist.jar"]})
        if path == "/jobmanager/config":
            return httpx.Response(200, json=[{"key": "table.exec.x", "value": "1"}])
        if path == "/jars":
            return httpx.Response(200, json={"files": [{"id": "r.jar", "name": runner_jar_name()}]})
        body = json.loads(request.content)
        sql = json.loads(base64.b64decode(body["programArgsList"][1]))[-1]
        with self._cond:
            self.compiled.append(sql)
            self.running += 1
            self.most = max(self.most, self.running)
            self._cond.notify_all()
            self._cond.wait_for(
                lambda: self.running >= self.gather or len(self.compiled) >= self.total,
                timeout=10,
            )
        with self._cond:
            self.running -= 1
        if "nowhere" in sql:
            return httpx.Response(400, json={"errors": [f"Cannot find table 'nowhere' in {sql}"]})
        node = {"id": "n1", "description": f"Sink: {sql}", "operator": "", "parallelism": 1}
        graph = {"jid": "0" * 32, "name": body["flinkConfiguration"]["pipeline.name"]}
        return httpx.Response(200, json={"plan": {**graph, "type": "STREAMING", "nodes": [node]}})


def compiler(fake, store, concurrency=4, cache=True) -> Compiler:
    client = FlinkClient("http://flink.test", transport=httpx.MockTransport(fake), retries=0)
    return Compiler(client, store, CompileSettings(concurrency, cache))


def sql_request(i: int, secret: str = "") -> CompileRequest:
    statement = f"INSERT INTO s SELECT {i}{secret}"
    return request(job=f"job-{i}", statements=(statement,), secrets=frozenset({secret} - {""}))


def test_a_graph_compiled_by_one_flink_version_is_not_used_for_another():
    with Store(":memory:") as store:
        old = compiler(FakePlanner("1.20.0"), store)
        assert old.compile(sql_request(1)).graph is not None and old.compiles == 1
        new = compiler(FakePlanner("2.3.0"), store)
        result = new.compile(sql_request(1))
        assert (new.compiles, result.cached) == (1, False)
        again = compiler(FakePlanner("2.3.0"), store)
        assert again.compile(sql_request(1)).cached and again.compiles == 0


def test_concurrency_bounds_the_compiles_in_flight():
    fake = FakePlanner(gather=3, total=12)
    with Store(":memory:") as store:
        results = compiler(fake, store, concurrency=3).compile_many(
            [sql_request(i) for i in range(12)]
        )
    assert fake.most == 3
    assert sorted(fake.compiled) == sorted(f"INSERT INTO s SELECT {i}" for i in range(12))
    for req, done in results.items():
        assert done.graph["nodes"][0]["description"] == f"Sink: {req.statements[0]}"


def test_failures_are_per_request_and_not_cached():
    fake = FakePlanner()
    bad = request(job="bad", statements=("INSERT INTO nowhere SELECT 1",))
    with Store(":memory:") as store:
        first = compiler(fake, store).compile_many([sql_request(1), bad])
        assert "Cannot find table 'nowhere'" in first[bad].error and first[bad].graph is None
        assert first[sql_request(1)].error is None
        second = compiler(fake, store)
        again = second.compile_many([sql_request(1), bad])
        assert again[sql_request(1)].cached and not again[bad].cached
        assert second.compiles == 1


def test_secrets_are_masked_in_graphs_and_errors_cached_or_not():
    secret = "-tok-7781"
    req = sql_request(1, secret)
    bad = request(job="bad", statements=(f"INSERT INTO nowhere SELECT '{secret}'",))
    bad = replace(bad, secrets=frozenset({secret}))
    with Store(":memory:") as store:
        fresh = compiler(FakePlanner(), store).compile_many([req, bad])
        cached = compiler(FakePlanner(), store).compile(req)
        with store.db.read("t") as db:
            rows = [r[0] for r in db.execute("SELECT graph FROM compiled_graphs")]
    assert cached.cached and cached.graph == fresh[req].graph
    assert "jid" not in cached.graph and "name" not in cached.graph
    for text in (json.dumps(fresh[req].graph), fresh[bad].error, *rows):
        assert secret not in text and "***" in text


def test_an_unreachable_cluster_stops_the_batch():
    fake = FakePlanner()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/plan"):
            sql = base64.b64decode(json.loads(request.content)["programArgsList"][1])
            if b"SELECT 0" in sql:
                raise httpx.ConnectError("connection refused", request=request)
            time.sleep(0.2)  # the others take a while: the batch is cancelled meanwhile
        return fake(request)

    with Store(":memory:") as store, pytest.raises(FlinkUnreachable):
        compiler(handler, store, concurrency=2).compile_many([sql_request(i) for i in range(40)])
    assert len(fake.compiled) < 20  # the rest were never sent


PROJECT = """\
apiVersion: flinkops/v1
kind: Project
jobs: [jobs/]
compile: {concurrency: 6, cache: false}
targets:
  local:
    url: http://localhost:8081
    compile: {concurrency: 2}
  prod:
    url: https://flink.example.com
"""


def test_the_workspace_takes_compile_settings_from_the_target_then_the_project(
    make_project, monkeypatch
):
    monkeypatch.delenv(CONCURRENCY_ENV, raising=False)
    monkeypatch.delenv(CACHE_ENV, raising=False)
    root = make_project({"jobs/a.yaml": job_yaml()}, project=PROJECT)
    with open_workspace(root, "local") as ws:
        assert ws.compiler().settings == CompileSettings(2, False)
        assert ws.compiler(concurrency=5, cache=True).settings == CompileSettings(5, True)
    with open_workspace(root, "prod") as ws:
        assert ws.compiler().settings == CompileSettings(6, False)


def test_a_bad_compile_setting_is_located_in_flinkops_yaml(make_project):
    root = make_project(
        {"jobs/a.yaml": job_yaml()}, project=PROJECT.replace("concurrency: 6", "concurrency: 0")
    )
    with pytest.raises(SpecError) as info:
        open_workspace(root, "local")
    assert any(p.pointer == "/compile/concurrency" for p in info.value.problems)
