"""A job adopted by `flinkops import` carries no identity: the store's adopted version
names it by its job id (``in_place_versions``, ``adopted_runs``), so plan treats it as
the managed run of that version. Pure."""

from __future__ import annotations

from flinkops.flink.live import Ownership
from flinkops.plan import Action, Applied
from flinkops.plan.rescale import adopted_runs, in_place_versions
from flinkops.store import Outcome
from tests.unit.plan.helpers import plan_of


def _adopted(spec, job_id: str = "j1", version: int = 1) -> Applied:
    stored = spec.portable(spec.to_json(redacted=False))
    return Applied(version, spec.spec_hash, spec.sql, stored, Outcome.ADOPTED, job_id=job_id)


def test_a_job_without_identity_whose_id_was_adopted_is_that_job(make_spec, make_live_job):
    spec = make_spec()
    live = make_live_job("legacy", managed=False, job_id="j1")
    other = make_live_job("legacy", managed=False, job_id="j2")
    (job, unrelated) = in_place_versions([live, other], {"job-a": _adopted(spec)})
    assert job.ownership is Ownership.MANAGED
    assert (job.managed_name, job.version, job.spec_hash) == ("job-a", 1, spec.spec_hash)
    assert unrelated.ownership is Ownership.UNMANAGED


def test_an_adopted_job_is_in_sync_so_the_plan_does_nothing(make_spec, make_live_job):
    spec = make_spec(parallelism=2)
    live = make_live_job("legacy", managed=False, job_id="j1")
    observed = in_place_versions([live], {"job-a": _adopted(spec)})
    change = plan_of([spec], observed, {"job-a": _adopted(spec)}).change("job-a")
    assert change.action is Action.NOOP


def test_a_changed_spec_updates_the_adopted_job_from_a_savepoint(make_spec, make_live_job):
    old, new = make_spec(parallelism=2), make_spec(parallelism=1)
    live = make_live_job("legacy", managed=False, job_id="j1")
    observed = in_place_versions([live], {"job-a": _adopted(old)})
    change = plan_of([new], observed, {"job-a": _adopted(old)}).change("job-a")
    assert (change.action, change.version) == (Action.UPDATE, 2)
    assert change.live is not None and change.live.job_id == "j1"
    assert [s.kind for s in change.steps][:2] == ["stop", "submit"]


def test_a_job_another_target_owns_is_never_adopted(make_spec, make_live_job):
    from dataclasses import replace

    spec = make_spec()
    live = replace(make_live_job("legacy", managed=False, job_id="j1"), identity_target="prod")
    (job,) = in_place_versions([live], {"job-a": _adopted(spec)})
    assert job.ownership is Ownership.OTHER_TARGET


def test_old_adopted_runs_stay_the_jobs_after_an_update(make_spec, make_live_job):
    spec = make_spec()
    old = make_live_job("legacy", managed=False, job_id="j1", state="FINISHED")
    (job,) = adopted_runs([old], {"job-a": [_adopted(spec)]})
    assert (job.managed_name, job.version, job.state) == ("job-a", 1, "FINISHED")


def test_a_run_the_projects_scope_named_gets_its_adopted_version(make_spec, make_live_job):
    """Read in the project's scope, a recorded job without identity is already the job's
    (``Scope.owns``) but has no version: ``adopted_runs`` gives it the adopted one."""
    from dataclasses import replace

    spec = make_spec()
    old = make_live_job("legacy", managed=False, job_id="j1", state="FINISHED")
    named = replace(old, managed_name="job-a", version=None)
    (job,) = adopted_runs([named], {"job-a": [_adopted(spec)]})
    assert (job.managed_name, job.version, job.spec_hash) == ("job-a", 1, spec.spec_hash)
