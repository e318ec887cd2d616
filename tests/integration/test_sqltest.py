"""`flinkops test` on the real local cluster: the example jobs' tests pass (a windowed
aggregation on event time, an upsert sink's final rows, a changelog, a Top-N, a filter),
and so do examples/team-project's join and deduplication, in the same run as a wrong
expectation that fails with a row-level diff and exit 1; the JUnit XML of both runs
validates against tests/data/junit.xsd; the plan workflow's step appends the tests'
section to the plan comment."""

from __future__ import annotations

import os
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from flinkops.cli import main as cli_main
from flinkops.flink.local import ClusterInfo
from tests._xsd import Schema
from tests.conftest import REPO
from tests.integration._workflows import run_step, workflow_steps

JUNIT = Schema(REPO / "tests" / "data" / "junit.xsd")  # what CI systems read


def _project(root: Path, url: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "flinkops.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: Project\njobs: [jobs/]\n"
        f"defaultTarget: local\ntargets:\n  local:\n    url: {url}\n"
    )
    return root


def test_the_example_jobs_tests_pass(flink_cluster: ClusterInfo, tmp_path: Path) -> None:
    root = _project(tmp_path / "repo", flink_cluster.url)
    shutil.copytree(REPO / "jobs", root / "jobs")
    junit = tmp_path / "junit.xml"
    result = CliRunner().invoke(cli_main, ["test", "--project", str(root), "--junit", str(junit)])
    assert result.exit_code == 0, result.output
    assert "5 tests: 5 passed" in result.output
    assert JUNIT.errors(ET.parse(junit).getroot()) == []
    for name in ("one-minute windows fire", "revenue per customer", "the changelog of one"):
        assert "PASS  " in result.output and name in result.output


TEAM = REPO / "examples" / "team-project"

WRONG = """\
job: shipping-times
tests:
  - name: a wrong expectation
    given:
      orders: [{order_id: 1, customer_id: 7, order_time: "2026-01-01 10:00:00"}]
      shipments: [{shipment_id: 1, order_id: 1, ship_time: "2026-01-01 10:30:00"}]
    expect:
      shipping_times:
        - {order_id: 1, customer_id: 7, minutes_to_ship: 45}
        - {order_id: 5, customer_id: 8, minutes_to_ship: 1}
"""


def _team_project(root: Path, url: str) -> Path:
    """examples/team-project, its `local` target pointed at the session cluster."""
    shutil.copytree(TEAM, root, ignore=shutil.ignore_patterns(".flinkops"))
    config = root / "flinkops.yaml"
    config.write_text(config.read_text().replace("url: http://localhost:8081", f"url: {url}"))
    return root


def test_the_team_projects_join_and_dedup_pass_and_a_wrong_expectation_fails_with_a_diff(
    flink_cluster: ClusterInfo, tmp_path: Path
) -> None:
    root = _team_project(tmp_path / "p", flink_cluster.url)
    (root / "jobs" / "analytics" / "wrong.test.yaml").write_text(WRONG)
    junit = tmp_path / "junit.xml"
    result = CliRunner().invoke(cli_main, ["test", "--project", str(root), "--junit", str(junit)])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "PASS  shipping-times / an order joins its shipment within the hour" in out
    assert "PASS  payments-deduplicated / a payment delivered twice is kept once" in out
    assert "FAIL  shipping-times / a wrong expectation  (jobs/analytics/wrong.test.yaml:3" in out
    wrong = "(jobs/analytics/wrong.test.yaml"
    assert f"- missing    {{order_id: 1, customer_id: 7, minutes_to_ship: 45}}  {wrong}:9)" in out
    assert f"- missing    {{order_id: 5, customer_id: 8, minutes_to_ship: 1}}  {wrong}:10)" in out
    assert "+ unexpected {order_id: 1, customer_id: 7, minutes_to_ship: 30}\n" in out
    assert "3 tests: 2 passed, 1 failed" in out
    suites = ET.parse(junit).getroot()
    assert (suites.get("tests"), suites.get("failures")) == ("3", "1")
    assert JUNIT.errors(suites) == []


def test_the_plan_workflow_step_appends_the_tests_to_the_plan_comment(
    flink_cluster: ClusterInfo, tmp_path: Path
) -> None:
    root = _project(tmp_path / "p", flink_cluster.url)
    (root / "jobs").mkdir()
    for name in ("payments-deduplicated.yaml", "payments-deduplicated.test.yaml"):
        shutil.copy(TEAM / "jobs" / "payments" / name, root / "jobs" / name)
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    (temp / "plan.md").write_text("### flinkops plan · target `local`\n")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "FLINKOPS_TARGET": "local",
        "RUNNER_TEMP": str(temp),
        "GITHUB_OUTPUT": str(temp / "github_output"),
        "NO_COLOR": "1",
    }
    done = run_step(workflow_steps("plan.yml")["flinkops test"], root, env)
    assert done.returncode == 0, done.stderr
    assert (temp / "github_output").read_text() == "exitcode=0\n"
    comment = (temp / "plan.md").read_text()
    assert comment.startswith("### flinkops plan · target `local`\n\n### SQL tests\n")
    assert (
        "| ✅ | `payments-deduplicated` | a payment delivered twice is kept once, its first"
    ) in comment
    assert ET.parse(temp / "sql-tests.xml").getroot().get("tests") == "1"
