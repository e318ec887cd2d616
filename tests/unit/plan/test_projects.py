"""`plan` on a cluster other projects share: their jobs are foreign, a legacy job is
the project's when its store recorded it, an unreadable foreign job is a warning."""

from __future__ import annotations

import json

from flinkops.flink.identity import JobIdentity
from flinkops.spec import load_project
from flinkops.store import Store
from tests.conftest import job_yaml
from tests.unit.plan.fakes import fake_flink, record_applied, run_plan, write_project

__all__ = ["fake_flink"]


def test_prune_never_plans_another_projects_job_of_the_same_name(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    theirs = fake_flink.add("xa-agg", "RUNNING", JobIdentity("xa-agg", 1, "h", "local"),
                            project="other")  # fmt: skip
    result = run_plan(project, "--prune", "--no-compat", "--format", "json")
    data = json.loads(result.output)
    assert [c["job"] for c in data["changes"]] == ["job-a"]  # no delete of xa-agg
    [foreign] = data["unmanaged"]
    assert foreign["job_id"] == theirs
    assert (foreign["ownership"], foreign["project"]) == ("other-project", "other")
    text = run_plan(project, "--prune", "--no-compat").output
    assert f"{theirs}  xa-agg  RUNNING  (project other)" in text


def test_a_legacy_job_is_adopted_by_the_store_that_recorded_it(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    [spec] = load_project(project).jobs_for("local")
    legacy = JobIdentity("job-a", 1, spec.spec_hash, "local")
    jid = fake_flink.add("job-a", "RUNNING", legacy, project="")  # no project id
    record_applied(project, spec)
    plan = json.loads(run_plan(project, "--no-compat", "--format", "json").output)
    assert plan["changes"][0]["action"] == "restart"  # its id not recorded: another's
    assert plan["unmanaged"][0]["ownership"] == "other-project"
    assert any("another project's job of that name is RUNNING" in w for w in plan["warnings"])
    with Store(load_project(project).store_location) as store:
        store.update_version("local", "job-a", 1, job_id=jid)  # what apply records
    plan = json.loads(run_plan(project, "--no-compat", "--format", "json").output)
    assert plan["changes"][0]["action"] == "noop" and not plan["unmanaged"]


def test_an_unreadable_foreign_job_is_a_warning(tmp_path, fake_flink):
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    jid = fake_flink.add("their-job", "RUNNING", None)
    fake_flink.hidden.add(jid)
    result = run_plan(project, "--no-compat", "--format", "json")
    assert result.exit_code == 2, result.output
    [warning] = [w for w in json.loads(result.output)["warnings"] if jid in w]
    assert "taken for another's and left alone" in warning
    mine = fake_flink.add("job-a", "RUNNING", None)  # may be this project's job-a
    fake_flink.hidden.add(mine)
    refused = run_plan(project, "--no-compat")
    assert refused.exit_code == 1 and f"cannot read the configuration of RUNNING job {mine}" in (
        refused.output
    )
