"""The effective spec of each change (plan/_effective.py): what runs on the plan's
target after that target's override, in the JSON, text and markdown forms, for a
create and an update, secrets masked."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from flinkops.plan import Action
from flinkops.plan.render import plan_markdown, plan_text
from flinkops.spec import JobSpec, load_project
from tests.conftest import job_yaml
from tests.unit.plan.helpers import only_change, plan_of

SCHEMA = json.loads(
    (Path(__file__).parents[3] / "src/flinkops/schemas/plan.schema.json").read_text()
)
SECRET = "s3cr3t-value-4471"
ENV = {"FLINKOPS_T_SECRET": SECRET}
BASE = """\
parallelism: 1
flinkConfiguration:
  a.b: '1'
  s3.secret-key: ${env:FLINKOPS_T_SECRET}
"""
OVERRIDE = """\
overrides:
  prod:
    parallelism: 2
    upgradeMode: last-state
    flinkConfiguration: {a.b: '2', c.d: x}
"""
PROD_LINE = (
    "effective on prod: parallelism 2 (override, was 1), upgradeMode last-state "
    "(override, was savepoint), savepointDir s3://bucket/savepoints, "
    "3 config keys (by override: +c.d, ~a.b)"
)
PROD_MD = PROD_LINE.replace("effective on prod", "Effective on `prod`")


def _spec(make_project, target: str, extra: str) -> JobSpec:
    root = make_project({"jobs/a.yaml": job_yaml("job-a", extra=extra)})
    (spec,) = load_project(root, env=ENV).jobs_for(target)
    return spec


def _forms(plan) -> tuple[dict, str, str]:
    data = plan.to_json()
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    return data, plan_text(data), plan_markdown(data)


def test_a_create_on_a_target_with_an_override_shows_what_runs_there(make_project) -> None:
    spec = _spec(make_project, "prod", BASE + OVERRIDE)
    plan = plan_of([spec], target="prod")
    assert only_change(plan).action is Action.CREATE
    data, text, markdown = _forms(plan)
    assert data["changes"][0]["effective"] == {
        "target": "prod",
        "state": "running",
        "parallelism": 2,
        "upgrade_mode": "last-state",
        "allow_non_restored_state": False,
        "savepoint_dir": "s3://bucket/savepoints",
        "flink_configuration": {"a.b": "2", "c.d": "x", "s3.secret-key": "***"},
        "overridden": {
            "parallelism": 1,
            "upgrade_mode": "savepoint",
            "flink_configuration": {"added": ["c.d"], "changed": ["a.b"]},
        },
    }
    assert f"      {PROD_LINE}\n" in text
    assert f"\n{PROD_MD}\n" in markdown


def test_an_update_that_an_override_brings_shows_it(
    make_project, make_live_job, make_applied
) -> None:
    before = _spec(make_project, "prod", BASE)
    spec = _spec(make_project, "prod", BASE + OVERRIDE)
    plan = plan_of([spec], [make_live_job(before)], {"job-a": make_applied(before)}, target="prod")
    assert only_change(plan).action is Action.UPDATE
    data, text, markdown = _forms(plan)
    assert data["changes"][0]["effective"]["parallelism"] == 2
    assert data["changes"][0]["effective"]["overridden"]["parallelism"] == 1
    assert f"      {PROD_LINE}\n" in text
    assert f"\n{PROD_MD}\n" in markdown


def test_a_target_without_an_override_shows_the_spec_as_written(make_project) -> None:
    spec = _spec(make_project, "local", BASE + OVERRIDE)
    data, text, markdown = _forms(plan_of([spec], default_savepoint_dir="file:///cluster/sp"))
    effective = data["changes"][0]["effective"]
    assert effective["parallelism"] == 1 and effective["upgrade_mode"] == "savepoint"
    assert effective["flink_configuration"] == {"a.b": "1", "s3.secret-key": "***"}
    assert effective["savepoint_dir"] == "file:///cluster/sp"  # the cluster's default
    assert effective["overridden"] == {}
    line = (
        "effective on local: parallelism 1, upgradeMode savepoint, "
        "savepointDir file:///cluster/sp, 2 config keys"
    )
    assert f"      {line}\n" in text
    assert "Effective on `local`: " + line.split(": ", 1)[1] + "\n" in markdown


SECRET_OVERRIDE = """\
overrides:
  prod:
    flinkConfiguration:
      custom.password: ${env:FLINKOPS_T_SECRET}
      custom.url: 'jdbc://u:${env:FLINKOPS_T_SECRET}@h'
"""


@pytest.mark.parametrize("target", ["local", "prod"])
def test_secrets_stay_masked_in_the_effective_spec(make_project, target) -> None:
    spec = _spec(make_project, target, BASE + SECRET_OVERRIDE)
    data, text, markdown = _forms(plan_of([spec], target=target))
    for form in (json.dumps(data), text, markdown):
        assert SECRET not in form
    config = data["changes"][0]["effective"]["flink_configuration"]
    assert config["s3.secret-key"] == "***"
    if target == "prod":
        assert config["custom.password"] == "***"
        assert config["custom.url"] == "jdbc://u:***@h"


def test_a_removed_spec_has_no_effective_spec(make_live_job) -> None:
    plan = plan_of([], [make_live_job("gone")], prune=True)
    data, text, _ = _forms(plan)
    assert data["changes"][0]["effective"] is None and "effective" not in text
