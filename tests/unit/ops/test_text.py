"""render_status and render_show: the text forms, from the JSON, against golden text."""

from __future__ import annotations

from flinkops.ops import human_ms, render_status


def test_render_status_golden() -> None:
    status = {
        "target": "local",
        "url": "http://localhost:8081",
        "flink_version": "2.3.0",
        "reachable": True,
        "error": None,
        "counts": {
            "total": 2,
            "batch": 0,
            "streaming": 2,
            "RUNNING": 1,
            "CANCELED": 0,
            "FAILED": 0,
            "RESTARTING": 0,
            "FINISHED": 0,
            "UNKNOWN": 0,
        },
        "alerts": {
            "firing": 3,
            "cluster": [
                {"severity": "critical", "rule": "unreachable", "summary": "no answer"},
            ],
        },
        "jobs": [
            {
                "name": "payments",
                "desired": "running",
                "current": "FAILED",
                "in_sync": False,
                "version": 2,
                "uptime_ms": None,
                "restarts": None,
                "last_checkpoint_age_ms": None,
                "last_savepoint_age_ms": None,
                "alerts": [
                    {"severity": "critical", "rule": "failed", "firing_ms": 300_000},
                    {"severity": "warning", "rule": "notDesired", "firing_ms": 10_000},
                ],
            },
            {
                "name": "orders",
                "desired": "running",
                "current": "RUNNING",
                "in_sync": False,
                "version": 4,
                "uptime_ms": 3_725_000,
                "restarts": 0,
                "last_checkpoint_age_ms": 4_000,
                "last_savepoint_age_ms": None,
            },
        ],
        "unmanaged": [
            {"name": "adhoc", "job_id": "ab12", "flink_state": "RUNNING", "uptime_ms": 61_000}
        ],
    }
    assert render_status(status) == (
        "Target local at http://localhost:8081 (Flink 2.3.0)\n"
        "total 2  batch 0  streaming 2  |  RUNNING 1  CANCELED 0  FAILED 0  RESTARTING 0"
        "  FINISHED 0  UNKNOWN 0\n"
        "FIRING ALERTS 3\n"
        "  cluster: critical unreachable: no answer\n"
        "\n"
        "JOB       DESIRED  CURRENT  IN SYNC  VERSION  UPTIME  RESTARTS  CHECKPOINT  SAVEPOINT"
        "  ALERTS\n"
        "payments  running  FAILED   NO       v2       -       -         -           -"
        "          critical failed 5m00s +1\n"
        "orders    running  RUNNING  NO       v4       1h02m   0         4s ago      -"
        "          -\n"
        "\n"
        "Unmanaged jobs (not submitted by flinkops for this project and target; never "
        "touched):\n"
        "  NAME   JOB ID  STATE    UPTIME  OWNER\n"
        "  adhoc  ab12    RUNNING  1m01s   -"
    )


def test_human_ms() -> None:
    assert [human_ms(x) for x in (None, 999, 59_000, 61_000, 7_200_000, 3 * 86_400_000)] == [
        "-", "0s", "59s", "1m01s", "2h00m", "3d00h",
    ]  # fmt: skip


VERTEX = {
    "name": "Source: src[1]",
    "parallelism": 2,
    "status": "RUNNING",
    "records_in": 0,
    "records_out": 42450,
    "records_in_per_second": 0.0,
    "records_out_per_second": 50.0,
    "bytes_in": 0,
    "bytes_out": 1_400_850,
    "backpressure": "ok",
    "watermark_lag_ms": 2_000,
}
CHECKPOINT = {
    "id": 12,
    "path": "file:/cp/chk-12",
    "latest_ack_timestamp": 1_795_274_579_040,
    "trigger_timestamp": 1_795_274_579_000,
    "restore_timestamp": None,
    "failure_message": None,
}
APPLIED = {"version": 3, "outcome": "applied", "applied_at": "2026-11-21T15:22:37Z"}
SUBMITTED = {"at": "2026-11-21T15:22:37Z", "level": "info", "step": "submit", "message": "ok"}


def _live_doc() -> dict:
    """The live part of show's JSON: one vertex, the latest checkpoint, no exceptions."""
    checkpoints = {
        "counts": {"completed": 12, "failed": 0, "in_progress": 0},
        "latest_completed": CHECKPOINT,
        **dict.fromkeys(("latest_savepoint", "latest_failed", "restored_from")),
    }
    return {
        "job_id": "j1",
        "flink_state": "RUNNING",
        "job_type": "STREAMING",
        "start_time": 1_795_274_557_410,
        "duration_ms": 24_000,
        "vertices": [VERTEX],
        "checkpoints": checkpoints,
        "exceptions": {"root_cause": None, "history": []},
    }


def _show_doc() -> dict:
    """show's JSON of job orders running its version 3, in sync."""
    return {
        "name": "orders",
        "target": "local",
        "managed": True,
        "desired": "running",
        "current": "RUNNING",
        "running": True,
        "message": None,
        "version": 3,
        "in_sync": True,
        "web_ui": "http://flink/#/job/running/j1/overview",
        "configuration": {"state": "running", "flinkConfiguration": {"custom.password": "***"}},
        "live": _live_doc(),
        "versions": [{**APPLIED, "git_commit": "abc123"}],
        "savepoints": [],
        "events": [SUBMITTED],
        "lineage": {"tables": [{"job": "orders", "sink": "snk", "sources": ["src"]}]},
    }


def test_render_show_golden() -> None:
    from flinkops.ops import render_show

    assert render_show(_show_doc()).splitlines() == [
        "Job orders on local",
        "  desired running  current RUNNING  version v3  in sync yes",
        "  job id j1  Flink state RUNNING  type STREAMING  started 2026-11-21 15:22:37Z  "
        "duration 24s",
        "  web UI http://flink/#/job/running/j1/overview",
        "",
        "Vertices:",
        "  VERTEX          PAR  STATUS   REC IN  REC OUT  REC/S IN/OUT  BYTES IN/OUT  "
        "BACKPRESSURE  WM LAG",
        "  Source: src[1]  2    RUNNING  0       42.5K    0/50          0B/1.4MB      "
        "ok            2s",
        "",
        "Checkpoints: completed 12  failed 0  in_progress 0",
        "  latest completed: #12 2026-11-21 15:22:59Z file:/cp/chk-12",
        "",
        "Configuration (as applied):",
        "  state: running",
        "  custom.password: ***",
        "",
        "Versions:",
        "  v3  applied     2026-11-21T15:22:37Z  abc123",
        "",
        "Events:",
        "  2026-11-21T15:22:37Z  info    submit: ok",
        "",
        "Lineage:",
        "  src -> snk",
    ]


def test_render_show_not_running() -> None:
    from flinkops.ops import render_show

    doc = _show_doc()
    doc.update(running=False, current="SUSPENDED", live=None, web_ui=None, in_sync=None)
    doc["message"] = "job 'orders' is not running on 'local' (suspended); what flinkops recorded"
    text = render_show(doc)
    assert "not running" in text.splitlines()[2]
    assert "Vertices:" not in text and "Versions:" in text


def test_render_show_names_the_newer_version() -> None:
    from flinkops.ops import render_show

    doc = _show_doc()
    doc.update(version=2, newer_version={"version": 6, "outcome": "rolled-back", "blocked": True})
    assert "version v2 (v6 rolled back, blocked)" in render_show(doc).splitlines()[1]


def test_version_label() -> None:
    from flinkops.ops import version_label

    newer = {"version": 6, "outcome": "rolled-back", "blocked": False}
    assert version_label({"version": 2, "newer_version": newer}) == "v2 (v6 rolled back)"
    assert version_label({"version": 2, "newer_version": None}) == "v2"
    assert version_label({"version": None}) == "-"
