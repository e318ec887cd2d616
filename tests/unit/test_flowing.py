"""The recordsFlowing gate: the pure verdict, and reading Flink's source counters.

The counters' real behaviour (a datagen job flows, a job on an empty directory is
idle) is tested on the real cluster in tests/integration/test_flowing.py; here the
REST plumbing is fed the JSON shapes Flink 2.3 returned there.
"""

from __future__ import annotations

import httpx

from flinkops.flink.rest import FlinkClient
from flinkops.flowing import FlowGate, SourceSample, judge, source_vertices


def sample(vid: str, out: float | None, write: int = 0, idle: float | None = None) -> SourceSample:
    return SourceSample(vid, f"Source: {vid}", out, write, idle)


def test_every_source_must_advance() -> None:
    verdict = judge([sample("a", 5), sample("b", 0)], [sample("a", 9), sample("b", 0, idle=23000)])
    assert not verdict.flowing and verdict.idle == ("Source: b",)
    assert verdict.describe() == (
        "RUNNING but idle: Source: b emitted 0 records, idle 23s (is its upstream missing?)"
    )
    assert verdict.to_json()["sources"][0] == {
        "source": "Source: a",
        "emitted": 9,
        "since": 5,
        "advanced": True,
        "idle_ms": None,
    }


def test_a_new_job_flows_once_each_source_emitted_anything() -> None:
    assert judge([], [sample("a", 1), sample("b", None, write=3)]).flowing
    assert not judge([], [sample("a", None)]).flowing  # no counters yet is not flowing
    assert not judge([], []).flowing  # no sources seen: no evidence of flow
    assert judge([], [sample("a", 160)]).describe() == "records flowing (Source: a: 160)"


def test_sources_are_vertices_without_inputs() -> None:
    plan = {"nodes": [{"id": "sink", "inputs": [{"id": "src"}]}, {"id": "src"}, {"id": "s2"}]}
    assert source_vertices(plan) == {"src", "s2"}


def _flink(numbers: dict[str, float]) -> httpx.MockTransport:
    job = {
        "jid": "j1",
        "name": "x",
        "state": "RUNNING",
        "vertices": [
            {
                "id": "v1",
                "name": "Source: src[3] -> snk[4]: Writer",
                "parallelism": 2,
                "status": "RUNNING",
                "metrics": {"write-records": 0},
            },
            {"id": "v2", "name": "snk", "parallelism": 1, "status": "RUNNING", "metrics": {}},
        ],
        "plan": {"nodes": [{"id": "v1"}, {"id": "v2", "inputs": [{"id": "v1"}]}]},
    }

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/jobs/j1":
            return httpx.Response(200, json=job)
        assert request.url.path == "/jobs/j1/vertices/v1/subtasks/metrics", request.url
        get = request.url.params.get("get")
        if get is None:
            return httpx.Response(200, json=[{"id": k} for k in [*numbers, "numRecordsIn"]])
        return httpx.Response(
            200, json=[{"id": k, "sum": v} for k, v in numbers.items() if k in get.split(",")]
        )

    return httpx.MockTransport(handle)


def test_gate_reads_the_source_operator_counters() -> None:
    idle = {"Source__src[3].numRecordsOut": 0.0, "Source__src[3].sourceIdleTime": 7053.0}
    with FlinkClient("http://flink", transport=_flink(idle)) as client:
        gate = FlowGate(client, "j1")
        assert not gate.ready()
        assert gate.latest == [
            SourceSample("v1", "Source: src[3] -> snk[4]: Writer", 0.0, 0, 7053.0)
        ]
    flowing = {"Source__src[3].numRecordsOut": 160.0}
    with FlinkClient("http://flink", transport=_flink(flowing)) as client:
        gate = FlowGate(client, "j1")
        assert gate.ready() and gate.verdict().flowing


def test_gate_unreachable_metrics_are_not_flowing() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, text="unavailable")

    with FlinkClient("http://flink", transport=httpx.MockTransport(down), retries=0) as client:
        gate = FlowGate(client, "j1")
        assert not gate.ready()
        verdict = gate.verdict()
        assert not verdict.flowing and "no source counters" in verdict.describe()
