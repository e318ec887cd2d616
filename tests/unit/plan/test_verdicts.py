"""What a plan asks Flink's planner, decided from the specs and the observation before
any plan exists (``plan/_verdicts.py``)."""

from __future__ import annotations

from flinkops.plan import Attempt, PlanOptions
from flinkops.plan._verdicts import compile_needs
from flinkops.plan.compiler import CompileRequest
from tests.unit.conftest import MAX_SQL
from tests.unit.plan.helpers import observed


def test_what_puts_a_version_in_place_is_compiled_and_changed_sql_compared(
    make_spec, make_live_job, make_applied
) -> None:
    ran = {n: make_spec(n, parallelism=1) for n in ("steady", "edited", "scaled", "failed")}
    now = [
        ran["steady"],
        make_spec("edited", sql=MAX_SQL, parallelism=1),
        make_spec("scaled", parallelism=2),
        make_spec("failed", sql=MAX_SQL, parallelism=1),
        make_spec("new"),
        make_spec("paused", state="suspended"),
    ]
    seen = observed(
        [make_live_job(spec) for spec in ran.values()],
        {n: make_applied(spec) for n, spec in ran.items()},
        adaptive=True,
        attempts={"failed": Attempt(2, "rolled-back", now[3].spec_hash)},
    )
    needs = {n.spec.name: n for n in compile_needs(now, seen, PlanOptions())}
    assert sorted(needs) == ["edited", "new", "scaled"]  # not blocked, in sync or stopped
    edited = needs["edited"]
    assert edited.new == CompileRequest.of_spec(now[1])
    assert edited.old == CompileRequest.of_version(
        now[1], seen.applied["edited"].sql, seen.applied["edited"].spec
    )
    assert needs["scaled"].old is None and needs["new"].old is None  # same SQL; a create
    only = compile_needs(now, seen, PlanOptions(only=("new",)))
    assert [n.spec.name for n in only] == ["new"]
