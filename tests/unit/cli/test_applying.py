"""What apply, rollback and restore print around the applier (``cli/_applying.py``)."""

from __future__ import annotations

from click.testing import CliRunner

from flinkops.cli import main as cli_main
from flinkops.flink.identity import JobIdentity
from flinkops.plan.render import NO_CHANGES
from flinkops.spec import load_project
from tests.conftest import job_yaml
from tests.unit.plan.fakes import fake_flink, record_applied, write_project

__all__ = ["fake_flink"]  # the fixture


def test_apply_with_nothing_to_do_says_no_changes_once(tmp_path, fake_flink) -> None:
    """Issue 22: the plan and then the result each printed "No changes."."""
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    (spec,) = load_project(project).jobs_for("local")
    record_applied(project, spec)
    fake_flink.add("job-a", "RUNNING", JobIdentity("job-a", 1, spec.spec_hash, "local"))
    result = CliRunner().invoke(cli_main, ["apply", "--project", str(project), "--auto-approve"])
    assert result.exit_code == 0, result.output
    assert result.output.count(NO_CHANGES) == 1, result.output
    assert result.output.rstrip().endswith(NO_CHANGES)
