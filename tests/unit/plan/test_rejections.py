"""SQL Flink's planner rejects, as located errors (``plan/rejections.py``), and what
``verdicts_of`` makes of it (``plan/_verdicts.py``). Flink is the fake of
``tests/unit/plan/fakes.py``, which answers as Flink 2.3 did through the SQL runner."""

from __future__ import annotations

import json

import httpx
from click.testing import CliRunner

import flinkops.flink.rest
from flinkops.cli import main as cli_main
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import Rejection
from flinkops.plan import CompatBasis, SqlRejected
from flinkops.plan._verdicts import CompileNeed, verdicts_of
from flinkops.plan.compiler import Compiled, Compiler, CompileRequest
from flinkops.plan.rejections import planner_problems, sql_rejected
from flinkops.spec import load_project
from tests.conftest import job_yaml
from tests.unit.conftest import MAX_SQL
from tests.unit.plan.fakes import FakeFlink, write_project

BROKEN = (
    "CREATE TABLE snk (v INT) WITH ('connector' = 'blackhole');\n"
    "INSERT INTO snk\n"
    "SELECT v FROM nowhere;\n"
)


def test_a_rejection_is_located_in_the_spec_and_round_trips(make_spec, tmp_path) -> None:
    spec = make_spec("agg", sql=BROKEN)  # its SQL starts at line 6, column 5 of jobs/agg.yaml
    found = sql_rejected(spec, Rejection("Object 'nowhere' not found", 1, 2, 15), tmp_path)
    assert found == SqlRejected("agg", "jobs/agg.yaml", 8, 19, "Object 'nowhere' not found")
    assert found.where == "jobs/agg.yaml:8:19"
    assert SqlRejected.from_json(found.to_json()) == found


def test_verdicts_make_an_error_of_rejected_new_sql_and_compare_the_rest(
    make_spec, tmp_path
) -> None:
    """A rejected new SQL gets no state verdict (the change is refused); an applied SQL that
    no longer compiles stays an unknown verdict on an update that can still run."""
    broken, edited = make_spec("broken", sql=BROKEN), make_spec("edited", sql=MAX_SQL)
    needs = [
        CompileNeed(broken, CompileRequest.of_spec(broken), CompileRequest.of_spec(edited)),
        CompileNeed(edited, CompileRequest.of_spec(edited), CompileRequest.of_spec(broken)),
    ]
    rejection = Rejection("Object 'nowhere' not found", 1, 2, 15)
    results = {
        needs[0].new: Compiled(needs[0].new, error=rejection.message, rejection=rejection),
        needs[1].new: Compiled(needs[1].new, graph={"nodes": []}),
    }
    results[needs[1].old] = results[needs[0].new]  # the same SQL: equal requests
    verdicts = verdicts_of(needs, results, tmp_path)
    assert verdicts.rejected == {"broken": sql_rejected(broken, rejection, tmp_path)}
    assert list(verdicts.compat) == ["edited"]
    assert verdicts.compat["edited"].basis is CompatBasis.APPLIED_SQL_REJECTED
    assert verdicts.warnings == ()


def test_planner_problems_compile_every_spec_and_locate_what_flink_rejects(tmp_path) -> None:
    project = write_project(
        tmp_path, {"a.yaml": job_yaml("job-a"), "b.yaml": job_yaml("broken", sql=BROKEN)}
    )
    loaded = load_project(project)
    fake = FakeFlink()
    client = FlinkClient("http://flink.test:8081", transport=httpx.MockTransport(fake), retries=0)
    problems = planner_problems(Compiler(client), loaded.jobs_for("local"), loaded.root)
    assert len(fake.compiled) == 2
    (problem,) = problems
    # b.yaml's SQL starts on line 7; "    SELECT v FROM nowhere" is its 3rd line
    assert (problem.path, problem.line, problem.col, problem.pointer) == (
        "jobs/b.yaml",
        9,
        19,
        "/spec/sql",
    )
    assert problem.message.startswith("Flink: SQL validation failed. Object 'nowhere' not found")


def test_validate_target_reports_flinks_errors_at_their_lines(tmp_path, monkeypatch) -> None:
    project = write_project(
        tmp_path, {"a.yaml": job_yaml("job-a"), "b.yaml": job_yaml("broken", sql=BROKEN)}
    )
    fake, real = FakeFlink(), FlinkClient
    monkeypatch.setattr(
        flinkops.flink.rest,
        "FlinkClient",
        lambda url, **kw: real(url, transport=httpx.MockTransport(fake), retries=0, **kw),
    )
    runner = CliRunner()
    offline = runner.invoke(cli_main, ["validate", "--project", str(project)])
    assert (offline.exit_code, fake.compiled) == (0, [])  # plain validate stays offline
    args = ["validate", "--project", str(project), "--target", "local", "--format", "json"]
    result = runner.invoke(cli_main, args)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["valid"], data["target"]) == (False, "local")
    assert [(p["path"], p["line"], p["col"]) for p in data["problems"]] == [("jobs/b.yaml", 9, 19)]
    text = runner.invoke(cli_main, ["validate", "--project", str(project), "-t", "local"])
    assert "jobs/b.yaml:9:19: Flink: SQL validation failed. Object 'nowhere' not found" in (
        text.stderr
    )
