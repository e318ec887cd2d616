"""flink/snapshots.py: which snapshot of a stopped run is found, and where it looked."""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from flinkops.flink.rest import FlinkClient
from flinkops.flink.snapshots import find_snapshot, snapshot_dirs

JOB = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


def _snap(path: Path, mtime: float) -> str:
    path.mkdir(parents=True)
    (path / "_metadata").write_text("m")
    os.utime(path / "_metadata", (mtime, mtime))
    return path.as_uri()


def test_the_newest_snapshot_with_metadata_wins(tmp_path: Path) -> None:
    sp, ck = tmp_path / "savepoints", tmp_path / "checkpoints"
    _snap(ck / JOB / "chk-4", 100)
    newest = _snap(sp / f"savepoint-{JOB[:6]}-0123456789ab", 200)
    _snap(sp / "savepoint-ffffff-0123456789ab", 300)  # another job's
    (sp / f"savepoint-{JOB[:6]}-dead").mkdir()  # no _metadata: not a savepoint
    found = find_snapshot(None, [JOB], savepoint_dirs=[sp.as_uri()], checkpoint_dirs=[ck.as_uri()])
    assert found.found is not None and found.found.path == newest
    assert found.found.kind == "savepoint"
    assert f"savepoints of {JOB} in {sp.as_uri()}: 1 with _metadata" in found.looked


def test_a_retained_checkpoint_is_found_when_the_job_is_gone(tmp_path: Path) -> None:
    """A JobManager restarted without HA forgets the job; its checkpoint is on disk."""
    ck = tmp_path / "checkpoints"
    path = _snap(ck / JOB / "chk-7", 100)
    gone = httpx.MockTransport(lambda r: httpx.Response(404, json={"errors": ["Job not found"]}))
    client = FlinkClient("http://flink.test", transport=gone, retries=0)
    found = find_snapshot(client, [JOB], checkpoint_dirs=[ck.as_uri()])
    assert found.found is not None and (found.found.path, found.found.kind) == (path, "checkpoint")
    assert any("not known to the cluster (HTTP 404)" in line for line in found.looked)


def test_known_paths_are_checked_and_remote_ones_are_said_unchecked(tmp_path: Path) -> None:
    gone = (tmp_path / "disposed").as_uri()
    nothing = find_snapshot(None, [JOB], known=[(gone, "the store's newest savepoint")])
    assert nothing.found is None
    assert nothing.where == f"the store's newest savepoint {gone}: no _metadata there"
    remote = find_snapshot(
        None, [JOB], known=[("s3://b/sp-1", "the journal")], savepoint_dirs=["s3://b/sp"]
    )
    assert remote.found is not None and remote.found.path == "s3://b/sp-1"
    assert remote.looked == (
        "the journal s3://b/sp-1: remote, not checked",
        f"savepoints of {JOB} in s3://b/sp: remote, not listed",
    )


def test_snapshot_dirs_take_the_jobs_own_first() -> None:
    own = {"execution.checkpointing.savepoint-dir": "file:///mine"}
    cluster = {
        "execution.checkpointing.savepoint-dir": "file:///sp",
        "execution.checkpointing.dir": "file:///ck",
    }
    assert snapshot_dirs(own, None, cluster) == (["file:///mine", "file:///sp"], ["file:///ck"])
