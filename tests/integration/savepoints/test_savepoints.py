"""Scheduled savepoints and retention against the real cluster (files on disk)."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flinkops.savepoints import list_savepoints, run_due_savepoints
from flinkops.savepoints._dispose import local_path
from flinkops.savepoints._render import render_listing
from flinkops.workspace import open_workspace
from tests.integration.savepoints.conftest import Project, stateful_sql


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _exists(location: str) -> bool:
    path = local_path(location)
    assert path is not None, location
    return (path / "_metadata").is_file()


def test_schedule_takes_savepoints_and_retention_keeps_protected_ones(
    project: Project, tmp_path: Path
) -> None:
    sp_dir = tmp_path / "sp"
    project.write_job(
        "sched",
        stateful_sql(rate=5),
        extra=(
            f"  savepointDir: {sp_dir.as_uri()}\n"
            "  savepoints: {schedule: 10s, retain: {count: 2}}\n"
        ),
    )
    _ok(project.apply())
    with open_workspace(project.root, project.target) as ws:
        spec = ws.spec("sched")
        assert spec is not None

        def one_pass(now: datetime) -> dict:
            return run_due_savepoints(ws.client, ws.store, target=ws.target, specs=[spec], now=now)

        # Passes at real time t0, t0+5s (not due: 10 s schedule), and then as if 11 s
        # after each savepoint: the schedule is pure, so the clock is the test's.
        first = one_pass(datetime.now(UTC))
        [taken] = first["savepoints"]
        assert taken["taken"] and _exists(taken["location"])
        assert one_pass(datetime.now(UTC) + timedelta(seconds=5))["savepoints"] == []
        # The running version was (as far as the store knows) started from the first one.
        ws.store.update_version(ws.target, "sched", 1, restored_from=taken["location"])
        locations = [taken["location"]]
        for _ in range(2):
            result = one_pass(datetime.now(UTC) + timedelta(seconds=11))
            locations.append(result["savepoints"][0]["location"])
            assert result["deletions"] == []

        def listing() -> dict:
            policy = spec.savepoint_policy
            now = datetime.now(UTC)
            return list_savepoints(ws.store, target=ws.target, job="sched", policy=policy, now=now)

        before = listing()
        print("\nBEFORE\n" + render_listing(before))
        assert [r["retention"] for r in before["savepoints"]] == ["keep", "keep", "keep"]
        result = one_pass(datetime.now(UTC) + timedelta(seconds=11))
        locations.append(result["savepoints"][0]["location"])
        after = listing()
        print("AFTER\n" + render_listing(after))
        print("deletions:", json.dumps(result["deletions"]))

    first_sp, second, third, fourth = locations
    [deleted] = result["deletions"]
    assert deleted["location"] == second and deleted["deleted"]
    assert deleted["method"].startswith("flink")  # Flink's disposal did the deleting
    assert not local_path(second).exists()
    assert all(_exists(loc) for loc in (first_sp, third, fourth))
    assert [(r["location"], r["protected"]) for r in after["savepoints"]] == [
        (fourth, ["newest"]),
        (third, []),
        (first_sp, ["version"]),
    ]
    assert {r["origin"] for r in after["savepoints"]} == {"scheduled"}
    listed = json.loads(_ok(project.run("savepoints", "sched", "--format", "json")))
    assert [r["location"] for r in listed["savepoints"]] == [fourth, third, first_sp]
    events = json.loads(_ok(project.run("events", "sched", "--format", "json")))
    assert any(e["step"] == "savepoint-deleted" and second in e["message"] for e in events)
