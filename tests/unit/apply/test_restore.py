"""The restore change (pure) and snapshot resolution over Flink's checkpoint JSON."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from flinkops.apply.restore import Snapshot, resolve_snapshot, restore_change
from flinkops.errors import PlanError
from flinkops.flink.rest import FlinkClient
from flinkops.plan import Action
from flinkops.plan.steps import Cancel, Record, Submit, WaitHealthy, after_failure
from flinkops.spec import Health


def test_a_running_job_is_cancelled_keeping_its_checkpoint_then_restored(
    make_spec, make_live_job
) -> None:
    spec = make_spec(health=Health(window="3s", timeout="40s", records_flowing=True))
    live = make_live_job(spec, version=4, job_id="j4")
    snap = Snapshot("file:///cp/chk-7", "checkpoint 7 of j4")
    change = restore_change(
        spec, live=live, applied_version=4, version=5, snapshot=snap, keep_checkpoint=True
    )
    assert (change.action, change.version, change.restore_from) == (Action.RESTART, 5, snap.path)
    assert change.reason == "restore requested from checkpoint 7 of j4"
    assert list(change.steps) == [
        Cancel("j4", True),
        Submit(5, "file:///cp/chk-7"),
        WaitHealthy(3.0, 40.0, records_flowing=True),
        Record("applied", 5),
    ]
    # a failed restore rolls back to version 4 from the checkpoint the cancel kept
    then = after_failure(
        change.steps[2], change.steps, version=5, rollback_to=4, new_job_id="j5", restore="/k"
    )
    assert [s.name for s in then] == [
        "rollback-cancel",
        "rollback-submit",
        "rollback-wait",
        "rollback-record",
    ]


def test_a_stopped_job_is_only_submitted(make_spec, make_live_job) -> None:
    spec = make_spec()
    gone = make_live_job(spec, state="CANCELED", job_id="j1")
    snap = Snapshot("s3://b/sp-1", "path")
    change = restore_change(
        spec, live=gone, applied_version=1, version=2, snapshot=snap, keep_checkpoint=False
    )
    assert [type(s) for s in change.steps] == [Submit, WaitHealthy, Record]


def _cluster(history: list[dict], latest: dict | None) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/jobs/j4/checkpoints"
        return httpx.Response(
            200, json={"counts": {}, "latest": {"completed": latest}, "history": history}
        )

    return httpx.MockTransport(handle)


def test_resolve_latest_and_listed_checkpoints(make_spec, make_live_job, tmp_path: Path) -> None:
    chk = []
    for i in (6, 7):
        (tmp_path / f"chk-{i}").mkdir()
        (tmp_path / f"chk-{i}" / "_metadata").write_text("m")
        chk.append(
            {"id": i, "status": "COMPLETED", "external_path": (tmp_path / f"chk-{i}").as_uri()}
        )
    run = make_live_job(make_spec(), job_id="j4")
    with FlinkClient("http://f", transport=_cluster(chk[::-1], chk[1])) as client:
        assert (
            resolve_snapshot(client, "job-a", run, "latest-checkpoint").path
            == chk[1]["external_path"]
        )
        listed = resolve_snapshot(client, "job-a", run, "6")
        assert (listed.path, listed.chosen) == (chk[0]["external_path"], "checkpoint 6 of j4")
        with pytest.raises(
            PlanError, match=r"checkpoint 9 of j4 is not a completed one \(completed: 7, 6\)"
        ):
            resolve_snapshot(client, "job-a", run, "9")
    with pytest.raises(PlanError, match="no snapshot at"):
        resolve_snapshot(client, "job-a", run, (tmp_path / "chk-1").as_uri())
    assert resolve_snapshot(client, "job-a", run, "s3://bucket/sp-1").chosen == "path"
    with pytest.raises(PlanError, match="no run on the cluster"):
        resolve_snapshot(client, "job-a", None, "latest-checkpoint")


def test_next_restore_says_what_the_next_start_would_use(make_spec, make_live_job) -> None:
    from flinkops.plan import next_restore
    from flinkops.store import SavepointRecord, VersionRecord

    spec = make_spec()
    running = make_live_job(spec)
    stopped = make_live_job(spec, state="CANCELED")
    v = VersionRecord("local", "job-a", 1, "s", "q", "c", {}, "")
    sp = SavepointRecord("local", "job-a", "file:///sp/2", "scheduled", "j1", 1, "t")
    assert next_restore(spec, running, v, sp) == "a savepoint taken when it is stopped"
    assert next_restore(make_spec(upgrade_mode="last-state"), running, v, sp).startswith(
        "its latest retained checkpoint"
    )
    assert next_restore(make_spec(upgrade_mode="stateless"), running, v, sp).startswith("empty")
    suspended = replace(v, outcome="suspended", savepoint="file:///sp/1")
    assert next_restore(spec, stopped, suspended, sp) == "file:///sp/1"
    assert next_restore(spec, stopped, replace(v, outcome="applied"), sp) == "file:///sp/2"
    assert next_restore(spec, None, replace(v, outcome="cancelled"), sp) == (
        "empty state (it was cancelled)"
    )
    assert next_restore(None, running, v, sp) is None
