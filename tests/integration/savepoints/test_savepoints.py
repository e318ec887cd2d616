"""Scheduled savepoints and retention against the real cluster (files on disk)."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flinkops.savepoints import list_savepoints, run_due_savepoints
from flinkops.savepoints._dispose import local_path
from flinkops.savepoints._render import render_listing
from flinkops.spec import JobSpec
from flinkops.workspace import Workspace, open_workspace
from tests.integration.savepoints.conftest import Project, stateful_sql


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _exists(location: str) -> bool:
    path = local_path(location)
    assert path is not None, location
    return (path / "_metadata").is_file()


def _write_scheduled_job(project: Project, sp_dir: Path) -> None:
    """Job ``sched``: a savepoint every 10 s into ``sp_dir``, the newest two retained."""
    project.write_job(
        "sched",
        stateful_sql(rate=5),
        extra=(
            f"  savepointDir: {sp_dir.as_uri()}\n"
            "  savepoints: {schedule: 10s, retain: {count: 2}}\n"
        ),
    )


def _one_pass(ws: Workspace, spec: JobSpec, *, later: float = 0) -> dict:
    """One pass of run_due_savepoints as if ``later`` seconds from now: the schedule is
    pure, so the clock is the test's."""
    now = datetime.now(UTC) + timedelta(seconds=later)
    return run_due_savepoints(ws.client, ws.store, target=ws.target, specs=[spec], now=now)


def _take_due(ws: Workspace, spec: JobSpec, locations: list[str]) -> dict:
    """A pass 11 s after the last savepoint (so one is due); its location appended."""
    result = _one_pass(ws, spec, later=11)
    locations.append(result["savepoints"][0]["location"])
    return result


def _listing(ws: Workspace, spec: JobSpec, title: str) -> dict:
    """``spec``'s savepoints as ``savepoints`` lists them now, printed under ``title``."""
    listing = list_savepoints(
        ws.store,
        target=ws.target,
        job=spec.name,
        policy=spec.savepoint_policy,
        now=datetime.now(UTC),
    )
    print(f"\n{title}\n" + render_listing(listing))
    return listing


def _cli_json(project: Project, *args: str) -> Any:
    return json.loads(_ok(project.run(*args, "--format", "json")))


def test_schedule_takes_savepoints_and_retention_keeps_protected_ones(
    project: Project, tmp_path: Path
) -> None:
    _write_scheduled_job(project, tmp_path / "sp")
    _ok(project.apply())
    with open_workspace(project.root, project.target) as ws:
        spec = ws.spec("sched")
        assert spec is not None
        # Passes at real time t0, t0+5s (not due: 10 s schedule), and then as if 11 s
        # after each savepoint.
        first = _one_pass(ws, spec)
        [taken] = first["savepoints"]
        assert taken["taken"] and _exists(taken["location"])
        assert _one_pass(ws, spec, later=5)["savepoints"] == []
        # The running version was (as far as the store knows) started from the first one.
        ws.store.update_version(ws.target, "sched", 1, restored_from=taken["location"])
        locations = [taken["location"]]
        for _ in range(2):
            assert _take_due(ws, spec, locations)["deletions"] == []

        before = _listing(ws, spec, "BEFORE")
        assert [r["retention"] for r in before["savepoints"]] == ["keep", "keep", "keep"]
        result = _take_due(ws, spec, locations)
        after = _listing(ws, spec, "AFTER")
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
    listed = _cli_json(project, "savepoints", "sched")
    assert [r["location"] for r in listed["savepoints"]] == [fourth, third, first_sp]
    events = _cli_json(project, "events", "sched")
    assert any(e["step"] == "savepoint-deleted" and second in e["message"] for e in events)
