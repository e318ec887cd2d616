"""Diagnose rules on Flink REST payloads recorded from a real 2.3.0 cluster."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flinkops.flink.models import Checkpoints, Exceptions, JobDetails
from flinkops.ops import render_findings
from flinkops.ops._diagnose import Facts, Finding, diagnose

DATA = Path(__file__).parent.parent / "data" / "ops"


def payload(name: str) -> dict[str, Any]:
    return json.loads((DATA / f"{name}.json").read_text())


def facts(job: str, **kw: Any) -> Facts:
    details = JobDetails.from_json(payload(job))
    return Facts(job=details, now_ms=details.now or 0, **kw)


def rules(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


def test_failed_restore_names_incompatible_state() -> None:
    found = diagnose(
        facts(
            "job_restore_failed",
            num_restarts=0,
            exceptions=Exceptions.from_json(payload("exceptions_restore_failed")),
            checkpoints=Checkpoints.from_json(payload("checkpoints_restore_failed")),
        )
    )
    assert rules(found) == ["state-incompatible"]
    f = found[0]
    assert f.severity == "error"
    assert any("StateMigrationException" in e for e in f.evidence)
    assert "roll back" in f.next_step


def test_runtime_cast_failure_is_bad_data() -> None:
    found = diagnose(
        facts("job_cast_failed", exceptions=Exceptions.from_json(payload("exceptions_cast_failed")))
    )
    assert rules(found) == ["bad-data"]
    assert "TRY_CAST" in found[0].next_step
    assert any("NumberFormatException" in e for e in found[0].evidence)


def test_restarting_job_repeated_restarts_and_cause() -> None:
    exc = Exceptions.from_json(payload("exceptions_restarting"))
    found = diagnose(facts("job_restarting", num_restarts=14, exceptions=exc))
    assert set(rules(found)) == {"repeated-restarts", "bad-data"}
    restarts = next(f for f in found if f.rule == "repeated-restarts")
    assert restarts.severity == "error" and "14" in restarts.title
    assert "numRestarts: 14" in restarts.evidence


def test_restarts_counted_from_history_without_the_metric() -> None:
    exc = Exceptions.from_json(payload("exceptions_restarting"))
    found = diagnose(facts("job_restarting", exceptions=exc))
    restarts = next(f for f in found if f.rule == "repeated-restarts")
    assert f"exception history entries: {len(exc.history)}" in restarts.evidence


def test_healthy_running_job_has_no_findings() -> None:
    bp = {"v": {"level": "ok", "max_ratio": 0.0, "max_busy_ratio": 0.1}}
    found = diagnose(
        facts(
            "job_running",
            num_restarts=0,
            exceptions=Exceptions.from_json({"exceptionHistory": {"entries": []}}),
            checkpoints=Checkpoints.from_json(payload("checkpoints_running")),
            backpressure=bp,
        )
    )
    # the first checkpoint failed while tasks started; later ones completed: not a finding
    assert found == []
    text = render_findings({"job": "agg", "job_id": "j1", "flink_state": "RUNNING", "findings": []})
    assert text == "Job agg (j1, RUNNING): no problems found."


def _running(uptime_ms: int, records: int) -> JobDetails:
    raw = payload("job_running")
    raw["now"] = raw["timestamps"]["RUNNING"] + uptime_ms
    for v in raw["vertices"]:
        v["metrics"]["write-records"] = records
        v["metrics"]["read-records"] = records
    return JobDetails.from_json(raw)


def test_no_records_after_a_minute() -> None:
    stuck = Facts(job=_running(120_000, 0), now_ms=0)
    assert rules(diagnose(stuck)) == ["no-records"]
    assert diagnose(Facts(job=_running(20_000, 0), now_ms=0)) == []  # too early to tell
    assert diagnose(Facts(job=_running(120_000, 5), now_ms=0)) == []


def test_backpressure_points_at_the_busiest_vertex() -> None:
    job = JobDetails.from_json(payload("job_running"))
    src, agg = job.vertices
    found = diagnose(
        Facts(
            job=job,
            now_ms=0,
            backpressure={
                src.id: {"level": "high", "max_ratio": 0.93, "max_busy_ratio": 0.05},
                agg.id: {"level": "ok", "max_ratio": 0.0, "max_busy_ratio": 0.98},
            },
        )
    )
    assert rules(found) == ["backpressure"]
    assert any(src.name in e and "0.93" in e for e in found[0].evidence)
    assert agg.name in found[0].next_step


def _checkpoints(
    failed_id: int, completed_id: int | None, message: str, failed: int
) -> Checkpoints:
    latest: dict[str, Any] = {
        "failed": {"id": failed_id, "status": "FAILED", "failure_message": message}
    }
    if completed_id is not None:
        latest["completed"] = {"id": completed_id, "status": "COMPLETED"}
    return Checkpoints.from_json(
        {"counts": {"failed": failed, "completed": 3}, "latest": latest, "history": []}
    )


def test_checkpoint_timeouts_and_failures() -> None:
    job = JobDetails.from_json(payload("job_running"))
    timeout = diagnose(
        Facts(
            job=job,
            now_ms=0,
            checkpoints=_checkpoints(9, 7, "Checkpoint expired before completing.", 2),
            checkpoint_config={"timeout": 600000},
        )
    )
    assert rules(timeout) == ["checkpoint-timeouts"]
    assert timeout[0].severity == "error"  # nothing completed since
    assert "checkpoint timeout: 600s" in timeout[0].evidence
    failing = diagnose(
        Facts(job=job, now_ms=0, checkpoints=_checkpoints(9, 7, "Could not write to s3://x", 4))
    )
    assert rules(failing) == ["checkpoint-failures"]
    recovered = diagnose(
        Facts(job=job, now_ms=0, checkpoints=_checkpoints(2, 7, "Could not write", 1))
    )
    assert recovered == []


def _exceptions(trace: str) -> Exceptions:
    return Exceptions.from_json(
        {
            "exceptionHistory": {
                "entries": [{"exceptionName": "x", "stacktrace": trace, "timestamp": 1}]
            }
        }
    )


def test_known_causes_in_stack_traces() -> None:
    job = JobDetails.from_json(payload("job_cast_failed"))
    cases = {
        "missing-connector": "org.apache.flink.table.api.ValidationException: Could not find "
        "any factory for identifier 'kafka' that implements 'DynamicTableFactory'",
        "out-of-memory": "java.lang.RuntimeException: boom\nCaused by: "
        "java.lang.OutOfMemoryError: Java heap space",
        "arithmetic": "java.lang.ArithmeticException: / by zero",
        "state-not-mapped": "java.lang.IllegalStateException: Failed to rollback to "
        "checkpoint/savepoint file:/sp. Cannot map checkpoint/savepoint state for operator "
        "abc to the new program, because the operator is not available in the new program.",
        "no-slots": "org.apache.flink.runtime.jobmanager.scheduler."
        "NoResourceAvailableException: Could not acquire the minimum required resources.",
    }
    for rule, trace in cases.items():
        found = diagnose(Facts(job=job, now_ms=0, exceptions=_exceptions(trace)))
        assert rule in rules(found), (rule, rules(found))
        assert found[0].severity == "error"
    unknown = diagnose(Facts(job=job, now_ms=0, exceptions=_exceptions("a.B: nobody knows")))
    assert rules(unknown) == ["job-failed"]
    assert unknown[0].evidence == ("root cause: a.B: nobody knows",)


def test_render_findings() -> None:
    data = {
        "job": "agg",
        "job_id": "j1",
        "flink_state": "FAILED",
        "findings": [
            Finding(
                "bad-data", "error", "a record could not be converted", ("e1",), "fix"
            ).to_json()
        ],
    }
    assert render_findings(data) == (
        "Job agg (j1, FAILED): 1 finding(s)\n"
        "\n"
        "[ERROR] a record could not be converted  (bad-data)\n"
        "  - e1\n"
        "  next: fix"
    )
