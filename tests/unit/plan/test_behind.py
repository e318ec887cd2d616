"""build_plan with a checkout behind the cluster (``Observation.behind``): a change that
would undo the job's newest transition is blocked, naming it; --allow-behind plans it
with a warning; a shallow clone only warns; a job left as it is stays unchanged."""

from __future__ import annotations

from dataclasses import replace

from flinkops.plan import Action, Behind, Change, StateImpact
from flinkops.plan.render import plan_markdown, plan_text
from tests.unit.plan.helpers import only_change, plan_of

B = Behind(
    3, "update", "4c5d6e7f8a9b0c1d2e3f", "Bo Colleague <bo@example.com>", "2026-12-07T10:00:00.000Z"
)


def _scaled_back(make_spec, make_live_job, make_applied, **kw):
    """The cluster runs v3 at parallelism 2 (the colleague's); this checkout says 1."""
    theirs = make_spec("job-a", parallelism=2)
    mine = make_spec("job-a", parallelism=1)
    live = make_live_job(theirs, version=3)
    return plan_of([mine], [live], {"job-a": make_applied(theirs, version=3)}, **kw)


def test_a_change_that_would_undo_a_colleagues_is_blocked(
    make_spec, make_live_job, make_applied
) -> None:
    plan = _scaled_back(make_spec, make_live_job, make_applied, behind={"job-a": B})
    change = only_change(plan)
    assert (change.action, change.state, change.steps) == (Action.BLOCKED, StateImpact.NONE, ())
    assert change.behind == B and change.version == 3 and change.blocked is None
    assert "version 3 (update) came from commit 4c5d6e7f8a9b by Bo Colleague" in change.reason
    assert "--allow-behind" in change.reason
    assert "parallelism: 2 -> 1" in change.config_diff  # what applying would undo
    assert plan.summary() == {"blocked": 1} and plan.has_changes and plan.warnings == ()
    data = plan.to_json()
    assert data["changes"][0]["behind"] == B.to_json()
    assert Change.from_json(data["changes"][0]).behind == B
    text = plan_text(data)
    assert "behind: version 3 (update) applied from commit 4c5d6e7f8a9b0c1d2e3f by Bo" in text
    md = plan_markdown(data)
    assert "v3 (not pulled)" in md and "Behind the cluster: version 3 (update)" in md


def test_allow_behind_plans_it_and_warns(make_spec, make_live_job, make_applied) -> None:
    plan = _scaled_back(
        make_spec, make_live_job, make_applied, behind={"job-a": B}, allow_behind=True
    )
    change = only_change(plan)
    assert (change.action, change.version, change.behind) == (Action.UPDATE, 4, None)
    [warning] = plan.warnings
    assert warning.startswith("job-a: version 3 (update) came from commit 4c5d6e7f8a9b")
    assert "--allow-behind applies over it" in warning
    assert plan.to_json()["allow_behind"] is True


def test_a_shallow_clone_only_warns(make_spec, make_live_job, make_applied) -> None:
    unknown = replace(B, known=False)
    plan = _scaled_back(make_spec, make_live_job, make_applied, behind={"job-a": unknown})
    assert only_change(plan).action is Action.UPDATE
    [warning] = plan.warnings
    assert "cannot tell" in warning and "fetch-depth: 0" in warning


def test_a_job_left_as_it_is_is_not_blocked(make_spec, make_live_job, make_applied) -> None:
    theirs = make_spec("job-a", parallelism=2)
    live = make_live_job(theirs, version=3)
    plan = plan_of(
        [theirs], [live], {"job-a": make_applied(theirs, version=3)}, behind={"job-a": B}
    )
    assert only_change(plan).action is Action.NOOP and plan.warnings == ()


def test_a_suspend_or_a_prune_that_would_undo_it_is_blocked(
    make_spec, make_live_job, make_applied
) -> None:
    running = make_spec("job-a")
    live = make_live_job(running, version=3)
    applied = {"job-a": make_applied(running, version=3)}
    stale = make_spec("job-a", state="suspended")
    suspend = plan_of([stale], [live], applied, behind={"job-a": B})
    assert only_change(suspend).action is Action.BLOCKED
    pruned = plan_of([], [live], applied, prune=True, behind={"job-a": B})
    assert only_change(pruned).action is Action.BLOCKED  # its spec is in the colleague's commit
    assert only_change(plan_of([], [live], applied, prune=True)).action is Action.DELETE
