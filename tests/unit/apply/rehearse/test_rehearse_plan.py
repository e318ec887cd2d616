"""``rehearse_plan`` (apply/rehearse/__init__.py): every update or restart of a running
job gets a rehearsal block, skipped with the reason when there is nothing to rehearse,
the others run at most ``concurrency`` at once."""

from __future__ import annotations

import threading
import time
from typing import Any

from flinkops.apply.rehearse import rehearse_plan
from flinkops.plan import Rehearsal, RehearsalOutcome, RehearseSettings
from tests.unit.conftest import FILTER_SQL, MAX_SQL
from tests.unit.plan.helpers import plan_of


class _Stub:
    """Stands in for ``Rehearser``: records the jobs and how many ran at once."""

    def __init__(self, concurrency: int) -> None:
        self.settings = RehearseSettings(concurrency=concurrency)
        self.running = self.most = 0
        self.lock = threading.Lock()
        self.jobs: list[tuple[str, str]] = []

    def rehearse(self, job: str, live_id: str, spec: Any) -> Rehearsal:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.jobs.append((job, live_id))
        time.sleep(0.05)  # overlap, so that a second worker would show
        with self.lock:
            self.running -= 1
        return Rehearsal(RehearsalOutcome.RESTORED, slots=spec.parallelism or 1)


def _plan(make_spec, make_live_job, make_applied):  # type: ignore[no-untyped-def]
    old = {n: make_spec(n) for n in ("a", "b", "c")}
    new = [
        make_spec("a", sql=MAX_SQL),
        make_spec("b", sql=FILTER_SQL),
        make_spec("c", sql=MAX_SQL, upgrade_mode="stateless"),
        make_spec("d"),
    ]
    live = [make_live_job(spec, job_id=f"{n:0<32}") for n, spec in old.items()]
    plan = plan_of(new, live, {n: make_applied(s) for n, s in old.items()})
    return plan, new


def test_updates_are_rehearsed_and_the_rest_skipped_or_left(
    make_spec, make_live_job, make_applied
) -> None:
    plan, specs = _plan(make_spec, make_live_job, make_applied)
    stub = _Stub(1)
    results = rehearse_plan(plan, specs, stub)  # type: ignore[arg-type]
    assert sorted(stub.jobs) == [("a", "a" + "0" * 31), ("b", "b" + "0" * 31)]
    assert results["a"].outcome is RehearsalOutcome.RESTORED
    assert results["c"] == Rehearsal(
        RehearsalOutcome.SKIPPED, "upgradeMode stateless: the update starts without state"
    )
    assert "d" not in results  # a create has no live state: no rehearsal block
    assert stub.most == 1


def test_concurrency_bounds_rehearsals_at_once(make_spec, make_live_job, make_applied) -> None:
    plan, specs = _plan(make_spec, make_live_job, make_applied)
    stub = _Stub(2)
    rehearse_plan(plan, specs, stub)  # type: ignore[arg-type]
    assert 1 <= stub.most <= 2
