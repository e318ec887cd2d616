"""The recordsFlowing gate: the pure verdict, and reading Flink's source counters.

The counters' real behaviour (a datagen job flows, a job on an empty directory is
idle) is tested on the real cluster in tests/integration/apply/test_flowing.py; here the
REST plumbing is fed the JSON shapes Flink 2.3 returned there.
"""

from __future__ import annotations

import httpx
import pytest

from flinkops.apply.flowing import FlowGate, SourceSample, flow_text, judge, source_vertices
from flinkops.apply.health import wait_healthy
from flinkops.errors import Unhealthy
from flinkops.flink.rest import FlinkClient
from flinkops.plan.steps import WaitHealthy, describe, short


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
        if request.url.path == "/jobs/j1/exceptions":
            return httpx.Response(200, json={"exceptionHistory": {"entries": []}})
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


def _wait(numbers: dict[str, float], timeout: float) -> dict:
    step = WaitHealthy(0.0, timeout, records_flowing=True)
    with FlinkClient("http://flink", transport=_flink(numbers)) as client:
        return wait_healthy(client, "agg", "j1", step, progress=lambda *a: None, poll=0.01)


def test_health_wait_passes_a_flowing_job_with_its_evidence() -> None:
    verdict = _wait({"Source__src[3].numRecordsOut": 160.0}, timeout=5)
    assert verdict["flow"]["flowing"] is True
    assert flow_text(verdict["flow"]) == ("records flowing (Source: src[3] -> snk[4]: Writer: 160)")


def test_health_wait_fails_a_running_but_idle_job_as_idle() -> None:
    with pytest.raises(Unhealthy) as info:
        _wait({"Source__src[3].numRecordsOut": 0.0, "Source__src[3].sourceIdleTime": 9000}, 0.2)
    assert "not healthy after 0.2s (state RUNNING): RUNNING but idle" in str(info.value)
    assert info.value.root_cause.startswith("RUNNING but idle: Source: src[3]")
    assert "idle 9s" in info.value.root_cause


def test_the_wait_step_says_it_waits_for_records() -> None:
    step = WaitHealthy(5, 60, records_flowing=True)
    assert (
        describe(step) == "wait until healthy (5s without a restart, records flowing, at most 60s)"
    )
    assert short(step.to_json()) == "wait healthy 5s + records"
