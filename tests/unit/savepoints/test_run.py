"""Listing and retention over a real (SQLite) store and real directories.

Flink is left out here (``client=None``: the filesystem path, and a
MockTransport for a disposal Flink refuses); the real cluster's disposal is
tested in tests/integration/savepoints/test_savepoints.py.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from flinkops.flink.rest import FlinkClient
from flinkops.savepoints import DELETED_STEP, apply_retention, dispose, list_savepoints
from flinkops.spec import SavepointPolicy
from flinkops.spec._pydantic import Retain
from flinkops.store import Store, VersionRecord

T = "local"
JOB = "orders"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(str(tmp_path / "store.db")) as s:
        yield s


def _savepoints(store: Store, root: Path, n: int, kind: str = "scheduled") -> list[str]:
    out = []
    for i in range(n):
        d = root / f"savepoint-{i}"
        d.mkdir(parents=True)
        (d / "_metadata").write_bytes(b"x" * (100 + i))
        store.record_savepoint(T, JOB, d.as_uri(), kind=kind, job_id="j1", version=1)
        out.append(d.as_uri())
    return out


def _later() -> datetime:
    return datetime.now(UTC) + timedelta(seconds=1)


def _version(store: Store, **fields: str) -> None:
    store.record_version(
        VersionRecord(T, JOB, 1, "s", "q", "c", {}, "INSERT ...", outcome="applied", **fields)
    )


def test_retention_count_deletes_files_and_keeps_protected(store: Store, tmp_path: Path) -> None:
    locs = _savepoints(store, tmp_path / "sp", 5)
    _version(store, restored_from=locs[0])
    tid = store.begin_transition(T, JOB, "update", {"job": JOB})
    store.journal_step(tid, "submit", "start", {"from_savepoint": locs[1]})
    policy = SavepointPolicy(retain=Retain(count=2))

    before = list_savepoints(store, target=T, job=JOB, policy=policy, now=_later())
    # recorded in order (equal timestamps are ordered by location): newest first
    assert [(r["location"], r["protected"], r["retention"]) for r in before["savepoints"]] == [
        (locs[4], ["newest"], "keep"),
        (locs[3], [], "keep"),
        (locs[2], [], "delete"),
        (locs[1], ["transition"], "keep"),
        (locs[0], ["version"], "keep"),
    ]
    done = apply_retention(None, store, target=T, job=JOB, policy=policy, now=_later())

    deleted = {d["location"] for d in done if d["deleted"]}
    assert deleted == {locs[2]}
    assert all(not Path(loc.removeprefix("file://")).exists() for loc in deleted)
    assert all(Path(loc.removeprefix("file://")).exists() for loc in set(locs) - deleted)
    events = [e for e in store.events(T, JOB) if e.step == DELETED_STEP]
    assert [e.details["location"] for e in events] == [locs[2]]
    after = list_savepoints(store, target=T, job=JOB, policy=policy, now=_later())
    assert locs[2] not in {r["location"] for r in after["savepoints"]}
    assert after["savepoints"][0]["size_bytes"] == 104 and after["savepoints"][0]["origin"] == (
        "scheduled"
    )


def test_max_age_and_an_ended_transition_protect_nothing_more(store: Store, tmp_path: Path) -> None:
    locs = _savepoints(store, tmp_path / "sp", 3, kind="manual")
    tid = store.begin_transition(T, JOB, "update", {"job": JOB, "savepoint": locs[0]})
    store.end_transition(tid, "done")
    policy = SavepointPolicy(retain=Retain(maxAge="1s"))
    done = apply_retention(
        None, store, target=T, job=JOB, policy=policy, now=_later() + timedelta(1)
    )
    assert sorted(d["location"] for d in done if d["deleted"]) == [locs[0], locs[1]]
    assert Path(locs[2].removeprefix("file://")).exists()


def test_other_schemes_are_left_alone_without_a_cleanup_command(store: Store) -> None:
    for i in range(2):
        store.record_savepoint(T, JOB, f"s3://bucket/sp-{i}", kind="manual", job_id=None, version=1)
    policy = SavepointPolicy(retain=Retain(count=1))
    (done,) = apply_retention(None, store, target=T, job=JOB, policy=policy, now=_later())
    assert (done["location"], done["deleted"], done["method"]) == (
        "s3://bucket/sp-0",
        False,
        "none",
    )
    assert "cleanupCommand" in done["message"]
    (warning,) = [e for e in store.events(T, JOB) if e.step == "savepoint-delete-failed"]
    assert warning.level == "warning"
    # still listed, since it still exists
    listed = list_savepoints(store, target=T, job=JOB, policy=policy, now=_later())
    assert len(listed["savepoints"]) == 2


def test_cleanup_command_gets_the_path(store: Store, tmp_path: Path) -> None:
    log = tmp_path / "deleted.txt"
    script = f"import sys; open({str(log)!r}, 'a').write(sys.argv[1] + '\\n')"
    result = dispose(None, "s3://bucket/sp-0", [sys.executable, "-c", script, "{path}"])
    assert result.deleted and result.method == "command"
    assert log.read_text() == "s3://bucket/sp-0\n"
    failing = dispose(None, "s3://b/x", [sys.executable, "-c", "raise SystemExit(3)"])
    assert not failing.deleted and "exited 3" in failing.message


def test_flink_refusing_disposal_falls_back_to_the_filesystem(tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/savepoint-disposal"
        return httpx.Response(500, json={"errors": ["java.io.IOException: no access"]})

    target = tmp_path / "savepoint-x"
    target.mkdir()
    (target / "_metadata").write_text("m")
    with FlinkClient("http://flink", transport=httpx.MockTransport(refuse), retries=0) as client:
        result = dispose(client, target.as_uri())
    assert result.deleted and result.method == "filesystem" and not target.exists()
    assert "Flink could not dispose it" in result.message


def test_a_due_savepoint_of_a_job_that_is_not_running_is_reported_once(store: Store) -> None:
    from flinkops.savepoints import run_due_savepoints
    from flinkops.spec import JobSpec, SpecModel

    def jobs(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/jobs/overview", request.url
        return httpx.Response(200, json={"jobs": []})

    sql = "INSERT INTO snk SELECT 1"
    model = SpecModel(sql=sql, savepoints=SavepointPolicy(schedule="10s"))
    spec = JobSpec(JOB, {}, model, sql, Path("a.yaml"), 1, Path("a.yaml"), 1, 1, target=T)
    with FlinkClient("http://flink", transport=httpx.MockTransport(jobs)) as client:
        for _ in range(3):
            result = run_due_savepoints(client, store, target=T, specs=[spec], now=_later())
            [skipped] = result["savepoints"]
            assert not skipped["taken"] and "is not running" in skipped["reason"]
    warnings = [e for e in store.events(T, JOB) if e.step == "savepoint-schedule"]
    assert len(warnings) == 1 and warnings[0].level == "warning"
