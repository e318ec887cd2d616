"""build_status: each job's desired and current state, in sync or not, the counts,
and filter_status over them. Pure, from hand-made live runs and versions."""

from __future__ import annotations

import pytest

from flinkops.ops import build_status, current_state, filter_status, render_status
from flinkops.spec import JobSpec
from flinkops.store import SavepointRecord
from tests.unit.ops.helpers import NOW, by_name, run, version


def test_status_rows_and_counts(specs: list[JobSpec]) -> None:
    h = {s.name: s.spec_hash for s in specs}
    live = [
        run("j1", "RUNNING", name="orders", spec_hash=h["orders"], version=3),
        run("j0", "FINISHED", name="orders", spec_hash="old", start=NOW - 999_000),
        run("j2", "FINISHED", name="paused", spec_hash=h["paused"]),
        run("j3", "CANCELED", name="gone", spec_hash=h["gone"]),
        run("j4", "FAILED", name="broken", spec_hash=h["broken"]),
        run("j5", "RUNNING", name="someone-elses"),  # unmanaged: no identity
        run("j6", "RUNNING", name="orders", spec_hash="x", target="prod"),  # other target
        run("j7", "FINISHED", job_type="BATCH"),
    ]
    status = build_status(
        target="local",
        url="http://localhost:8081",
        specs=specs,
        live=live,
        latest={
            "orders": version("orders", 3, "applied"),
            "paused": version("paused", 2, "suspended"),
            "gone": version("gone", 1, "cancelled"),
            "broken": version("broken", 1, "applied"),
        },
        savepoints={
            "paused": SavepointRecord(
                "local", "paused", "file:/sp/1", "suspend", "j2", 2, "2026-11-21T15:00:00.000Z"
            )
        },
        restarts={"j1": 2},
        checkpoint_acks={"j1": NOW - 5_000},
        now_ms=NOW,
    )
    rows = by_name(status)
    assert list(rows) == ["broken", "fresh", "gone", "orders", "paused"]
    assert (rows["orders"]["desired"], rows["orders"]["current"]) == ("running", "RUNNING")
    assert rows["orders"]["in_sync"] is True
    assert rows["orders"]["job_id"] == "j1"  # the active run, not the older finished one
    assert rows["orders"]["version"] == 3
    assert rows["orders"]["restarts"] == 2
    assert rows["orders"]["uptime_ms"] == 60_000
    assert rows["orders"]["last_checkpoint_age_ms"] == 5_000
    assert (rows["paused"]["desired"], rows["paused"]["current"]) == ("suspended", "SUSPENDED")
    assert rows["paused"]["in_sync"] is True
    assert rows["paused"]["last_savepoint"]["location"] == "file:/sp/1"
    assert rows["gone"]["current"] == "CANCELED" and rows["gone"]["in_sync"] is True
    assert rows["broken"]["current"] == "FAILED" and rows["broken"]["in_sync"] is False
    assert rows["fresh"]["current"] == "NOT_DEPLOYED" and rows["fresh"]["in_sync"] is False
    assert {u["job_id"] for u in status["unmanaged"]} == {"j5", "j6", "j7"}
    c = status["counts"]
    assert c["total"] == 8
    assert (c["RUNNING"], c["FAILED"], c["CANCELED"], c["FINISHED"]) == (3, 1, 1, 1)
    assert (c["batch"], c["streaming"]) == (1, 6)  # "fresh" has no run, no type
    assert c["UNKNOWN"] == 0


def test_out_of_sync_when_live_hash_differs(specs: list[JobSpec]) -> None:
    status = build_status(
        target="local",
        url="u",
        specs=specs,
        live=[run("j1", "RUNNING", name="orders", spec_hash="stale")],
        latest={},
        savepoints={},
        now_ms=NOW,
    )
    row = by_name(status)["orders"]
    assert row["in_sync"] is False and row["live_spec_hash"] == "stale"


def test_suspended_never_started_is_in_sync_and_pruned_jobs_are_hidden(
    specs: list[JobSpec],
) -> None:
    status = build_status(
        target="local",
        url="u",
        specs=specs,
        live=[run("j9", "CANCELED", name="pruned", spec_hash="x")],
        latest={"pruned": version("pruned", 4, "deleted")},
        savepoints={},
        now_ms=NOW,
    )
    rows = by_name(status)
    assert (rows["paused"]["current"], rows["paused"]["in_sync"]) == ("NOT_DEPLOYED", True)
    assert "pruned" not in rows
    assert status["unmanaged"] == []


def test_transitioning_wins_and_unknown_when_unreachable(specs: list[JobSpec]) -> None:
    args = dict(target="local", url="u", specs=specs, latest={}, savepoints={}, now_ms=NOW)
    moving = build_status(
        live=[run("j1", "RUNNING", name="orders", spec_hash="x")],
        transitioning=["orders"],
        **args,
    )
    assert by_name(moving)["orders"]["current"] == "TRANSITIONING"
    down = build_status(live=[], reachable=False, error="connection refused", **args)
    assert {j["current"] for j in down["jobs"]} == {"UNKNOWN"}
    assert {j["in_sync"] for j in down["jobs"]} == {None}
    assert down["counts"]["UNKNOWN"] == len(specs) == down["counts"]["total"]
    assert all(j["reason"] == "connection refused" for j in down["jobs"])
    text = render_status(down)
    assert "UNREACHABLE: connection refused" in text and "UNKNOWN" in text


@pytest.mark.parametrize(
    ("flink", "outcome", "expected"),
    [
        ("RUNNING", "applied", "RUNNING"),
        ("RESTARTING", "applied", "RESTARTING"),
        ("INITIALIZING", "applied", "RUNNING"),
        ("FINISHED", "suspended", "SUSPENDED"),
        ("FINISHED", "applied", "FINISHED"),
        ("CANCELED", "applied", "CANCELED"),
        ("FAILED", "rolled-back", "FAILED"),
        (None, "suspended", "SUSPENDED"),
        (None, None, "NOT_DEPLOYED"),
    ],
)
def test_current_state(flink: str | None, outcome: str | None, expected: str) -> None:
    r = run("j", flink, name="a", spec_hash="h") if flink else None
    v = version("a", 1, outcome) if outcome else None
    assert current_state(r, v, transitioning=False) == expected


def test_filter_by_state_and_label(specs: list[JobSpec]) -> None:
    status = build_status(
        target="local",
        url="u",
        specs=specs,
        live=[run("j5", "RUNNING", name="x")],
        latest={},
        savepoints={},
        now_ms=NOW,
    )
    status["jobs"][0]["labels"] = {"team": "payments"}
    only = filter_status(status, state="not_deployed", labels={"team": "payments"})
    assert [j["name"] for j in only["jobs"]] == [status["jobs"][0]["name"]]
    assert only["unmanaged"] == [] and only["counts"] == status["counts"]
    running = filter_status(status, state="running")
    assert running["jobs"] == [] and len(running["unmanaged"]) == 1


def test_status_reports_the_running_version_with_the_rolled_back_one_beside_it(
    specs: list[JobSpec],
) -> None:
    h = {s.name: s.spec_hash for s in specs}
    history = [
        version("orders", 1, "applied", "h1"),
        version("orders", 2, "applied", "h2"),
        *(version("orders", n, "rolled-back", h["orders"]) for n in (3, 4, 5, 6)),
    ]
    status = build_status(
        target="local",
        url="u",
        specs=specs,
        live=[run("j2", "RUNNING", name="orders", spec_hash="h2", version=2)],
        latest={"orders": history[-1]},
        versions={"orders": history},
        savepoints={},
        now_ms=NOW,
    )
    row = by_name(status)["orders"]
    assert (row["version"], row["version_source"]) == (2, "cluster")
    assert row["newer_version"]["version"] == 6
    assert row["newer_version"]["outcome"] == "rolled-back"
    assert row["newer_version"]["blocked"] is True  # the spec still has v6's hash
    assert "v2 (v6 rolled back, blocked)" in render_status(status)


def test_status_shows_an_unidentified_job_and_the_job_it_may_be(specs: list[JobSpec]) -> None:
    h = {s.name: s.spec_hash for s in specs}
    status = build_status(
        target="local",
        url="u",
        specs=specs,
        live=[
            run("x1", "RUNNING", name="orders", identity_error="500 Internal server error"),
            run("j1", "CANCELED", name="orders", spec_hash=h["orders"], start=NOW - 99_000),
        ],
        latest={"orders": version("orders", 1, "applied")},
        savepoints={},
        now_ms=NOW,
    )
    row = by_name(status)["orders"]
    assert (row["current"], row["in_sync"]) == ("UNKNOWN", None)  # not CANCELLED: x1 may be it
    assert row["unidentified_job_ids"] == ["x1"]
    assert status["unmanaged"] == []  # never silently unmanaged
    assert [u["job_id"] for u in status["unidentified"]] == ["x1"]
    assert status["unidentified"][0]["identity_error"] == "500 Internal server error"
    text = render_status(status)
    assert "Unidentified jobs" in text and "500 Internal server error" in text
    assert filter_status(status, state="running")["unidentified"] == status["unidentified"]
