"""A savepoint is never restored into an older Flink than the one that wrote it: the
plan blocks the change (its reason names both versions) and apply exits 1."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner

from flinkops.cli import main as cli_main
from flinkops.plan import Action, Applied, StateImpact
from flinkops.plan._state import downgrade_reason
from flinkops.spec import load_project
from flinkops.store import Store
from tests.conftest import job_yaml
from tests.unit.plan.fakes import fake_flink, record_applied, run_plan, write_project
from tests.unit.plan.helpers import only_change, plan_of

__all__ = ["fake_flink"]

SP = "file:///sp/savepoint-abc"


@pytest.mark.parametrize(
    ("written", "cluster", "blocked"),
    [
        ("2.3.0", "1.20.1", True),
        ("2.0.0", "1.20.3", True),
        ("1.20.1", "1.20.0", True),
        ("1.20.1", "2.3.0", False),  # an upgrade: Flink reads older snapshots
        ("2.3.0", "2.3.0", False),
        (None, "1.20.1", False),  # recorded before versions were: not checked
        ("2.3.0", "", False),  # the cluster's version unknown
        ("2.3-SNAPSHOT", "2.2.0", True),
    ],
)
def test_downgrade_reason(written: str | None, cluster: str, blocked: bool) -> None:
    assert (downgrade_reason(SP, written, cluster) is not None) is blocked


def test_a_restart_from_a_newer_flinks_savepoint_is_blocked(make_spec, make_applied) -> None:
    spec = make_spec("agg")
    applied = {"agg": _written(make_applied(spec, savepoint=SP), "2.3.0")}
    change = only_change(plan_of([spec], (), applied, flink_version="1.20.1"))
    assert change.action is Action.BLOCKED and change.blocked is None
    assert change.state is StateImpact.NONE and not change.steps
    assert "written by Flink 2.3.0" in change.reason and "runs Flink 1.20.1" in change.reason
    assert SP in change.reason
    same = only_change(plan_of([spec], (), applied, flink_version="2.3.0"))
    assert same.action is Action.RESTART and same.restore_from == SP


def test_a_resume_of_a_suspend_written_by_a_newer_flink_is_blocked(make_spec, make_applied) -> None:
    spec = make_spec("agg")
    suspended = _written(make_applied(spec, outcome="suspended", savepoint=SP), "2.3.0")
    change = only_change(plan_of([spec], (), {"agg": suspended}, flink_version="1.20.1"))
    assert change.action is Action.BLOCKED and "cannot resume" in change.reason


def test_plan_exits_2_and_apply_exits_1_on_a_downgrade(tmp_path, fake_flink) -> None:
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    [spec] = load_project(project).jobs_for("local")
    record_applied(project, spec)
    with Store(load_project(project).store_location) as store:
        store.record_savepoint(
            "local", "job-a", SP, kind="stop", job_id="j1", version=1, flink_version="2.3.0"
        )
    fake_flink.flink_version = "1.20.1"  # an older Flink behind the same URL
    planned = run_plan(project, "--no-compat", "--format", "json")
    assert planned.exit_code == 2, planned.output
    [change] = json.loads(planned.output)["changes"]
    assert change["action"] == "blocked" and change["blocked"] is None
    assert "Flink 2.3.0" in change["reason"] and change["steps"] == []
    args = ["apply", "--project", str(project), "--auto-approve"]
    applied = CliRunner().invoke(cli_main, args)
    assert applied.exit_code == 1, applied.output
    assert "left as it is: cannot restart" in applied.output
    assert "1 blocked" in applied.output and "submitting" not in applied.output


def _written(applied: Applied, flink_version: str) -> Applied:
    return replace(applied, savepoint_flink_version=flink_version)


def test_restore_refuses_a_savepoint_of_a_newer_flink(tmp_path, fake_flink) -> None:
    project = write_project(tmp_path / "p", {"a.yaml": job_yaml("job-a")})
    [spec] = load_project(project).jobs_for("local")
    record_applied(project, spec)
    savepoint = tmp_path / "savepoint-1"
    savepoint.mkdir()
    (savepoint / "_metadata").write_bytes(b"")
    with Store(load_project(project).store_location) as store:
        store.record_savepoint(
            "local", "job-a", savepoint.as_uri(), kind="manual", job_id="j1", version=1,
            flink_version="2.3.0",
        )  # fmt: skip
    fake_flink.flink_version = "1.20.1"
    args = ["restore", "job-a", "--from", savepoint.as_uri(), "--project", str(project)]
    result = CliRunner().invoke(cli_main, [*args, "--auto-approve"])
    assert result.exit_code == 1, result.output
    assert "cannot restore" in result.output and "written by Flink 2.3.0" in result.output
