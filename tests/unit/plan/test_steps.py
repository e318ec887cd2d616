from __future__ import annotations

from dataclasses import replace

import pytest

from flinkops.apply import stale_reasons
from flinkops.apply.applier import _waves
from flinkops.flink.live import LiveJob
from flinkops.plan import Action, Change, Plan, StateImpact
from flinkops.plan.steps import (
    FROM_CHECKPOINT,
    FROM_STOP,
    Cancel,
    Record,
    Rehearse,
    Rescale,
    StopWithSavepoint,
    Submit,
    WaitHealthy,
    after_failure,
    describe,
    health_needs_checkpoint,
    is_rollback,
    short,
    spec_steps,
    step_from_json,
    steps_for,
)

LIVE = LiveJob("j1", "agg", "RUNNING", managed_name="agg", version=1, spec_hash="h1")


def change(
    action: Action,
    *,
    mode: str = "savepoint",
    live: LiveJob | None = LIVE,
    restore: str | None = None,
    downstream: tuple[str, ...] = (),
    job: str = "agg",
) -> Change:
    return Change(
        job=job,
        action=action,
        state=StateImpact.PRESERVED,
        reason="r",
        upgrade_mode=mode,
        live=live,
        restore_from=restore,
        downstream=downstream,
    )


def steps(c: Change) -> list:
    return steps_for(c, version=2, savepoint_dir="/sp", window=5, timeout=60)


WAIT = WaitHealthy(5, 60)


@pytest.mark.parametrize(
    ("c", "expected"),
    [
        (change(Action.CREATE, live=None), [Submit(2, None), WAIT, Record("applied", 2)]),
        (
            change(Action.UPDATE),
            [StopWithSavepoint("j1", "/sp"), Submit(2, FROM_STOP), WAIT, Record("applied", 2)],
        ),
        (
            change(Action.UPDATE, mode="last-state"),
            [
                Cancel("j1", keep_checkpoint=True),
                Submit(2, FROM_CHECKPOINT),
                WAIT,
                Record("applied", 2),
            ],
        ),
        (
            change(Action.UPDATE, mode="stateless"),
            [Cancel("j1"), Submit(2, None), WAIT, Record("applied", 2)],
        ),
        (change(Action.SUSPEND), [StopWithSavepoint("j1", "/sp"), Record("suspended", 2)]),
        (
            change(Action.RESUME, live=None, restore="/sp/s1"),
            [Submit(2, "/sp/s1"), WAIT, Record("applied", 2)],
        ),
        (
            change(
                Action.RESTART,
                live=LiveJob("j0", "agg", "FAILED", managed_name="agg"),
                restore="/ck/7",
            ),
            [Submit(2, "/ck/7"), WAIT, Record("applied", 2)],
        ),
        (
            change(Action.RESTART),
            [StopWithSavepoint("j1", "/sp"), Submit(2, FROM_STOP), WAIT, Record("applied", 2)],
        ),
        (change(Action.CANCEL), [Cancel("j1"), Record("cancelled", 2)]),
        (change(Action.DELETE), [Cancel("j1"), Record("deleted", 2)]),
        (change(Action.NOOP), []),
        (
            replace(change(Action.RESCALE), parallelism=4, previous_parallelism=2),
            [Rescale("j1", 4, 2), WAIT, Record("applied", 2)],
        ),
    ],
)
def test_steps_per_action(c: Change, expected: list) -> None:
    assert steps(c) == expected


@pytest.mark.parametrize("action", [a for a in Action if a not in (Action.NOOP, Action.BLOCKED)])
def test_steps_round_trip_through_json_with_unique_names(action: Action) -> None:
    c = change(action, live=None if action is Action.CREATE else LIVE)
    if action is Action.RESCALE:
        c = replace(c, parallelism=3, previous_parallelism=1)
    listed = steps(c)
    assert [step_from_json(s.to_json()) for s in listed] == listed
    assert len({s.name for s in listed}) == len(listed)


UPDATE = steps(change(Action.UPDATE))


def test_a_failed_wait_after_replacing_the_job_appends_the_rollback() -> None:
    then = after_failure(
        UPDATE[2], UPDATE, version=2, rollback_to=1, new_job_id="j2", restore="/sp/s1"
    )
    assert [(s.name, s) for s in then] == [
        ("rollback-cancel", Cancel("j2", name="rollback-cancel")),
        ("rollback-submit", Submit(1, "/sp/s1", name="rollback-submit")),
        ("rollback-wait", WaitHealthy(5, 60, name="rollback-wait")),
        ("rollback-record", Record("rolled-back", 2, name="rollback-record")),
    ]
    assert is_rollback(then)
    assert [short(s.to_json()) for s in then] == [
        "cancel",
        "submit v1 from /sp/s1",
        "wait healthy 5s",
        "record v2 rolled-back",
    ]


def test_a_failed_rehearsal_ends_the_transition_and_a_later_failure_still_rolls_back() -> None:
    rehearsed = (Rehearse(), *UPDATE)
    assert after_failure(rehearsed[0], rehearsed, version=2, rollback_to=1, new_job_id=None,
                         restore=None) == []  # fmt: skip
    then = after_failure(
        rehearsed[3], rehearsed, version=2, rollback_to=1, new_job_id="j2", restore="/sp/s1"
    )
    assert is_rollback(then)
    assert Rehearse.short(Rehearse("checkpoint").to_json()) == "rehearse from checkpoint"
    assert step_from_json(Rehearse(timeout=30.0).to_json()) == Rehearse(timeout=30.0)


def test_a_failed_submit_has_no_new_job_to_cancel() -> None:
    then = after_failure(UPDATE[1], UPDATE, version=2, rollback_to=1, new_job_id=None, restore="/s")
    assert [s.name for s in then] == ["rollback-submit", "rollback-wait", "rollback-record"]


def test_nothing_to_roll_back_to_aborts() -> None:
    create = steps(change(Action.CREATE, live=None))
    then = after_failure(
        create[1], create, version=2, rollback_to=None, new_job_id="j2", restore=None
    )
    assert then == [Cancel("j2", name="abort-cancel"), Record("failed", 2, name="abort-record")]
    assert not is_rollback(then)
    # an update with no version in the store to go back to aborts as well
    then = after_failure(
        UPDATE[2], UPDATE, version=2, rollback_to=None, new_job_id="j2", restore="/s"
    )
    assert [s.name for s in then] == ["abort-cancel", "abort-record"]


@pytest.mark.parametrize("index", [0, 3])
def test_a_failed_stop_or_record_appends_nothing(index: int) -> None:
    assert (
        after_failure(
            UPDATE[index], UPDATE, version=2, rollback_to=1, new_job_id=None, restore=None
        )
        == []
    )


def test_a_failing_rollback_appends_nothing() -> None:
    then = after_failure(UPDATE[2], UPDATE, version=2, rollback_to=1, new_job_id="j2", restore="/s")
    assert (
        after_failure(then[2], then, version=2, rollback_to=1, new_job_id="j3", restore="/s") == []
    )


def test_describe_reads_like_a_dry_run() -> None:
    lines = [describe(s) for s in steps(change(Action.UPDATE))]
    assert lines == [
        "stop j1 with a savepoint into /sp",
        "submit version 2 from the savepoint just taken",
        "wait until healthy (5s without a restart, at most 60s)",
        "record version 2 as applied",
    ]


def test_producers_go_before_consumers() -> None:
    a = change(Action.CREATE, live=None, job="producer", downstream=("consumer",))
    b = change(Action.CREATE, live=None, job="consumer")
    c = change(Action.CREATE, live=None, job="other")
    waves = [[x.job for x in wave] for wave in _waves([b, c, a])]
    assert waves == [["other", "producer"], ["consumer"]]


def test_a_cycle_still_runs_everything() -> None:
    a = change(Action.CREATE, live=None, job="a", downstream=("b",))
    b = change(Action.CREATE, live=None, job="b", downstream=("a",))
    assert sorted(x.job for wave in _waves([a, b]) for x in wave) == ["a", "b"]


def _plan(live_state: str, job_id: str = "j1", spec_hash: str = "h2") -> Plan:
    live = LiveJob(job_id, "agg", live_state, managed_name="agg", version=1, spec_hash="h1")
    c = Change(
        job="agg",
        action=Action.UPDATE,
        state=StateImpact.PRESERVED,
        reason="r",
        live=live,
        spec_hash=spec_hash,
        applied_version=1,
    )
    return Plan(target="local", url="http://x", changes=(c,))


def test_stale_plan_says_what_moved() -> None:
    saved = _plan("RUNNING").to_json()
    assert stale_reasons(saved, _plan("RUNNING")) == []
    moved = stale_reasons(saved, _plan("RUNNING", job_id="j9", spec_hash="h3"))
    assert moved == ["agg: spec was h2, now h3", "agg: live job was j1, now j9"]
    assert stale_reasons({**saved, "target": "prod"}, _plan("RUNNING"))[0].startswith(
        "the plan is for target 'prod'"
    )


def test_apply_refuses_state_loss_only_for_a_missing_savepoint_directory() -> None:
    from flinkops.apply import Applier
    from flinkops.errors import ApplyError

    applier = Applier(client=None, store=None, target="local", specs=[])  # type: ignore[arg-type]
    missing = Change(
        job="agg",
        action=Action.SUSPEND,
        state=StateImpact.LOST,
        reason="r",
        live=LIVE,
        missing_savepoint_dir=True,
    )
    with pytest.raises(ApplyError, match="refusing to lose the state of agg: no savepoint dir"):
        applier.apply(Plan(target="local", url="", changes=(missing,)))
    dropped = Change(job="agg", action=Action.NOOP, state=StateImpact.LOST, reason="r")
    assert applier.apply(Plan(target="local", url="", changes=(dropped,))).results == []


def test_a_cluster_fault_records_infra_failed_in_the_rollback_or_the_abort() -> None:
    """The new job's TaskManager was lost: rolled back or cleaned up as any failure, but
    recorded infra-failed, which does not block the spec."""
    then = after_failure(
        UPDATE[2], UPDATE, version=2, rollback_to=1, new_job_id="j2", restore="/sp/s1",
        infrastructure=True,
    )  # fmt: skip
    assert is_rollback(then) and then[-1] == Record("infra-failed", 2, name="rollback-record")
    create = steps(change(Action.CREATE, live=None))
    then = after_failure(
        create[1], create, version=2, rollback_to=None, new_job_id="j2", restore=None,
        infrastructure=True,
    )  # fmt: skip
    assert then[-1] == Record("infra-failed", 2, name="abort-record")


@pytest.mark.parametrize(
    ("conf", "health", "needs"),
    [
        ({"execution.checkpointing.interval": "10s"}, None, True),
        ({}, None, False),  # checkpointing off: the window alone
        ({"execution.checkpointing.interval": "1h"}, None, False),  # longer than the timeout
        (
            {"execution.checkpointing.interval": "10s", "execution.runtime-mode": "batch"},
            None,
            False,
        ),
        ({"execution.checkpointing.interval": "10s"}, {"until_checkpoint": False}, False),
        ({"execution.checkpointing.interval": "10s"}, {"until_checkpoint": True}, False),
    ],
)
def test_a_checkpointing_streaming_job_waits_for_a_checkpoint_by_default(
    make_spec, conf, health, needs
) -> None:
    spec = make_spec("agg", flink_configuration=conf, health=health)
    assert health_needs_checkpoint(spec) is needs
    [_, wait, _] = spec_steps(change(Action.CREATE, live=None), spec, None)
    assert isinstance(wait, WaitHealthy) and wait.checkpoint is needs
    if needs:
        assert describe(wait).startswith("wait until healthy (20s without a restart and a compl")
        assert short(wait.to_json()) == "wait healthy 20s + checkpoint"


def test_apply_refuses_to_start_empty_a_job_whose_earlier_run_had_state() -> None:
    """Issue 23: a restart that found no snapshot is refused under --auto-approve too,
    naming where the plan looked; --allow-state-loss lets it through."""
    from flinkops.apply import Applier
    from flinkops.errors import ApplyError

    applier = Applier(client=None, store=None, target="local", specs=[])  # type: ignore[arg-type]
    empty = Change(
        job="agg",
        action=Action.RESTART,
        state=StateImpact.LOST,
        reason="drift: desired running, but the job is gone from the cluster",
        state_reasons=("no savepoint or retained checkpoint found (looked at: X): starts empty",),
        loses_state=True,
    )
    with pytest.raises(ApplyError) as refused:
        applier.apply(Plan(target="local", url="", changes=(empty,)))
    assert str(refused.value).startswith(
        "refusing to lose the state of agg: restart starts it empty: no savepoint or "
        "retained checkpoint found (looked at: X)"
    )
    assert "--allow-state-loss" in str(refused.value)
