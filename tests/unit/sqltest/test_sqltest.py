"""SQL tests without a cluster: loading and checking test files (located problems), the
rewrite of sources and sinks, the row diff, JUnit XML and the CLI refusing bad files."""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import httpx
from click.testing import CliRunner

from flinkops.cli import main as cli_main
from flinkops.spec import find_test_files, load_project
from flinkops.sqltest import Outcome, SqlTestResult, load_test_files, prepare_all, to_junit
from flinkops.sqltest._check import ExpectedRow
from flinkops.sqltest._diff import TableDiff, diff_table, final_rows
from flinkops.sqltest._model import Expectation, Op
from flinkops.sqltest._tables import read_job_tables, rewrite_statements
from tests.conftest import job_yaml

SQL = """\
CREATE TABLE orders (
  id BIGINT, customer INT, amount DECIMAL(10, 2), ts TIMESTAMP(3),
  day AS CAST(ts AS DATE),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'orders');
CREATE TABLE totals (customer INT, n BIGINT, total DECIMAL(38, 2),
  PRIMARY KEY (customer) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = 't');
CREATE VIEW big AS SELECT * FROM orders WHERE amount > 1;
INSERT INTO totals SELECT customer, COUNT(*), SUM(amount) FROM big GROUP BY customer;
"""

GOOD = """\
job: totals
tests:
  - name: sums
    given:
      orders:
        - {id: 1, customer: 7, amount: 10.00, ts: "2026-01-01 10:00:00"}
    expect:
      totals:
        - {customer: 7, n: 1, total: 10.00}
"""


def project(make_project, tests: str) -> Path:  # type: ignore[no-untyped-def]
    return make_project({"jobs/a.yaml": job_yaml("totals", sql=SQL), "jobs/a.test.yaml": tests})


def prepared(root: Path):  # type: ignore[no-untyped-def]
    proj = load_project(root, env={})
    tests, problems = load_test_files(find_test_files(root, list(proj.model.jobs)), root)
    assert not problems
    return prepare_all(tests, proj.jobs)


def test_test_files_are_not_job_specs_and_a_good_one_prepares(make_project) -> None:
    root = project(make_project, GOOD)
    assert [j.name for j in load_project(root, env={}).jobs] == ["totals"]
    work, problems = prepared(root)
    assert problems == []
    ((job, test),) = work
    assert job.tables.sources == ("orders",) and job.tables.sinks == ("totals",)
    line = test.lines["orders"][0]
    assert line == '{"id": 1, "customer": 7, "amount": 10.0, "ts": "2026-01-01 10:00:00.000"}'


def test_problems_are_located_in_the_test_file(make_project) -> None:
    bad = textwrap.dedent("""\
        job: totals
        tests:
          - name: bad
            given:
              order:
                - {id: 1}
              orders:
                - {id: x, custmer: 7, day: "2026-01-01"}
            expect:
              totals:
                - {customer: 7, total: abc}
        """)
    work, problems = prepared(project(make_project, bad))
    assert work == []
    shown = [str(p) for p in problems]
    assert shown == [
        "jobs/a.test.yaml:5:7: the job reads no table 'order' (sources: orders); "
        "did you mean 'orders'? (at /tests/0/given/order)",
        "jobs/a.test.yaml:8:16: orders.id: 'x' is not a BIGINT (at /tests/0/given/orders/0/id)",
        "jobs/a.test.yaml:8:19: orders has no column 'custmer'; did you mean 'customer'? "
        "(at /tests/0/given/orders/0/custmer)",
        "jobs/a.test.yaml:8:31: orders.day is computed by the job: it cannot be given "
        "(at /tests/0/given/orders/0/day)",
        "jobs/a.test.yaml:11:32: totals.total: 'abc' is not a DECIMAL(38, 2) "
        "(at /tests/0/expect/totals/0/total)",
    ]


def test_schema_errors_are_located(make_project, tmp_path: Path) -> None:
    root = project(make_project, "job: totals\ntests:\n  - name: x\n    gven: {}\n")
    tests, problems = load_test_files([root / "jobs/a.test.yaml"], root)
    assert tests == []
    assert "jobs/a.test.yaml:4:5: unknown key 'gven'; did you mean 'given'? (at /tests/0/gven)" in [
        str(p) for p in problems
    ]


def test_rewrite_keeps_schema_watermark_and_view_and_replaces_connectors() -> None:
    tables = read_job_tables("totals", SQL)
    out = rewrite_statements(tables, {"orders": "file:///d/orders"}, {"totals": "id:totals"})
    assert out[0] == (
        "CREATE TABLE orders (id BIGINT, customer INT, amount DECIMAL(10, 2), ts TIMESTAMP(3), "
        "day AS CAST(ts AS DATE), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH "
        "('connector' = 'filesystem', 'path' = 'file:///d/orders', 'format' = 'json')"
    )
    assert "PRIMARY KEY (customer) NOT ENFORCED" in out[1]
    assert out[1].endswith("WITH ('connector' = 'print', 'print-identifier' = 'id:totals')")
    assert out[2:] == list(tables.statements[2:])  # the job's own text


def _want(values: dict[str, object], op: Op | None = None) -> ExpectedRow:
    return ExpectedRow(values, op, "t.test.yaml:9")


def test_final_rows_upsert_by_key_and_retract_without() -> None:
    log = [(Op.INSERT, {"k": 1, "v": 1}), (Op.UPDATE_BEFORE, {"k": 1, "v": 1})]
    log += [(Op.UPDATE_AFTER, {"k": 1, "v": 2}), (Op.INSERT, {"k": 2, "v": 5})]
    assert final_rows(log, ("k",)) == [{"k": 1, "v": 2}, {"k": 2, "v": 5}]
    assert final_rows(log, ()) == [{"k": 1, "v": 2}, {"k": 2, "v": 5}]
    assert final_rows([*log, (Op.DELETE, {"k": 2, "v": 5})], ()) == [{"k": 1, "v": 2}]


def test_diff_shows_missing_unexpected_and_changed_columns() -> None:
    exp = Expectation("totals", ())
    got = [(Op.INSERT, {"k": 1, "v": Decimal("2.50")}), (Op.INSERT, {"k": 3, "v": Decimal(1)})]
    wants = (_want({"k": 1, "v": Decimal("2.5")}), _want({"k": 2, "v": Decimal(1)}))
    assert diff_table(exp, wants[:1], got[:1], ("k",)).ok  # 2.5 == 2.50
    diff = diff_table(exp, (_want({"k": 1, "v": Decimal(3)}), wants[1]), got, ("k",))
    assert diff == TableDiff(
        "totals",
        missing=("{k: 2, v: 1}  (t.test.yaml:9)",),
        unexpected=("{k: 3, v: 1}",),
        changed=("{k: 1} v: expected 3, got 2.50  (t.test.yaml:9)",),
    )


def test_ordered_changelog_compares_positions() -> None:
    exp = Expectation("t", (), changelog=True, ordered=True)
    got = [(Op.INSERT, {"k": 1}), (Op.DELETE, {"k": 1})]
    assert diff_table(exp, (_want({"k": 1}, Op.INSERT), _want({"k": 1}, Op.DELETE)), got, ()).ok
    swapped = diff_table(exp, (_want({"k": 1}, Op.DELETE), _want({"k": 1}, Op.INSERT)), got, ())
    assert swapped.missing == ("#1 -D {k: 1}  (t.test.yaml:9)", "#2 +I {k: 1}  (t.test.yaml:9)")


def test_junit_xml_has_the_shape_ci_systems_read() -> None:
    diff = TableDiff("t", missing=("{k: 1}",))
    results = [
        SqlTestResult("job-a", "ok", "a.test.yaml:3", Outcome.PASSED, 1.5),
        SqlTestResult("job-a", "bad", "a.test.yaml:9", Outcome.FAILED, 2.0, diffs=(diff,)),
        SqlTestResult("job-b", "boom", "b.test.yaml:3", Outcome.ERROR, 0.5, error="FAILED: x"),
    ]
    root = ET.fromstring(to_junit(results, 4.0))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "1")
    suites = root.findall("testsuite")
    assert [(s.get("name"), s.get("file")) for s in suites] == [
        ("job-a", "a.test.yaml"),
        ("job-b", "b.test.yaml"),
    ]
    # junit-10.xsd (Jenkins, surefire) allows these testcase attributes only
    allowed = {"name", "time", "classname", "group"}
    assert all(set(c.attrib) <= allowed for s in suites for c in s.findall("testcase"))
    cases = [c for s in suites for c in s.findall("testcase")]
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("job-a", "ok"),
        ("job-a", "bad"),
        ("job-b", "boom"),
    ]
    assert cases[0].find("failure") is None
    failure = cases[1].find("failure")
    assert failure is not None and "missing    {k: 1}" in (failure.text or "")
    error = cases[2].find("error")
    assert error is not None and error.get("message") == "FAILED: x"


def test_cli_refuses_a_bad_test_file_without_touching_a_cluster(make_project, monkeypatch) -> None:
    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("the cluster was touched")

    monkeypatch.setattr(httpx.Client, "send", refuse)
    root = project(make_project, GOOD.replace("customer: 7, n", "customer: 7, nn"))
    result = CliRunner().invoke(cli_main, ["test", "--project", str(root)])
    assert result.exit_code == 1
    assert "jobs/a.test.yaml:9:25: totals has no column 'nn'" in result.output


def test_an_options_hint_on_a_replaced_source_is_dropped_other_hints_stay() -> None:
    sql = SQL.replace(
        "FROM big GROUP BY",
        "FROM orders /*+ OPTIONS('scan.startup.mode'='earliest-offset', 'x'='a)b') */ "
        "JOIN big /*+ OPTIONS('k'='v') */ ON TRUE GROUP BY",
    )
    tables = read_job_tables("totals", sql)
    out = rewrite_statements(tables, {"orders": "file:///d"}, {"totals": "id"})
    assert out[3].endswith("FROM orders JOIN big /*+ OPTIONS('k'='v') */ ON TRUE GROUP BY customer")


def test_tests_in_a_job_spec_load_and_are_located_in_it(make_project) -> None:
    from flinkops.sqltest import load_spec_tests

    tests_yaml = "\n".join(GOOD.splitlines()[1:]).replace("n: 1", "nope: 1")  # drop `job:`
    root = make_project({"jobs/a.yaml": job_yaml("totals", sql=SQL) + tests_yaml + "\n"})
    proj = load_project(root, env={})
    tests, problems = load_spec_tests([s.path for s in proj.jobs], root)
    assert problems == [] and [(t.job, t.name) for t in tests] == [("totals", "sums")]
    assert (
        proj.jobs[0].spec_hash
        == load_project(  # tests are not part of the job's hash
            make_project({"jobs/a.yaml": job_yaml("totals", sql=SQL)}), env={}
        )
        .jobs[0]
        .spec_hash
    )
    _, found = prepare_all(tests, proj.jobs)
    [problem] = found
    assert str(problem).startswith("jobs/a.yaml:")
    assert str(problem) == (
        "jobs/a.yaml:23:25: totals has no column 'nope' (at /tests/0/expect/totals/0/nope)"
    )


def test_stdout_is_read_past_the_rest_apis_cache_of_an_earlier_read() -> None:
    """Flink's REST API serves a TaskManager's stdout from a cache for its refresh
    interval; a test that ended after an earlier read was cached must not get that copy
    (a fault a real cluster shows only by chance, so the cache is played here)."""
    import time as clock

    from flinkops.flink.rest import FlinkClient
    from flinkops.sqltest._run import StdoutReader

    printed = ["a> +I[1]"]
    cache: dict[str, tuple[float, str]] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/config":
            return httpx.Response(200, json={"flink-version": "2.3.0", "refresh-interval": 300})
        now = clock.monotonic()
        if "stdout" not in cache or cache["stdout"][0] + 0.3 <= now:
            cache["stdout"] = (now, "\n".join(printed))
        return httpx.Response(200, text=cache["stdout"][1])

    with FlinkClient("http://flink", transport=httpx.MockTransport(handler)) as client:
        reader = StdoutReader(client)
        assert reader.ttl == 0.3
        assert reader.read("tm", ended=clock.monotonic()) == "a> +I[1]"  # caches it
        printed.append("b> +I[2]")  # a second test prints, and ends
        assert reader.read("tm", ended=clock.monotonic()).splitlines() == ["a> +I[1]", "b> +I[2]"]
