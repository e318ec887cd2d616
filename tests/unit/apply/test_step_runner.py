"""The runner's ordering and idempotency rules, at every crash point of every list.

Each scenario is applied once without a crash (the reference), recording every
crash point it passes. Then, for each of those points, the same scenario is applied
again and "killed" there (the crash hook raises instead of SIGKILL), and the next
apply (recovery, a fresh plan, apply) must converge to the reference: the same
jobs running, every version recorded once with the same outcome, no job submitted
twice, no open transition, and the savepoint the killed apply took is the one the
running job restored. A third apply then changes nothing.

Flink is a fake here (tests/unit/fake_flink.py); what Flink does is tested on the
real cluster in tests/integration/apply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from flinkops.apply import Applier, ApplyResult
from flinkops.apply.step_runner import _HANDLERS
from flinkops.plan.observe import make_plan
from flinkops.plan.steps import STEP_KINDS
from flinkops.spec import JobSpec
from flinkops.store import Store
from tests.unit.conftest import MAX_SQL, SUM_SQL
from tests.unit.fake_flink import FakeFlink, snapshot_uri

HEALTH = {"window": 0, "timeout": 5}


class Killed(BaseException):
    """What the crash hook raises in place of SIGKILL: nothing after it runs."""


@dataclass
class World:
    fake: FakeFlink
    store: Store

    def apply(
        self,
        specs: list[JobSpec],
        *,
        crash: Callable[[str], None] = lambda point: None,
        prune: bool = False,
        retry_failed: bool = False,
    ) -> ApplyResult:
        """What `flinkops apply` does: recover, plan afresh, apply."""
        client = self.fake.client()
        applier = Applier(
            client,
            self.store,
            target="local",
            specs=specs,
            poll=0,
            submit=self.fake.submit,
            crash=crash,
        )
        recovered = applier.recover()
        plan = make_plan(
            client,
            self.store,
            target="local",
            url="",
            specs=specs,
            prune=prune,
            check_compat=False,
            retry_failed=retry_failed,
        )
        result = applier.apply(plan)
        result.recovered = recovered
        return result

    def signature(self) -> dict[str, Any]:
        return {
            "active": sorted(
                (j.name, j.identity.version) for j in self.fake.jobs.values() if j.active
            ),
            "versions": [(v.version, v.outcome) for v in self.store.versions("local", "agg")],
            # appended once per transition, whatever was killed and recovered on the way
            "history": [
                (h.seq, h.version, h.action, h.outcome) for h in self.store.history("local", "agg")
            ],
            "submissions": len(self.fake.submissions),
            "open": self.store.open_transitions("local"),
        }


@dataclass(frozen=True)
class Scenario:
    """``before``: spec lists applied first; ``then``: the apply that is killed."""

    before: tuple[tuple[dict[str, Any], ...], ...]
    then: tuple[dict[str, Any], ...]
    prune: bool = False
    bad: bool = False  # the new spec fails on the cluster
    outside: Callable[[FakeFlink], None] | None = None  # done to the cluster before `then`


def agg(**settings: Any) -> dict[str, Any]:
    return {"name": "agg", "sql": SUM_SQL, "health": HEALTH, **settings}


SCENARIOS = {
    "create": Scenario((), (agg(),)),
    "create-fails-abort": Scenario((), (agg(sql=MAX_SQL),), bad=True),
    "update-savepoint": Scenario(((agg(),),), (agg(sql=MAX_SQL),)),
    "update-rollback": Scenario(((agg(),),), (agg(sql=MAX_SQL),), bad=True),
    # the previous version fails too: nothing runs, v2 is recorded failed (and blocks)
    "update-rollback-fails": Scenario(
        ((agg(),),), (agg(sql=MAX_SQL),), bad=True, outside=lambda f: _spoil_running(f)
    ),
    "update-last-state": Scenario(
        ((agg(upgrade_mode="last-state"),),), (agg(sql=MAX_SQL, upgrade_mode="last-state"),)
    ),
    "update-last-state-rollback": Scenario(
        ((agg(upgrade_mode="last-state"),),),
        (agg(sql=MAX_SQL, upgrade_mode="last-state"),),
        bad=True,
    ),
    "update-stateless": Scenario(
        ((agg(upgrade_mode="stateless"),),), (agg(sql=MAX_SQL, upgrade_mode="stateless"),)
    ),
    "suspend": Scenario(((agg(),),), (agg(state="suspended"),)),
    "resume": Scenario(((agg(),), (agg(state="suspended"),)), (agg(),)),
    "resume-fails-abort": Scenario(
        ((agg(),), (agg(state="suspended"),)), (agg(sql=MAX_SQL),), bad=True
    ),
    "cancel": Scenario(((agg(),),), (agg(state="cancelled"),)),
    "delete": Scenario(((agg(),),), (), prune=True),
    "restart": Scenario(((agg(),),), (agg(),), outside=lambda f: _cancel_outside(f)),
}


def _spoil_running(fake: FakeFlink) -> None:
    fake.bad |= {j.identity.spec_hash for j in fake.active("agg")}


def _cancel_outside(fake: FakeFlink) -> None:
    for job in fake.active("agg"):
        job.state = "CANCELED"


def _world(tmp: Path, make_spec: Callable[..., JobSpec], s: Scenario) -> tuple[World, list]:
    fake = FakeFlink()
    world = World(fake, Store(tmp / "state.db"))
    for specs in s.before:
        assert world.apply([make_spec(**d) for d in specs]).ok
    final = [make_spec(**d) for d in s.then]
    if s.bad:
        fake.bad |= {spec.spec_hash for spec in final}
    if s.outside:
        s.outside(fake)
    return world, final


def _killed_savepoint(store: Store) -> str | None:
    [t] = store.open_transitions("local")
    return t.data("stop").get("savepoint") or t.data("cancel").get("checkpoint")


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_crash_point_converges(name: str, tmp_path: Path, make_spec) -> None:
    s = SCENARIOS[name]
    passed: list[str] = []
    (tmp_path / "ref").mkdir()
    ref, final = _world(tmp_path / "ref", make_spec, s)
    ref.apply(final, crash=passed.append, prune=s.prune)
    expected = ref.signature()
    assert expected["open"] == [] and passed
    for point in passed:
        tmp = tmp_path / point.replace(":", "-")
        tmp.mkdir()
        world, final = _world(tmp, make_spec, s)

        def crash(p: str, point: str = point) -> None:
            if p == point:
                raise Killed(p)

        with pytest.raises(Killed):
            world.apply(final, crash=crash, prune=s.prune)
        taken = _killed_savepoint(world.store)
        result = world.apply(final, prune=s.prune)  # the next apply converges
        assert result.recovered, point
        got = world.signature()
        assert got == expected, point
        if taken and not s.bad and final and final[0].state == "running":
            [running] = world.fake.active("agg")
            assert running.restored_from == taken, point
        if name == "update-rollback-fails":
            assert got["versions"] == [(1, "applied"), (2, "failed")], point
        if taken and s.bad and name.endswith("rollback"):
            [running] = world.fake.active("agg")
            assert running.restored_from == taken, point  # the rollback restored it
        again = world.apply(final, prune=s.prune)
        assert len(world.fake.submissions) == expected["submissions"], point
        assert all(r.status == "blocked" for r in again.results), (point, again)
        world.store.close()
    ref.store.close()


def test_crash_points_cover_every_step_of_every_list(tmp_path: Path, make_spec) -> None:
    """The rollback's and the abort's steps are crash points like the forward ones."""
    seen: set[str] = set()
    for name in ("update-rollback", "create-fails-abort", "update-savepoint", "suspend"):
        path = tmp_path / name
        path.mkdir()
        world, final = _world(path, make_spec, SCENARIOS[name])
        world.apply(final, crash=seen.add)
        world.store.close()
    for step in (
        "stop", "submit", "wait", "record", "rollback-cancel", "rollback-submit",
        "rollback-wait", "rollback-record", "abort-cancel", "abort-record",
    ):  # fmt: skip
        for phase in ("before", "after", "end"):
            assert f"{step}:{phase}" in seen
    assert "wait:failed" in seen


def test_every_kind_of_step_has_its_handler() -> None:
    """The runner's table names one handler per kind of step in plan/steps.py."""
    assert set(_HANDLERS) == set(STEP_KINDS.values())


def test_a_savepoint_flink_fails_while_the_job_runs_on_is_asked_for_again(
    tmp_path: Path, make_spec
) -> None:
    """Flink fails a stop's savepoint (a task not running yet) and the job runs on: the
    stop is asked for again, and the update goes through from the second savepoint."""
    world, final = _world(tmp_path, make_spec, SCENARIOS["update-savepoint"])
    [old] = world.fake.active("agg")
    world.fake.failing_stops = 1
    result = world.apply(final)
    assert result.ok, result
    [running] = world.fake.active("agg")
    first, second = world.fake.triggers  # each stop under a trigger id flinkops chose
    assert old.state == "FINISHED" and first != second
    assert running.restored_from == snapshot_uri(f"sp/savepoint-0001-{second}")
    warnings = [e for e in world.store.events("local", "agg", 50) if e.level == "warning"]
    assert [e.step for e in warnings] == ["savepoint"]
    assert "failed, asking again" in warnings[0].message
    assert "Not all required tasks are currently running" in warnings[0].message
    world.store.close()


def test_a_stop_whose_job_ended_or_keeps_failing_its_savepoint_is_not_retried_forever(
    tmp_path: Path, make_spec
) -> None:
    world, final = _world(tmp_path / "ended", make_spec, SCENARIOS["update-savepoint"])
    world.fake.failing_stops, world.fake.after_failed_stop = 1, "FAILED"
    assert not world.apply(final).ok
    assert len(world.fake.triggers) == 1  # a job that ended is not stopped again
    world.store.close()
    world, final = _world(tmp_path / "again", make_spec, SCENARIOS["update-savepoint"])
    world.fake.failing_stops = 10
    assert not world.apply(final).ok
    assert len(world.fake.triggers) == 3  # STOP_ATTEMPTS, then the error
    [running] = world.fake.active("agg")
    assert running.identity.version == 1  # the running job was left as it was
    world.store.close()


def test_a_stop_whose_answer_was_lost_is_found_by_the_next_apply(tmp_path: Path, make_spec) -> None:
    """Issue 23: Flink stopped the job (FINISHED, savepoint written) but its 202 never
    came back. The stop was journaled before it was sent, so the next apply asks Flink
    for the old job's snapshots instead of sending the stop again, and starts the new
    version from the stop's savepoint: never empty."""
    world, final = _world(tmp_path, make_spec, SCENARIOS["update-savepoint"])
    [old] = world.fake.active("agg")
    world.fake.lose_answer_of = {"POST /stop"}
    failed = world.apply(final)
    [result] = failed.results
    assert not failed.ok and old.state == "FINISHED"
    assert f"Flink shows the old job {old.jid} FINISHED" in result.message
    assert "steps left: stop, submit, wait, record" in result.message
    [t] = world.store.open_transitions("local")
    assert t.data("stop")["stopping"] == old.jid and "stop_asked" in t.data("stop")
    world.fake.lose_answer_of = set()
    again = world.apply(final)
    assert again.recovered == ["agg: interrupted update -> done"], again.recovered
    [running] = world.fake.active("agg")
    assert running.restored_from == old.stopped_with
    assert len(world.fake.triggers) == 1  # the stop was not sent again
    assert world.apply(final).results == []  # converged
    world.store.close()


def test_a_stop_whose_answer_is_lost_is_known_by_its_trigger_id(tmp_path: Path, make_spec) -> None:
    """Flink takes the stop but its answer is lost: the journal already holds the trigger
    id the stop carried (chosen before sending), so the next apply asks Flink about that
    stop instead of stopping again — a second stop while the first savepoint is in
    progress makes Flink fail the job's tasks and restart it."""
    world, final = _world(tmp_path, make_spec, SCENARIOS["update-savepoint"])
    world.fake.lose_answer_of = ["POST /stop"]
    assert not world.apply(final).ok
    [trigger] = world.fake.triggers
    [open_transition] = world.store.open_transitions("local")
    assert open_transition.data("stop")["trigger_id"] == trigger
    world.fake.lose_answer_of = []
    assert world.apply(final).ok
    assert list(world.fake.triggers) == [trigger]  # asked about, not sent again
    [running] = world.fake.active("agg")
    assert running.restored_from == world.fake.triggers[trigger][1]
    world.store.close()
