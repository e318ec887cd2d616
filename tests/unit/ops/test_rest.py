"""The REST reads FlinkClient has no typed method for (ops/_rest.py)."""

from __future__ import annotations

import httpx

from flinkops.flink.live import read_jobs
from flinkops.flink.rest import FlinkClient
from flinkops.ops._rest import backpressure, watermarks
from tests.unit.ops.helpers import payload


def test_rest_helpers_parse_flinks_answers() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/jobs/overview":
            return httpx.Response(200, json=payload("jobs_overview_end"))
        if path.endswith("/backpressure"):
            body = payload("bp2_1")
            body["subtasks"][0].update({"ratio": 0.8, "backpressureLevel": "high"})
            body["backpressureLevel"] = "high"
            return httpx.Response(200, json=body)
        if path.endswith("/watermarks"):
            return httpx.Response(
                200,
                json=[
                    {"id": "0.currentInputWatermark", "value": "1795274590000"},
                    {"id": "1.currentInputWatermark", "value": str(-(2**63))},
                ],
            )
        return httpx.Response(404)

    client = FlinkClient("http://flink:8081", transport=httpx.MockTransport(handle))
    jobs = read_jobs(client, "local")
    assert {j.job_type for j in jobs} == {"STREAMING"}
    assert jobs[0].start_time >= jobs[-1].start_time
    bp = backpressure(client, "j", "v")
    assert bp == {"level": "high", "max_ratio": 0.8, "max_busy_ratio": 1.0, "subtasks": 1}
    assert watermarks(client, "j", "v") == 1795274590000
