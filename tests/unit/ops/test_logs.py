"""job_logs: which lines of which processes belong to a job, over a MockTransport cluster.

Two managed jobs share the cluster: ``orders`` (a1) runs on tm-1 and tm-2, ``clicks``
(b2) on tm-2 and tm-3. The logs name both jobs, so every test can see a line of the
other job left out.
"""

from __future__ import annotations

import httpx
import pytest

from flinkops.errors import FlinkError
from flinkops.flink.identity import JobIdentity
from flinkops.flink.rest import FlinkClient
from flinkops.ops import job_logs, render_logs
from flinkops.ops._logs import JobMatcher, execution_graphs, job_lines, job_pattern
from tests.unit.ops.helpers import NOW

JM_LOG = """\
2026-12-07 10:00:00,001 INFO  o.a.f.r.d.Dispatcher [] - Submitting job 'orders' (a1).
2026-12-07 10:00:00,002 INFO  o.a.f.r.d.Dispatcher [] - Submitting job 'clicks' (b2).
2026-12-07 10:00:01,000 INFO  o.a.f.r.j.JobMaster [] - Job orders (a1) switched to RUNNING.
2026-12-07 10:00:02,000 INFO  o.a.f.r.j.JobMaster [] - Job clicks (b2) switched to FAILING.
java.lang.ArithmeticException: / by zero
\tat clicks.Udf.eval(Udf.java:3)
2026-12-07 10:00:03,000 WARN  o.a.f.r.j.JobMaster [] - Job orders (a1) restarting.
java.io.IOException: disk gone
\tat orders.Sink.write(Sink.java:9)
Caused by: java.lang.IllegalStateException: closed
\t... 4 more
2026-12-07 10:00:04,000 INFO  o.a.f.r.r.ResourceManager [] - Heartbeat of TaskManager tm-3.
2026-12-07 10:00:05,000 INFO  o.a.f.r.c.CheckpointCoordinator [] - Checkpoint 1 of job a1 done.
"""
ORDERS_TASK = "GroupAggregate[2] -> Sink: orders_out[3]"
TM_LOG = f"""\
2026-12-07 10:00:01,000 INFO  o.a.f.r.t.Task [] - Source: orders_src[1] (1/1)#0 switched to RUNNING.
2026-12-07 10:00:01,100 INFO  o.a.f.r.t.Task [] - {ORDERS_TASK} (1/1)#0 switched to RUNNING.
2026-12-07 10:00:01,200 INFO  o.a.f.r.t.Task [] - Source: clicks_src[1] (1/1)#0 switched to RUNNING.
2026-12-07 10:00:01,300 INFO  o.a.f.r.t.TaskExecutor [] - Establish JM connection for job b2.
2026-12-07 10:00:01,400 INFO  o.a.f.r.t.TaskExecutor [] - Establish JM connection for job a1.
2026-12-07 10:00:01,500 INFO  o.a.f.r.t.TaskExecutor [] - Heartbeat to the ResourceManager.
"""
VERTICES = {
    "a1": {"v1": ("Source: orders_src[1]", ["tm-1"]), "v2": (ORDERS_TASK, ["tm-1", "tm-2"])},
    "b2": {"v3": ("Source: clicks_src[1] -> Sink: clicks_out[2]", ["tm-2", "tm-3"])},
}


def _job_json(jid: str) -> dict:
    vertices = [
        {"id": vid, "name": name, "parallelism": len(tms), "status": "RUNNING"}
        for vid, (name, tms) in VERTICES[jid].items()
    ]
    name = {"a1": "orders", "b2": "clicks"}[jid]
    return {"jid": jid, "name": name, "state": "RUNNING", "vertices": vertices, "plan": {}}


class Cluster:
    def __init__(self, broken: frozenset[str] = frozenset()) -> None:
        self.paths: list[str] = []
        self.broken = broken

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.paths.append(path)
        parts = path.strip("/").split("/")
        if path in self.broken:
            return httpx.Response(404, json={"errors": ["TaskManager is gone."]})
        if path == "/jobs/overview":
            jobs = [
                {"jid": j, "name": n, "state": "RUNNING", "start-time": NOW}
                for j, n in (("a1", "orders"), ("b2", "clicks"))
            ]
            return httpx.Response(200, json={"jobs": jobs})
        if path == "/jobmanager/log":
            return httpx.Response(200, text=JM_LOG)
        if parts[0] == "taskmanagers" and parts[2] == "log":
            return httpx.Response(200, text=TM_LOG)
        if parts[0] == "taskmanagers" and parts[2] == "stdout":
            return httpx.Response(200, text=f"+I[{parts[1]}, 1]\n+I[{parts[1]}, 2]\n")
        if parts[0] == "jobs" and len(parts) == 2:
            return httpx.Response(200, json=_job_json(parts[1]))
        if parts[0] == "jobs" and parts[2] == "config":
            name = {"a1": "orders", "b2": "clicks"}[parts[1]]
            user = JobIdentity(name, 1, "h" * 8, "local").to_params()
            return httpx.Response(
                200, json={"jid": parts[1], "execution-config": {"user-config": user}}
            )
        if parts[0] == "jobs" and parts[-1] == "taskmanagers":
            _, tms = VERTICES[parts[1]][parts[3]]
            return httpx.Response(200, json={"taskmanagers": [{"taskmanager-id": t} for t in tms]})
        return httpx.Response(404, json={"errors": ["Not found: " + path]})

    def client(self) -> FlinkClient:
        return FlinkClient("http://flink", transport=httpx.MockTransport(self.handle), retries=0)


def _sources(data: dict) -> dict[str, list[str]]:
    return {s["id"]: s["lines"] for s in data["sources"]}


def test_jobmanager_lines_name_the_job_and_keep_its_stack_traces() -> None:
    data = job_logs(Cluster().client(), target="local", name="orders", tail=None)
    assert (data["job"], data["job_id"], data["job_ids"]) == ("orders", "a1", ["a1"])
    lines = _sources(data)["jobmanager"]
    headers = [line for line in lines if line.startswith("2026")]
    assert headers == [line for line in JM_LOG.splitlines() if "(a1)" in line or "job a1" in line]
    assert len(headers) == 4
    assert "java.io.IOException: disk gone" in lines
    assert "Caused by: java.lang.IllegalStateException: closed" in lines
    assert "\t... 4 more" in lines
    assert not any(
        "clicks" in line or "b2" in line or "ArithmeticException" in line for line in lines
    )
    assert not any("tm-3" in line for line in lines)


def test_the_taskmanagers_read_are_those_running_the_job() -> None:
    cluster = Cluster()
    data = job_logs(cluster.client(), target="local", name="orders")
    assert [(s["kind"], s["id"]) for s in data["sources"]] == [
        ("jobmanager", "jobmanager"),
        ("taskmanager", "tm-1"),
        ("taskmanager", "tm-2"),
    ]
    assert "/taskmanagers/tm-3/log" not in cluster.paths


def test_taskmanager_lines_are_the_jobs_tasks_and_id() -> None:
    data = job_logs(Cluster().client(), target="local", name="orders")
    lines = _sources(data)["tm-2"]
    assert len(lines) == 3
    assert "Source: orders_src[1]" in lines[0] and ORDERS_TASK in lines[1]
    assert lines[2].endswith("JM connection for job a1.")


def test_tail_keeps_the_last_lines_of_each_source() -> None:
    data = job_logs(Cluster().client(), target="local", name="orders", tail=2)
    sources = _sources(data)
    assert all(len(lines) == 2 for lines in sources.values())
    assert sources["jobmanager"][-1].endswith("Checkpoint 1 of job a1 done.")


def test_stdout_reads_the_out_files_of_the_jobs_taskmanagers() -> None:
    cluster = Cluster()
    data = job_logs(cluster.client(), target="local", name="clicks", stdout=True)
    assert data["stdout"] is True
    assert _sources(data) == {
        "tm-2": ["+I[tm-2, 1]", "+I[tm-2, 2]"],
        "tm-3": ["+I[tm-3, 1]", "+I[tm-3, 2]"],
    }
    assert "/jobmanager/log" not in cluster.paths


def test_a_source_that_cannot_be_read_says_why_and_the_others_still_show() -> None:
    cluster = Cluster(broken=frozenset({"/taskmanagers/tm-1/log"}))
    data = job_logs(cluster.client(), target="local", name="orders")
    by_id = {s["id"]: s for s in data["sources"]}
    assert "TaskManager is gone" in by_id["tm-1"]["error"] and by_id["tm-1"]["lines"] == []
    assert by_id["tm-2"]["error"] is None and by_id["tm-2"]["lines"]
    text = render_logs(data)
    assert "[taskmanager tm-1] (not read:" in text
    assert all(line.startswith(("[jobmanager] ", "[taskmanager tm-")) for line in text.splitlines())


def test_an_unknown_job_is_an_error_naming_the_target() -> None:
    with pytest.raises(FlinkError, match="no job 'nosuch' on target 'local'"):
        job_logs(Cluster().client(), target="local", name="nosuch")


def test_the_job_name_matches_as_a_whole_word() -> None:
    pattern = job_pattern(["live", "a1"])
    text = "\n".join(
        [
            "2026-01-01 00:00:00 x - alive",
            "2026-01-01 00:00:01 x - live-2",
            "2026-01-01 00:00:02 Job live",
        ]
    )
    assert job_lines(text, pattern.search) == ["2026-01-01 00:00:02 Job live"]
    assert job_lines("Job live\n\tat x\nplain line\n\tat y\n", pattern.search) == [
        "Job live",
        "\tat x",
    ]


J1, J2, G1, G2, V = ("1" * 32, "2" * 32, "a" * 32, "b" * 32, "c" * 32)


def test_same_named_tasks_of_two_jobs_are_told_apart_by_their_execution_graph() -> None:
    jm_log = (
        f"2026-12-07 10:00:00,000 INFO x [] - Created execution graph {G1} for job {J1}.\n"
        f"2026-12-07 10:00:00,001 INFO x [] - Created execution graph {G2} for job {J2}.\n"
    )
    ours = f"2026-12-07 10:00:01,000 INFO Task [] - Source: src[1] (1/1)#0 ({G1}_{V}_0_0) RUNNING."
    theirs = [
        f"2026-12-07 10:00:02,000 WARN Task [] - Source: src[1] (1/1)#0 ({G2}_{V}_0_0) FAILED",
        "java.lang.ArithmeticException: / by zero",
        "\tat their.Udf.eval(Udf.java:3)",
    ]
    plain = "2026-12-07 10:00:03,000 INFO Task [] - Source: src[1] has no attempt here."
    tm_log = "\n".join([ours, *theirs, plain])
    graphs = execution_graphs(jm_log, [J1, "live"])
    assert graphs == {G1}
    words = job_pattern([J1, "live", "Source: src[1]"])
    assert job_lines(tm_log, JobMatcher(words, graphs)) == [ours, plain]
    # without the JobManager's word on the graphs, the task's name is all there is
    assert job_lines(tm_log, JobMatcher(words)) == [ours, *theirs, plain]
