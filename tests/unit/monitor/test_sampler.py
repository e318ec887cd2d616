"""The sampler's arithmetic on Flink's REST answers: aggregation per vertex, FLIP-33
source metrics a connector may report (the local cluster's datagen reports none), the
watermark lag, and the job totals. MockTransport stands in for answers a real cluster
gives only with particular connectors; the real cluster is sampled in the integration
tests."""

from __future__ import annotations

from typing import Any

import httpx

from flinkops.flink.rest import FlinkClient
from flinkops.monitor.sampler import Sampler

NOW = 1_800_000_000.0
JOB = "j1"
IDENTITY = "flinkops.name:orders,flinkops.version:1,flinkops.spec-hash:h,flinkops.target:t"
SOURCE_IDS = [
    "numRecordsInPerSecond",
    "numRecordsOutPerSecond",
    "busyTimeMsPerSecond",
    "backPressuredTimeMsPerSecond",
    "Source__orders[1].currentEmitEventTimeLag",
    "Source__orders[1].pendingRecords",
    "WatermarkAssigner[2].currentOutputWatermark",
    "Calc[3].currentOutputWatermark",  # not a source's: left alone
]


def _answer(request: httpx.Request) -> httpx.Response:
    path, params = request.url.path, request.url.params
    data: Any
    if path == "/jobs/overview":
        data = {"jobs": [{"jid": JOB, "name": "orders", "state": "RUNNING", "start-time": 1}]}
    elif path == f"/jobs/{JOB}/config":
        user_config = dict(pair.split(":", 1) for pair in IDENTITY.split(","))
        data = {"jid": JOB, "execution-config": {"user-config": user_config}}
    elif path == f"/jobs/{JOB}":
        vertices = [
            {"id": "v1", "name": "Source: orders[1] -> WatermarkAssigner[2]", "status": "RUNNING"},
            {"id": "v2", "name": "GroupAggregate[4](groupBy=[k])", "status": "RUNNING"},
        ]
        data = {"jid": JOB, "name": "orders", "state": "RUNNING", "vertices": vertices}
    elif path == f"/jobs/{JOB}/metrics":
        data = [{"id": "numRestarts", "value": "2"}]
    elif path == f"/jobs/{JOB}/checkpoints":
        completed = {
            "id": 9,
            "latest_ack_timestamp": int((NOW - 42) * 1000),
            "end_to_end_duration": 120,
            "state_size": 2048,
        }
        data = {"counts": {"completed": 9, "failed": 1}, "latest": {"completed": completed}}
    elif path.endswith("/subtasks/metrics") and "get" not in params:
        ids = SOURCE_IDS if "/v1/" in path else SOURCE_IDS[:4]
        data = [{"id": i} for i in ids]
    elif path.endswith("/subtasks/metrics"):
        values = {
            "numRecordsInPerSecond": (0, 0, 0),
            "numRecordsOutPerSecond": (50, 30, 20),  # sum, max, min over subtasks
            "busyTimeMsPerSecond": (900, 700, 200),
            "backPressuredTimeMsPerSecond": (100, 60, 40),
            "Source__orders[1].currentEmitEventTimeLag": (3000, 2500, 500),
            "Source__orders[1].pendingRecords": (70, 40, 30),
            "WatermarkAssigner[2].currentOutputWatermark": (0, NOW * 1000, (NOW - 8) * 1000),
        }
        if "/v2/" in path:
            values = {"numRecordsInPerSecond": (50, 25, 25), "busyTimeMsPerSecond": (10, 6, 4)}
        data = [
            {"id": i, "sum": values[i][0], "max": values[i][1], "min": values[i][2]}
            for i in params["get"].split(",")
            if i in values
        ]
    else:
        return httpx.Response(404, json={"errors": [f"no {path}"]})
    return httpx.Response(200, json=data)


def test_one_pass_aggregates_vertices_sources_and_checkpoints(make_spec) -> None:
    client = FlinkClient("http://flink", transport=httpx.MockTransport(_answer), retries=0)
    sampler = Sampler(client, target="t", url="http://flink")
    seen = sampler.sample([make_spec("orders")], {}, now=NOW)
    assert seen.reachable and seen.rows["orders"]["current"] == "RUNNING"
    v = seen.values["orders"]
    src, agg = "Source: orders[1] -> WatermarkAssigner[2]", "GroupAggregate[4]"
    assert v[f"records_out_per_s[{src}]"] == 50 and v[f"records_in_per_s[{agg}]"] == 50
    assert v[f"busy_ms_per_s[{src}]"] == 700 and v[f"backpressured_ms_per_s[{src}]"] == 60
    assert v[f"emit_event_time_lag_ms[{src}]"] == 2500 and v[f"pending_records[{src}]"] == 40
    assert v[f"watermark_lag_ms[{src}]"] == 8000  # now - the oldest subtask's watermark
    assert (v["records_per_s"], v["busy_max"], v["backpressure_max"]) == (100, 0.7, 0.06)
    assert v["lag_max_s"] == 8.0 and v["restarts"] == 2 and v["running"] == 1.0
    assert (v["checkpoints_completed"], v["checkpoints_failed"]) == (9, 1)
    assert (v["checkpoint_duration_ms"], v["checkpoint_size_bytes"]) == (120, 2048)
    assert v["checkpoint_age_s"] == 42
    again = sampler.sample([make_spec("orders")], {}, now=NOW + 15)
    # cached identity and metric lists: overview, job, restarts, checkpoints, 2 vertices
    assert (seen.calls, again.calls) == (10, 6)
