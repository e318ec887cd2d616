"""Parsing Flink's JSON (2.x and 1.20 shapes) into flinkops's typed results."""

from __future__ import annotations

from flinkops.flink.identity import JobIdentity
from flinkops.flink.models import Checkpoints, Exceptions, JobConfig, JobDetails, root_line

TRACE = (
    "org.apache.flink.runtime.JobException: Recovery is suppressed by NoRestartBackoff\n"
    "\tat org.apache.flink.runtime.X.y(X.java:1)\n"
    "Caused by: java.lang.NumberFormatException: For input string: 'ab'.\n"
    "\tat z.W(W.java:2)\n"
)


def test_root_line_is_the_deepest_cause() -> None:
    assert root_line(TRACE) == "java.lang.NumberFormatException: For input string: 'ab'."
    assert root_line("a.B: only\n\tat x") == "a.B: only"
    assert root_line(None) == ""


def test_exceptions_flink2_history() -> None:
    ex = Exceptions.from_json(
        {
            "exceptionHistory": {
                "entries": [
                    {
                        "exceptionName": "org.apache.flink.runtime.JobException",
                        "stacktrace": TRACE,
                        "timestamp": 10,
                        "taskName": None,
                        "concurrentExceptions": [],
                    }
                ],
                "truncated": False,
            }
        }
    )
    assert ex.root_cause.startswith("java.lang.NumberFormatException")
    assert ex.root_exception == TRACE and ex.timestamp == 10


def test_exceptions_flink1_fields() -> None:
    ex = Exceptions.from_json(
        {
            "root-exception": TRACE,
            "timestamp": 5,
            "all-exceptions": [{"exception": "trace 1", "task": "Source: src", "location": "tm"}],
            "truncated": True,
            "exceptionHistory": {"entries": [], "truncated": False},
        }
    )
    assert ex.root_exception == TRACE
    assert ex.history[0].task_name == "Source: src" and ex.history[0].location == "tm"
    assert ex.truncated
    assert Exceptions.from_json({}).root_cause == ""


def test_checkpoints_latest_and_restored() -> None:
    cp = Checkpoints.from_json(
        {
            "counts": {"restored": 1, "total": 3, "in_progress": 0, "completed": 2, "failed": 1},
            "latest": {
                "completed": {"id": 7, "external_path": "file:/c/chk-7", "is_savepoint": False},
                "savepoint": {"id": 5, "external_path": "file:/s/sp-5", "is_savepoint": True},
                "failed": {"id": 6, "failure_message": "disk full"},
                "restored": {
                    "id": 4,
                    "restore_timestamp": 99,
                    "is_savepoint": True,
                    "external_path": "file:/s/sp-4",
                },
            },
            "history": [{"id": 7, "status": "COMPLETED", "external_path": "file:/c/chk-7"}],
        }
    )
    assert cp.counts["completed"] == 2
    assert cp.restored is not None and cp.restored.external_path == "file:/s/sp-4"
    assert cp.latest.restored is cp.restored and cp.restored.is_savepoint
    assert cp.latest.retained is not None and cp.latest.retained.id == 7
    assert cp.latest.failed is not None and cp.latest.failed.failure_message == "disk full"
    assert cp.history[0].status == "COMPLETED"
    empty = Checkpoints.from_json({"counts": {}, "latest": {"completed": None}})
    assert empty.restored is None and empty.latest.retained is None


def test_job_details_vertices_and_metrics() -> None:
    d = JobDetails.from_json(
        {
            "jid": "j",
            "name": "n",
            "state": "RUNNING",
            "start-time": 1,
            "end-time": -1,
            "duration": 5,
            "timestamps": {"RUNNING": 2},
            "vertices": [
                {
                    "id": "v",
                    "name": "GroupAggregate",
                    "parallelism": 3,
                    "status": "RUNNING",
                    "metrics": {"read-records": 10, "write-records": 4, "read-bytes": 100},
                }
            ],
            "plan": {"jid": "j", "nodes": [{"id": "v"}]},
        }
    )
    assert d.end_time is None and d.parallelism == 3
    v = d.vertices[0]
    assert (v.read_records, v.write_records, v.read_bytes, v.write_bytes) == (10, 4, 100, 0)
    assert d.plan["nodes"][0]["id"] == "v"


def test_job_config_identity() -> None:
    cfg = JobConfig.from_json(
        {
            "jid": "j",
            "name": "n",
            "execution-config": {
                "user-config": {
                    "flinkops.name": "orders",
                    "flinkops.version": "3",
                    "flinkops.spec-hash": "abc",
                    "flinkops.target": "prod",
                    "team": "x",
                }
            },
        }
    )
    assert cfg.identity == JobIdentity("orders", 3, "abc", "prod")
    assert JobConfig.from_json({"execution-config": {}}).identity is None
