"""Recovery reads journals as flinkops wrote them before the run state was typed.

The journal keeps each step's data as the dicts the steps return, with phases and
statuses as plain strings; ``RunState`` is taken in from those dicts. These journals
are written by hand, key by key as the runner wrote them when ``Run.ctx`` was a dict,
so a change to what the runner reads back cannot strand a transition left open by an
older flinkops.
"""

from __future__ import annotations

from pathlib import Path

from flinkops.apply import Applier
from flinkops.apply.recover import resume_point
from flinkops.plan.observe import make_plan
from flinkops.plan.steps import Record, StopWithSavepoint, Submit, WaitHealthy, step_from_json
from flinkops.store import JournalStep, Store, Transition
from tests.unit.conftest import MAX_SQL, SUM_SQL
from tests.unit.fake_flink import FakeFlink

HEALTH = {"window": 0, "timeout": 5}
FORWARD = [
    StopWithSavepoint("j1", "file:///sp"),
    Submit(2, "@savepoint-of-stop"),
    WaitHealthy(0, 5),
    Record("applied", 2),
]
ROLLBACK = [
    {"kind": "cancel", "job_id": "j2", "keep_checkpoint": False, "name": "rollback-cancel"},
    {"kind": "submit", "version": 1, "restore": "file:///sp/sp-1", "name": "rollback-submit"},
    {"kind": "wait", "window": 0, "timeout": 5, "until_checkpoint": False,
     "records_flowing": False, "name": "rollback-wait"},
    {"kind": "record", "outcome": "rolled-back", "version": 2, "name": "rollback-record"},
]  # fmt: skip


def _transition(*entries: tuple[str, str, dict]) -> Transition:
    return Transition(
        id=7,
        target="local",
        job="agg",
        action="update",
        plan={"live": {"job_id": "j1"}, "version": 2, "applied_version": 1},
        status="running",
        started_at="",
        ended_at=None,
        pid=1,
        hostname="h",
        steps=tuple(JournalStep(i, s, p, d, "") for i, (s, p, d) in enumerate(entries, 1)),
    )


def test_a_rollback_journaled_with_string_phases_resumes_with_its_state() -> None:
    t = _transition(
        ("stop", "start", {"step": "stop j1 with a savepoint"}),
        ("stop", "start", {"trigger_id": "t1", "stopping": "j1"}),
        ("stop", "end", {"savepoint": "file:///sp/sp-1"}),
        ("submit", "start", {"step": "submit version 2 from the savepoint just taken"}),
        ("submit", "start", {"submit_before": []}),
        ("submit", "end", {"job_id": "j2", "restored_from": "file:///sp/sp-1"}),
        ("wait", "start", {"step": "wait until healthy"}),
        ("wait", "failed", {"error": "went FAILED", "root_cause": "Cannot map state",
                            "then": ROLLBACK, "status": "rolled-back"}),
        ("rollback-cancel", "start", {"step": "cancel j2"}),
        ("rollback-cancel", "end", {"cancelled": "j2"}),
        ("rollback-submit", "start", {"step": "submit version 1"}),
        ("rollback-submit", "start", {"rollback-submit_before": ["j1"]}),
    )  # fmt: skip
    point = resume_point(t, FORWARD)
    assert point.status == "rolled-back"
    assert point.steps == [step_from_json(s) for s in ROLLBACK]
    assert [s.name for s in point.remaining] == [
        "rollback-submit",
        "rollback-wait",
        "rollback-record",
    ]
    assert point.started
    state = point.state
    assert (state.old_job_id, state.trigger_id, state.stopping) == ("j1", "t1", "j1")
    assert (state.savepoint, state.cancelled, state.checkpoint) == ("file:///sp/sp-1", "j2", None)
    assert (state.job_id, state.restored_from) == ("j2", "file:///sp/sp-1")
    assert state.submitted_before == {"submit": [], "rollback-submit": ["j1"]}
    assert (state.error, state.root_cause) == ("went FAILED", "Cannot map state")
    assert state.restore_point == "file:///sp/sp-1"
    assert point.journaled["submit_before"] == [] and point.journaled["old_job_id"] == "j1"


def test_a_triggered_stop_counts_as_started_though_no_step_ended() -> None:
    t = _transition(
        ("stop", "start", {"step": "stop j1 with a savepoint"}),
        ("stop", "start", {"trigger_id": "t1", "stopping": "j1"}),
    )
    point = resume_point(t, FORWARD)
    assert point.started and point.status == "done"
    assert [s.name for s in point.remaining] == ["stop", "submit", "wait", "record"]
    assert point.state.trigger_id == "t1" and point.state.savepoint is None


def test_an_update_killed_mid_stop_by_an_older_flinkops_finishes(tmp_path: Path, make_spec) -> None:
    """The journal an older apply left when killed after triggering the stop: the next
    apply polls that trigger (no second stop), submits v2 from its savepoint, records it."""
    fake = FakeFlink()
    store = Store(tmp_path / "state.db")
    v1 = make_spec("agg", sql=SUM_SQL, health=HEALTH)
    v2 = make_spec("agg", sql=MAX_SQL, health=HEALTH)

    def applier(specs: list) -> Applier:
        client = fake.client()
        return Applier(client, store, target="local", specs=specs, poll=0, submit=fake.submit)

    plan = make_plan(fake.client(), store, target="local", url="", specs=[v1], check_compat=False)
    assert applier([v1]).apply(plan).ok
    [old] = fake.active("agg")
    plan = make_plan(fake.client(), store, target="local", url="", specs=[v2], check_compat=False)
    change = plan.change("agg")
    tid = store.begin_transition("local", "agg", "update", change.to_json())  # steps rebuilt
    store.journal_step(tid, "stop", "start", {"step": f"stop {old.jid} with a savepoint"})
    trigger = fake.client().stop_with_savepoint(old.jid, "file:///tmp/savepoints")
    store.journal_step(tid, "stop", "start", {"trigger_id": trigger, "stopping": old.jid})

    lines = applier([v2]).recover()

    assert lines == ["agg: interrupted update -> done"]
    [running] = fake.active("agg")
    assert running.identity.version == 2
    assert running.restored_from == fake.triggers[trigger][1]
    assert len(fake.triggers) == 1 and len(fake.submissions) == 2
    assert [(v.version, v.outcome) for v in store.versions("local", "agg")] == [
        (1, "applied"),
        (2, "applied"),
    ]
    assert store.open_transitions("local") == []
    store.close()
