"""apply against the real local cluster: every action, rollback, crash recovery, locking."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from flinkops.flink.snapshots import local_path
from flinkops.store import Store
from tests.integration._wait import wait_until
from tests.integration.apply.conftest import Project, stateful_sql
from tests.integration.conftest import wait_state


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _store(project: Project) -> Store:
    return Store(project.root / ".flinkops/state.db")


def _plan(project: Project, *extra: str, exit_code: int | None = None) -> dict:
    """``plan --format json`` (with ``extra`` options), parsed; its exit code checked if given."""
    done = project.run("plan", *extra, "--format", "json")
    if exit_code is not None:
        assert done.returncode == exit_code, done.stdout + done.stderr
    return json.loads(done.stdout)


def _outcomes(project: Project, job: str) -> list[str]:
    return [h["outcome"] for h in project.history(job)]


def test_lifecycle_create_update_suspend_resume_rollback(project: Project, restored_from) -> None:
    project.write_job("agg", stateful_sql(rate=5))
    out = _ok(project.apply())
    assert "agg: create done (version 1" in out
    assert len(project.active("agg")) == 1

    # A compatible SQL change (a source option): stop with savepoint, restore from it.
    project.write_job("agg", stateful_sql(rate=8))
    change = _plan(project, exit_code=2)["changes"][0]
    assert (change["action"], change["state"]) == ("update", "preserved"), change
    out = _ok(project.apply())
    assert "agg: update done (version 2" in out
    [v2] = project.active("agg")
    history = project.history("agg")
    assert [(h["action"], h["outcome"]) for h in history] == [
        ("create", "applied"),
        ("update", "applied"),
    ]
    savepoint = history[1]["savepoint"]  # the update stopped v1 with it, v2 restored it
    assert savepoint and history[1]["restored_from"] == savepoint
    assert restored_from(v2.job_id) == savepoint  # Flink says it restored that savepoint

    # Nothing to do now.
    assert project.run("plan").returncode == 0

    # Suspend: stop with a savepoint, remember it.
    project.write_job("agg", stateful_sql(rate=8), state="suspended")
    _ok(project.apply())
    assert project.active("agg") == []
    suspended = project.history("agg")[-1]
    assert suspended["outcome"] == "suspended" and suspended["savepoint"]

    # Resume from exactly that savepoint.
    project.write_job("agg", stateful_sql(rate=8), state="running")
    plan = _plan(project)
    assert plan["changes"][0]["action"] == "resume"
    assert plan["changes"][0]["restore_from"] == suspended["savepoint"]
    _ok(project.apply())
    [v3] = project.active("agg")
    assert restored_from(v3.job_id) == suspended["savepoint"]

    # rollback --to 1: version 1's spec, again through a savepoint.
    out = _ok(project.run("rollback", "agg", "--to", "1", "--auto-approve"))
    assert "revert the commit" in out
    [v4] = project.active("agg")
    last = project.history("agg")[-1]
    assert (last["action"], last["outcome"]) == ("rollback", "applied") and last["restored_from"]
    assert restored_from(v4.job_id) == last["restored_from"]
    assert last["spec_hash"] == project.history("agg")[0]["spec_hash"]


def _run_then_change_incompatibly(project: Project) -> None:
    """Apply a stateful job, then write a change its savepoint cannot restore into."""
    project.write_job("agg", stateful_sql())
    _ok(project.apply())
    project.write_job("agg", stateful_sql(count=True))


def _rollback_root_cause(project: Project) -> str:
    """The root cause the rollback's warning event carries (Flink's, of the failed job)."""
    events = json.loads(project.run("events", "agg", "--format", "json").stdout)
    [rolled] = [e for e in events if e["step"] == "rollback" and e["level"] == "warning"]
    cause = rolled["details"]["root_cause"]  # Flink's root exception of the failed job
    assert cause.startswith("org.apache.flink"), rolled
    return cause


def test_incompatible_change_rolls_back_then_is_blocked_until_retried(
    project: Project, restored_from
) -> None:
    """The retry storm of issue 11: a rolled-back spec is not tried again on every apply."""
    _run_then_change_incompatibly(project)
    change = _plan(project)["changes"][0]
    assert change["state"] == "at-risk" and "COUNT(*)" in change["state_reasons"][0]
    assert change["version"] == 2

    done = project.apply()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "rolled-back" in done.stdout and "rolled back to version 1" in done.stdout
    [running] = project.active("agg")
    assert running.version == 1  # the previous version runs again
    history = project.history("agg")
    assert [(h["version"], h["outcome"]) for h in history] == [
        (1, "applied"),
        (2, "rolled-back"),
        (1, "applied"),  # the rollback: its own row, with its job
    ]
    assert (history[2]["action"], history[2]["job_id"]) == ("rollback", running.job_id)
    # ...restored from the very savepoint the update took
    assert restored_from(running.job_id) == history[2]["savepoint"]
    assert history[2]["restored_from"] == history[2]["savepoint"]
    cause = _rollback_root_cause(project)
    # the plan's steps are what the journal ran, the rollback appended to them
    with _store(project) as store:
        [t] = store.transitions(project.target, "agg", limit=1)
        store_savepoints = len(store.savepoints(project.target, "agg"))
    assert t.status == "rolled-back" and t.plan["steps"] == change["steps"]
    ran = [e.step for e in t.steps if e.phase == "end"]
    assert ran == ["stop", "submit", "rollback-cancel", "rollback-submit", "rollback-wait",
                   "rollback-record"]  # fmt: skip

    # The next apply leaves the job alone: same job, no savepoint, no version.
    blocked_plan = _plan(project, exit_code=2)
    blocked = blocked_plan["changes"][0]
    assert blocked["action"] == "blocked" and blocked["steps"] == []
    assert blocked["blocked"]["version"] == 2 and blocked["blocked"]["outcome"] == "rolled-back"
    assert blocked["blocked"]["root_cause"] == cause, blocked
    assert blocked_plan["summary"] == {"blocked": 1}
    again = project.apply()
    assert again.returncode == 1 and "agg: blocked (version 2" in again.stdout, again.stdout
    assert [j.job_id for j in project.active("agg")] == [running.job_id]
    assert len(project.history("agg")) == 3  # a blocked apply appends nothing
    with _store(project) as store:
        assert len(store.savepoints(project.target, "agg")) == store_savepoints

    # --retry-failed tries it once more, as version 3 (what the plan says).
    retry = _plan(project, "--retry-failed")
    assert (retry["changes"][0]["action"], retry["changes"][0]["version"]) == ("update", 3)
    assert project.apply("--retry-failed").returncode == 1
    assert _outcomes(project, "agg") == [
        "applied", "rolled-back", "applied", "rolled-back", "applied"
    ]  # fmt: skip
    [again_running] = project.active("agg")
    assert again_running.version == 1
    # two rollbacks to version 1: two rows, each with its own job and the savepoint it
    # restored from; nothing of the first was overwritten by the second
    back = [h for h in project.history("agg") if h["action"] == "rollback"]
    assert [h["version"] for h in back] == [1, 1]
    assert [h["job_id"] for h in back] == [running.job_id, again_running.job_id]
    assert back[0]["restored_from"] != back[1]["restored_from"]
    assert restored_from(again_running.job_id) == back[1]["restored_from"]


# One kill point per forward list on the real cluster (every point of every list
# runs against a fake in tests/unit/apply/test_step_runner.py); every rollback point below.
@pytest.mark.parametrize("point", ["stop:after", "submit:after", "wait:before", "record:end"])
def test_killed_apply_is_finished_by_the_next(project: Project, point: str) -> None:
    project.write_job("agg", stateful_sql(rate=5))
    _ok(project.apply())
    project.write_job("agg", stateful_sql(rate=7))
    crashed = project.apply(env={"FLINKOPS_APPLY_CRASH_AT": point})
    assert crashed.returncode == -9, crashed.stdout + crashed.stderr

    store = _store(project)
    [open_t] = store.open_transitions(project.target)
    taken = open_t.data("stop").get("savepoint")
    store.close()
    plan = _plan(project)
    assert any(
        w.startswith("agg: an earlier apply's update did not finish") for w in plan["warnings"]
    ), plan["warnings"]

    out = _ok(project.apply())
    assert "recovered: agg" in out + _ok(project.run("events", "agg"))
    active = project.active("agg")
    assert len(active) == 1, active  # exactly one job: no duplicate submission
    history = project.history("agg")
    assert history[-1]["outcome"] == "applied" and history[-1]["version"] == 2
    assert history[-1]["job_id"] == active[0].job_id
    assert len(history) == 2
    if taken:  # the savepoint the killed apply took is the one restored
        assert history[-1]["restored_from"] == taken
    store = _store(project)
    assert store.open_transitions(project.target) == []
    assert store.latest_savepoint(project.target, "agg") is not None
    store.close()
    assert project.run("plan").returncode == 0


ROLLBACK_POINTS = [
    "wait:failed",
    *(f"rollback-{step}:{phase}" for step in ("cancel", "submit", "wait", "record")
      for phase in ("before", "after", "end")),
]  # fmt: skip
# Every point, in three runs of four or five kills: the runs go to different workers, and
# none is long enough to meet the per-test timeout on a loaded machine.
ROLLBACK_RUNS = [ROLLBACK_POINTS[:4], ROLLBACK_POINTS[4:8], ROLLBACK_POINTS[8:]]


@pytest.mark.parametrize("points", ROLLBACK_RUNS, ids=lambda ps: f"{ps[0]}..{ps[-1]}")
def test_killed_rollback_is_finished_by_the_next(
    project: Project, restored_from, points: list[str]
) -> None:
    """Kill -9 at points of the rollback, one after the other on one job: each time the
    next apply finishes the rollback without a second job or version."""
    _run_then_change_incompatibly(project)
    for n, point in enumerate(points):
        crashed = project.apply("--retry-failed", env={"FLINKOPS_APPLY_CRASH_AT": point})
        assert crashed.returncode == -9, f"{point}:\n{crashed.stdout}{crashed.stderr}"
        store = _store(project)
        [open_t] = store.open_transitions(project.target)
        taken = open_t.data("stop")["savepoint"]
        store.close()

        done = project.apply()  # finishes the rollback; the spec is then blocked
        said = done.stdout + done.stderr
        assert done.returncode == 1, f"{point}:\n{said}"
        assert "recovered: agg: interrupted update -> rolled-back" in said, f"{point}:\n{said}"
        assert "agg: blocked" in said, f"{point}:\n{said}"
        [running] = project.active("agg")  # exactly one job of that name
        assert running.version == 1, point
        assert restored_from(running.job_id) == taken, point  # the killed apply's savepoint
        history = project.history("agg")
        failed = [h["version"] for h in history if h["outcome"] == "rolled-back"]
        assert failed == list(range(2, n + 3)), point
        back = [h for h in history if h["action"] == "rollback"]  # one row per rollback
        assert [h["version"] for h in back] == [1] * (n + 1), point
        assert back[-1]["job_id"] == running.job_id, point
        assert len({h["job_id"] for h in back}) == n + 1, point
        store = _store(project)
        assert store.open_transitions(project.target) == [], point
        store.close()


def test_store_write_killed_mid_transaction_recovers(project: Project) -> None:
    project.write_job("agg", stateful_sql())
    crashed = project.apply(
        env={"FLINKOPS_STORE_CRASH_AT": "journal_step:submit:end:before-commit"}
    )
    assert crashed.returncode == -9
    _ok(project.apply())
    assert len(project.active("agg")) == 1
    assert project.history("agg")[-1]["outcome"] == "applied"


def test_second_apply_is_refused_while_one_runs(project: Project) -> None:
    """The first apply is frozen (SIGSTOP) while it holds the lock, so the second one asks
    while the lock is certainly held, however slowly the machine starts it."""
    project.write_job("agg", stateful_sql(), extra="  health: {window: 20s}\n")
    first = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flinkops",
            "apply",
            "--auto-approve",
            "--project",
            str(project.root),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with _store(project) as store:
            holder = wait_until(
                lambda: store.lock_holder(project.target),
                what="the first apply holds the target's lock",
                interval=0.1,
            )
            first.send_signal(signal.SIGSTOP)
            try:
                assert store.lock_holder(project.target) == holder, "lock released too soon"
                second = project.apply()
            finally:
                first.send_signal(signal.SIGCONT)
        assert second.returncode == 1
        assert "locked by another apply" in second.stderr and f"pid {first.pid}" in second.stderr
    finally:
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, out + err


CHECKPOINTED = (
    "  upgradeMode: {mode}\n  flinkConfiguration: {{execution.checkpointing.interval: 1s}}\n"
)


def _wait_checkpoint(project: Project, job_id: str, timeout: float = 60) -> None:
    wait_until(
        lambda: project.client.checkpoints(job_id).counts.get("completed", 0) >= 1,
        what=f"a completed checkpoint of {job_id}",
        timeout=timeout,
    )


def test_last_state_update_restores_the_latest_retained_checkpoint(
    project: Project, restored_from
) -> None:
    extra = CHECKPOINTED.format(mode="last-state")
    project.write_job("agg", stateful_sql(rate=5), extra=extra)
    _ok(project.apply())
    [old] = project.active("agg")
    _wait_checkpoint(project, old.job_id)
    project.write_job("agg", stateful_sql(rate=6), extra=extra)
    plan = _plan(project)
    assert plan["changes"][0]["restore_from"] == "latest retained checkpoint"
    _ok(project.apply())
    [new] = project.active("agg")
    last = project.history("agg")[-1]
    # a retained checkpoint of the cancelled job (.../<job id>/chk-N), not a savepoint;
    # Flink itself reports any restore through savepointPath with is_savepoint true
    assert f"/{old.job_id}/chk-" in last["restored_from"], last
    assert restored_from(new.job_id) == last["restored_from"]


def test_stateless_update_starts_empty(project: Project, restored_from) -> None:
    project.write_job("agg", stateful_sql(rate=5), extra="  upgradeMode: stateless\n")
    _ok(project.apply())
    project.write_job("agg", stateful_sql(rate=6), extra="  upgradeMode: stateless\n")
    change = _plan(project)["changes"][0]
    assert (change["action"], change["state"]) == ("update", "lost")
    _ok(project.apply())
    [new] = project.active("agg")
    assert restored_from(new.job_id) is None
    assert project.history("agg")[-1]["restored_from"] is None


def test_drift_restart_from_the_retained_checkpoint_of_a_job_cancelled_outside(
    project: Project, restored_from
) -> None:
    project.write_job("agg", stateful_sql(rate=5), extra=CHECKPOINTED.format(mode="savepoint"))
    _ok(project.apply())
    [old] = project.active("agg")
    _wait_checkpoint(project, old.job_id)
    project.client.cancel(old.job_id)  # someone cancels it in the Flink UI
    wait_state(project.client, old.job_id, "CANCELED", timeout=30)
    retained = local_path(project.client.checkpoints(old.job_id).latest.completed.external_path)
    change = _plan(project)["changes"][0]
    assert (change["action"], change["state"]) == ("restart", "preserved"), change
    # the newest retained checkpoint with _metadata on disk: the one Flink reports, or one
    # that completed as the job was cancelled, after Flink's statistics were read
    chosen = local_path(change["restore_from"])
    assert retained is not None and chosen is not None, change
    assert chosen.parent == retained.parent and (chosen / "_metadata").is_file(), change
    assert int(chosen.name.removeprefix("chk-")) >= int(retained.name.removeprefix("chk-"))
    _ok(project.apply())
    [new] = project.active("agg")
    assert local_path(restored_from(new.job_id)) == chosen


def test_killed_suspend_keeps_its_savepoint(project: Project) -> None:
    project.write_job("agg", stateful_sql())
    _ok(project.apply())
    project.write_job("agg", stateful_sql(), state="suspended")
    crashed = project.apply(env={"FLINKOPS_APPLY_CRASH_AT": "stop:after"})
    assert crashed.returncode == -9
    _ok(project.apply())
    assert project.active("agg") == []
    last = project.history("agg")[-1]
    assert last["outcome"] == "suspended" and last["savepoint"]
    project.write_job("agg", stateful_sql(), state="running")
    change = _plan(project)["changes"][0]
    assert (change["action"], change["restore_from"]) == ("resume", last["savepoint"])
