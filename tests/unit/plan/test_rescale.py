"""In-place rescale: which updates become a rescale (pure), its rollback, and the
store speaking for a rescaled job."""

from __future__ import annotations

import json
from dataclasses import replace

import httpx
import pytest

from flinkops.apply.health import rescale_job
from flinkops.errors import ApplyError
from flinkops.flink.rest import FlinkClient
from flinkops.plan import Action, Applied, StateImpact
from flinkops.plan.rescale import adaptive_scheduler, in_place_versions, only_parallelism_changed
from flinkops.plan.steps import Record, Rescale, WaitHealthy, after_failure
from tests.unit.plan.helpers import plan_of


def _applied(spec, version: int = 1, job_id: str = "j1", **spec_changes) -> Applied:
    stored = {**spec.portable(spec.to_json(redacted=False)), **spec_changes}
    return Applied(version, spec.spec_hash, spec.sql, stored, "applied", job_id=job_id)


def _plan(make_spec, make_live_job, *, adaptive: bool, **new):
    old = make_spec(parallelism=1)
    spec = make_spec(**{"parallelism": 2, **new})
    live = make_live_job(old, job_id="j1", version=1)
    applied = {"job-a": _applied(old)}
    return plan_of([spec], [live], applied, adaptive=adaptive).change("job-a")


def test_parallelism_only_change_rescales_in_place(make_spec, make_live_job) -> None:
    c = _plan(make_spec, make_live_job, adaptive=True)
    assert (c.action, c.state, c.parallelism, c.version) == (
        Action.RESCALE,
        StateImpact.PRESERVED,
        2,
        2,
    )
    assert c.reason == "parallelism 1 -> 2, rescaled in place"
    assert list(c.steps) == [Rescale("j1", 2, 1), WaitHealthy(20.0, 180.0), Record("applied", 2)]
    assert c.to_json()["symbol"] == "~" and c.to_json()["parallelism"] == 2


def test_without_the_adaptive_scheduler_it_is_a_savepoint_update_that_says_why(
    make_spec, make_live_job
) -> None:
    c = _plan(make_spec, make_live_job, adaptive=False)
    assert c.action is Action.UPDATE and c.steps[0].kind == "stop"
    assert "not an in-place rescale: the cluster does not run the adaptive scheduler" in c.reason


@pytest.mark.parametrize(
    "other",
    [
        {"flink_configuration": {"execution.checkpointing.interval": "5s"}},
        {"upgrade_mode": "last-state"},
        {"sql": "INSERT INTO snk SELECT k, MAX(v) FROM src GROUP BY k;\n"},
    ],
)
def test_anything_else_changing_too_is_an_update(make_spec, make_live_job, other) -> None:
    if "sql" in other:
        other = {"sql": make_spec().sql.replace("SUM(v)", "MAX(v)")}
    c = _plan(make_spec, make_live_job, adaptive=True, **other)
    assert c.action is Action.UPDATE


def test_only_parallelism_changed_needs_a_new_parallelism(make_spec) -> None:
    spec = make_spec(parallelism=2)
    assert not only_parallelism_changed(spec, _applied(spec))
    assert only_parallelism_changed(spec, _applied(spec, parallelism=1))
    assert not only_parallelism_changed(make_spec(), _applied(spec, parallelism=1))


def test_the_store_speaks_for_a_job_rescaled_in_place(make_spec, make_live_job) -> None:
    spec = make_spec(parallelism=2)
    live = make_live_job(make_spec(parallelism=1), job_id="j1", version=1)
    applied = {"job-a": replace(_applied(spec, version=2, job_id="j1"))}
    [seen] = in_place_versions([live], applied)
    assert (seen.version, seen.spec_hash) == (2, spec.spec_hash)
    plan = plan_of([spec], [seen], applied)
    assert plan.change("job-a").action is Action.NOOP  # no rescale loop
    other = make_live_job(make_spec(parallelism=1), job_id="j9", version=1)
    assert in_place_versions([other], applied) == [other]  # another job id: its own identity


def test_a_failed_wait_after_a_rescale_scales_back_and_never_cancels() -> None:
    listed = [Rescale("j1", 4, 2), WaitHealthy(5, 60), Record("applied", 3)]
    then = after_failure(listed[1], listed, version=3, rollback_to=2, new_job_id="j1", restore=None)
    assert [(s.kind, s.name) for s in then] == [
        ("rescale", "rollback-rescale"),
        ("record", "rollback-record"),
    ]
    assert then[0].parallelism == 2 and then[1].outcome == "rolled-back"


def test_adaptive_scheduler_is_read_from_the_jobmanager_config() -> None:
    assert adaptive_scheduler({"jobmanager.scheduler": "adaptive"})
    assert not adaptive_scheduler({"jobmanager.scheduler": "default"})
    assert not adaptive_scheduler({})


def test_rescale_job_puts_every_vertex_and_fails_when_it_does_not_happen() -> None:
    put: list[dict] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/resource-requirements"):
            if request.method == "PUT":
                put.append(json.loads(request.content))
                return httpx.Response(200, json={})
            return httpx.Response(
                200, json={"v1": {"parallelism": {"lowerBound": 1, "upperBound": 1}}}
            )
        return httpx.Response(
            200,
            json={
                "jid": "j1",
                "state": "FAILED",
                "vertices": [{"id": "v1", "parallelism": 1, "status": "FAILED"}],
            },
        )

    client = FlinkClient("http://f", transport=httpx.MockTransport(handle))
    with client, pytest.raises(ApplyError, match=r"did not run at parallelism 3 \(state FAILED"):
        rescale_job(client, "agg", "j1", 3, timeout=1, poll=0.01)
    assert put == [{"v1": {"parallelism": {"lowerBound": 1, "upperBound": 3}}}]


def test_status_reports_the_version_a_job_was_rescaled_to(make_spec, make_live_job) -> None:
    from flinkops.ops import build_status
    from flinkops.store import VersionRecord

    spec = make_spec(parallelism=2)
    live = make_live_job(make_spec(parallelism=1), job_id="j1", version=1)
    v2 = VersionRecord("local", "job-a", 2, spec.spec_hash, "q", "c", {}, "", job_id="j1")
    v2 = replace(v2, outcome="applied")
    status = build_status(
        target="local", url="u", specs=[spec], live=[live], latest={"job-a": v2},
        savepoints={}, now_ms=0,
    )  # fmt: skip
    [row] = status["jobs"]
    assert (row["in_sync"], row["version"], row["job_id"]) == (True, 2, "j1")
