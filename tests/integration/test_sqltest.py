"""`flinkops test` on the real local cluster: the example jobs' tests pass (a windowed
aggregation on event time, an upsert sink's final rows, a changelog, a Top-N, a filter),
and in a project of its own a join and a deduplication pass while a wrong expectation
fails with a row-level diff, exit 1 and JUnit XML; the plan workflow's step appends the
tests' section to the plan comment."""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from flinkops.cli import main as cli_main
from flinkops.flink.local import ClusterInfo
from tests.conftest import REPO
from tests.integration._workflows import run_step, workflow_steps


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
    result = CliRunner().invoke(cli_main, ["test", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert "5 tests: 5 passed" in result.output
    for name in ("one-minute windows fire", "revenue per customer", "the changelog of one"):
        assert "PASS  " in result.output and name in result.output


JOIN_SQL = """\
CREATE TABLE orders (order_id BIGINT, customer_id INT, amount INT) WITH ('connector' = 'datagen');
CREATE TABLE customers (id INT, name STRING, PRIMARY KEY (id) NOT ENFORCED)
  WITH ('connector' = 'datagen');
CREATE TABLE enriched (order_id BIGINT, name STRING, amount INT,
  PRIMARY KEY (order_id) NOT ENFORCED) WITH ('connector' = 'blackhole');
INSERT INTO enriched
SELECT o.order_id, c.name, o.amount FROM orders o JOIN customers c ON o.customer_id = c.id;
"""

DEDUP_SQL = """\
CREATE TABLE events (id BIGINT, v STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'datagen');
CREATE TABLE firsts (id BIGINT, v STRING) WITH ('connector' = 'blackhole');
INSERT INTO firsts
SELECT id, v FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY ts ASC) AS rn FROM events
) WHERE rn = 1;
"""

TESTS = """\
job: enrich
tests:
  - name: orders get their customer's name
    given:
      orders:
        - {order_id: 1, customer_id: 7, amount: 10}
        - {order_id: 2, customer_id: 8, amount: 20}
        - {order_id: 3, customer_id: 9, amount: 30}
      customers:
        - {id: 7, name: ann}
        - {id: 8, name: bob}
    expect:
      enriched:
        - {order_id: 1, name: ann, amount: 10}
        - {order_id: 2, name: bob, amount: 20}
  - name: a wrong expectation
    given:
      orders: [{order_id: 1, customer_id: 7, amount: 10}]
      customers: [{id: 7, name: ann}]
    expect:
      enriched:
        - {order_id: 1, name: anne, amount: 10}
        - {order_id: 5, name: eve, amount: 1}
---
job: dedup
tests:
  - name: the first event of each id, by event time
    given:
      events:
        - {id: 1, v: first, ts: "2026-01-01 10:00:01"}
        - {id: 2, v: only, ts: "2026-01-01 10:00:05"}
        - {id: 1, v: again, ts: "2026-01-01 10:00:09"}
    expect:
      firsts:
        - {id: 1, v: first}
        - {id: 2, v: only}
"""


def _job(name: str, sql: str) -> str:
    return (
        f"apiVersion: flinkops/v1\nkind: SqlJob\nmetadata:\n  name: {name}\n"
        "spec:\n  parallelism: 1\n  sql: |\n" + textwrap.indent(sql, "    ")
    )


def test_join_and_dedup_pass_and_a_wrong_expectation_fails_with_a_diff(
    flink_cluster: ClusterInfo, tmp_path: Path
) -> None:
    root = _project(tmp_path / "p", flink_cluster.url)
    (root / "jobs").mkdir()
    (root / "jobs" / "enrich.yaml").write_text(_job("enrich", JOIN_SQL))
    (root / "jobs" / "dedup.yaml").write_text(_job("dedup", DEDUP_SQL))
    (root / "jobs" / "t.test.yaml").write_text(TESTS)
    junit = tmp_path / "junit.xml"
    result = CliRunner().invoke(cli_main, ["test", "--project", str(root), "--junit", str(junit)])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "PASS  enrich / orders get their customer's name" in out
    assert "PASS  dedup / the first event of each id, by event time" in out
    assert "FAIL  enrich / a wrong expectation  (jobs/t.test.yaml:16" in out
    assert "~ changed    {order_id: 1} name: expected anne, got ann  (jobs/t.test.yaml:22)" in out
    assert "- missing    {order_id: 5, name: eve, amount: 1}  (jobs/t.test.yaml:23)" in out
    assert "3 tests: 2 passed, 1 failed" in out
    suites = ET.parse(junit).getroot()
    assert (suites.get("tests"), suites.get("failures")) == ("3", "1")


def test_the_plan_workflow_step_appends_the_tests_to_the_plan_comment(
    flink_cluster: ClusterInfo, tmp_path: Path
) -> None:
    root = _project(tmp_path / "p", flink_cluster.url)
    (root / "jobs").mkdir()
    (root / "jobs" / "dedup.yaml").write_text(_job("dedup", DEDUP_SQL))
    (root / "jobs" / "t.test.yaml").write_text(TESTS.split("---\n")[1])
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
    assert "| ✅ | `dedup` | the first event of each id, by event time |" in comment
    assert ET.parse(temp / "sql-tests.xml").getroot().get("tests") == "1"
