"""Lineage renderers against golden text, and the `flinkops lineage` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from flinkops.cli import main
from flinkops.sql.lineage import Lineage, project_lineage
from flinkops.sql.render import to_dot, to_mermaid, to_text

from .lineage_helpers import READER, WRITER


@pytest.fixture
def lineage() -> Lineage:
    return project_lineage([("writer", WRITER), ("reader", READER)])


def test_text(lineage: Lineage) -> None:
    assert to_text(lineage.to_json()) == (
        "reader:\n"
        "  report <- landed\n"
        "    report.id <- landed.id  [identity]\n"
        "    report.total <- landed.cents  [SUM]\n"
        "writer:\n"
        "  out <- src\n"
        "    out.cents <- src.amount  [expression]\n"
        "    out.id <- src.id  [identity]\n"
        "between jobs:\n"
        "  writer: out -> reader: landed  (filesystem:path=file:///tmp/x)"
    )


def test_text_without_inserts() -> None:
    empty = project_lineage([("j", "CREATE TABLE t (a INT);")])
    assert to_text(empty.to_json()) == "No INSERT statements: nothing to trace."


def test_dot(lineage: Lineage) -> None:
    assert to_dot(lineage) == "\n".join(
        [
            "digraph lineage {",
            "  rankdir=LR;",
            "  node [shape=box];",
            "  subgraph cluster_0 {",
            '    label="reader";',
            '    n_reader__landed [label="landed"];',
            '    n_reader__report [label="report"];',
            "  }",
            "  subgraph cluster_1 {",
            '    label="writer";',
            '    n_writer__out [label="out"];',
            '    n_writer__src [label="src"];',
            "  }",
            '  n_reader__landed -> n_reader__report [label="SUM, identity"];',
            '  n_writer__src -> n_writer__out [label="expression, identity"];',
            '  n_writer__out -> n_reader__landed [style=dashed, label="filesystem:path=file:///tmp/x"];',
            "}",
        ]
    )


def test_mermaid(lineage: Lineage) -> None:
    assert to_mermaid(lineage) == "\n".join(
        [
            "flowchart LR",
            '  subgraph job_0["reader"]',
            '    n_reader__landed["landed"]',
            '    n_reader__report["report"]',
            "  end",
            '  subgraph job_1["writer"]',
            '    n_writer__out["out"]',
            '    n_writer__src["src"]',
            "  end",
            '  n_reader__landed -->|"SUM, identity"| n_reader__report',
            '  n_writer__src -->|"expression, identity"| n_writer__out',
            '  n_writer__out -.->|"filesystem:path=file:///tmp/x"| n_reader__landed',
        ]
    )


def test_mermaid_escapes_quotes_in_names() -> None:
    odd = project_lineage([("j", 'INSERT INTO `a"b` SELECT x FROM c')])
    assert 'n_j__a_b["a#quot;b"]' in to_mermaid(odd)


def test_cli_on_sql_files(tmp_path: Path) -> None:
    (tmp_path / "writer.sql").write_text(WRITER)
    (tmp_path / "reader.sql").write_text(READER)
    paths = [str(tmp_path / "writer.sql"), str(tmp_path / "reader.sql")]
    runner = CliRunner()
    result = runner.invoke(main, ["lineage", *paths, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["jobs"][0]["to_job"] == "reader"
    result = runner.invoke(main, ["lineage", *paths, "--impact", "src.amount"])
    assert result.output.splitlines() == [
        "reader: landed.cents",
        "reader: report.total",
        "writer: out.cents",
    ]
    result = runner.invoke(main, ["lineage", *paths, "--column", "report.id", "--format", "json"])
    assert json.loads(result.output) == {
        "column": "report.id",
        "upstream": ["reader: landed.id", "writer: out.id", "writer: src.id"],
    }
    result = runner.invoke(main, ["lineage", *paths, "--format", "mermaid"])
    assert result.output.startswith("flowchart LR\n")


def test_cli_reports_bad_sql_at_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sql"
    bad.write_text("CREATE TABLE a (x INT);\nINSERT INTO b\nSELECT x FROM a WHERE;\n")
    result = CliRunner().invoke(main, ["lineage", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3:17: bad: incomplete WHERE clause" in result.output
    assert "Traceback" not in result.output


EXAMPLES = Path(__file__).parents[3]


@pytest.mark.skipif(
    not (EXAMPLES / "flinkops.yaml").is_file(), reason="example project not present"
)
def test_cli_on_the_example_project_draws_the_cross_job_edge() -> None:
    result = CliRunner().invoke(main, ["lineage", "--project", str(EXAMPLES), "--format", "json"])
    assert result.exit_code == 0, result.output
    edges = json.loads(result.output)["jobs"]
    assert edges, "the example jobs should share a filesystem table"


def test_json_output_follows_the_lineage_schema(lineage: Lineage) -> None:
    import jsonschema

    import flinkops

    schema_path = Path(flinkops.__file__).parent / "schemas" / "lineage.schema.json"
    schema = json.loads(schema_path.read_text())
    jsonschema.validate(lineage.to_json(), schema)
    warned = project_lineage([("j", "INSERT INTO s SELECT a FROM t")]).to_json()
    jsonschema.validate(warned, schema)
    assert warned["warnings"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--impact", "nosuch.col"], "--impact nosuch.col: no table 'nosuch' in the lineage"),
        (
            ["--impact", "src.nothing"],
            "--impact src.nothing: table 'src' has no column 'nothing' in the lineage "
            "(columns: amount, id)",
        ),
        (["--column", "report"], "--column report: 'report' is not TABLE.COL"),
        (["--impact", "nojob: src.id"], "--impact nojob: src.id: no job 'nojob'"),
    ],
)
def test_cli_names_a_table_or_column_that_does_not_exist(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    """Issue 22: an unknown column printed "Nothing downstream" and exited 0."""
    (tmp_path / "writer.sql").write_text(WRITER)
    (tmp_path / "reader.sql").write_text(READER)
    paths = [str(tmp_path / "writer.sql"), str(tmp_path / "reader.sql")]
    result = CliRunner().invoke(main, ["lineage", *paths, *args])
    assert result.exit_code == 1, result.output
    assert expected in result.output
    assert "Nothing" not in result.output


def test_cli_says_nothing_downstream_of_a_column_that_exists(tmp_path: Path) -> None:
    (tmp_path / "reader.sql").write_text(READER)
    result = CliRunner().invoke(
        main, ["lineage", str(tmp_path / "reader.sql"), "--impact", "report.total"]
    )
    assert result.exit_code == 0, result.output
    assert result.output == "Nothing downstream of report.total.\n"
