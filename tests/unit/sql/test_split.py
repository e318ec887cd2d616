"""Statement splitting on the Flink tokenizer, and check_sql's located errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from flinkops.errors import SqlError
from flinkops.sql import Statement, check_sql, split_statements

CORPUS = Path(__file__).parent / "corpus"


def test_semicolons_inside_strings_comments_and_identifiers_do_not_split() -> None:
    sql = "SELECT ';\n';\nSELECT /*;\n'*/ 1;\nSELECT --;\n1;\n  `x;`;"
    assert split_statements(sql) == [
        Statement("SELECT ';\n'", 1, 1),
        Statement("SELECT /*;\n'*/ 1", 3, 1),
        Statement("SELECT --;\n1", 5, 1),
        Statement("`x;`", 7, 3),
    ]


def test_doubled_quote_escapes_and_missing_final_semicolon() -> None:
    assert split_statements("SELECT 'it''s;' AS a ;  SELECT 2") == [
        Statement("SELECT 'it''s;' AS a", 1, 1),
        Statement("SELECT 2", 1, 25),
    ]


def test_comment_only_chunks_and_empty_statements_are_dropped() -> None:
    sql = "-- header\n;;\n/* nothing */;\nSELECT 1; -- trailing\n"
    assert split_statements(sql) == [Statement("SELECT 1", 4, 1)]
    assert split_statements("") == []
    assert split_statements("-- only a comment") == []


def test_execute_statement_set_block_is_one_statement() -> None:
    sql = (
        "EXECUTE STATEMENT SET\nBEGIN\n"
        "INSERT INTO a SELECT 1;\nINSERT INTO b SELECT 'END;';\nEND;\nSELECT 3;"
    )
    statements = split_statements(sql)
    assert [s.line for s in statements] == [1, 6]
    assert statements[0].text.endswith("'END;';\nEND")
    assert statements[1].text == "SELECT 3"


def test_statement_set_without_execute_is_one_block() -> None:
    sql = "STATEMENT SET BEGIN INSERT INTO a SELECT 1; END"
    assert [s.text for s in split_statements(sql)] == [sql]


def test_begin_statement_set_and_end_are_statements_of_their_own() -> None:
    sql = "BEGIN STATEMENT SET;\nINSERT INTO a SELECT 1;\nEND;"
    assert [s.text for s in split_statements(sql)] == [
        "BEGIN STATEMENT SET",
        "INSERT INTO a SELECT 1",
        "END",
    ]


@pytest.mark.parametrize(
    ("sql", "line", "col", "what"),
    [
        ("SELECT 1;\n  SELECT 'abc", 2, 10, "string literal"),
        ("SELECT 1;\n/* open\nSELECT 2;", 2, 1, "comment"),
        ("SELECT `abc FROM t;", 1, 8, "backtick identifier"),
    ],
)
def test_unterminated_string_or_comment_is_a_located_error(
    sql: str, line: int, col: int, what: str
) -> None:
    with pytest.raises(SqlError) as info:
        split_statements(sql)
    assert (info.value.line, info.value.col) == (line, col)
    assert what in info.value.message


def test_check_sql_locates_errors_in_the_script() -> None:
    assert check_sql("SELECT 1;\nSELECT a FROM t;") == []
    errors = check_sql("SELECT 1;\n\n  SELECT *\n  FROM WHERE;")
    assert len(errors) == 1
    assert (errors[0].line, errors[0].col) == (4, 8)
    assert "WHERE" in errors[0].message


def test_check_sql_reports_unterminated_string_instead_of_raising() -> None:
    errors = check_sql("SELECT 'abc")
    assert [(e.line, e.col) for e in errors] == [(1, 8)]


def test_corpus_statement_counts_match_the_index() -> None:
    rows = list(csv.DictReader((CORPUS / "features.tsv").open(), delimiter="\t"))
    assert len(rows) == 111
    for row in rows:
        statements = split_statements((CORPUS / row["file"]).read_text())
        assert len(statements) == int(row["statements"]), row["file"]


def test_a_trailing_comma_in_the_select_list_is_an_error() -> None:
    errors = check_sql("SELECT a,\nFROM t")
    assert [(e.line, e.col) for e in errors] == [(2, 1)]
    assert "trailing comma" in errors[0].message


@pytest.mark.parametrize("sql", ["FOO BAR", "orders", "1 + 1"])
def test_a_bare_expression_is_not_a_statement(sql: str) -> None:
    errors = check_sql(f"SELECT 1;\n{sql};")
    assert [(e.line, e.col) for e in errors] == [(2, 1)]
    assert "does not start a Flink SQL statement" in errors[0].message


def test_error_messages_name_the_problem_not_sqlglot_internals() -> None:
    assert "the end of the statement" in check_sql("INSERT INTO")[0].message
    assert check_sql("SELECT a FROM t WHERE")[0].message.startswith("incomplete WHERE clause")


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT TIMESTAMPDIFF(DAY, a) FROM t;", "TIMESTAMPDIFF takes (unit, start, end)"),
        ("INSERT INTO SELECT 1;", "Expected the name of the table to insert into"),
        ("CREATE TABLE t2 LIKE t (EXCLUDING", "Expected what EXCLUDING applies to"),
        ("INSERT INTO nexmark_q19;", "Expected a query or VALUES after the INSERT's table"),
        ("SELECT a FROM ${TABLE};", "Flink SQL has no {...} literal"),
        ("EXECUTE;", "Expected STATEMENT SET, PLAN or an INSERT after EXECUTE"),
    ],
)
def test_inputs_the_fuzzer_found_are_located_errors(sql: str, message: str) -> None:
    [error] = check_sql("SELECT 1;\n" + sql)
    assert message in str(error)
    assert error.line == 2


@pytest.mark.parametrize("after", [")", ", DESCRIPTOR(ts), INTERVAL '5' MINUTE)"])
def test_partition_by_of_a_table_argument_needs_a_column(after: str) -> None:
    # Found by mypy: the missing column was kept as None, the statement passed and
    # regenerated without its PARTITION BY.
    [error] = check_sql(f"SELECT * FROM TABLE(SESSION(TABLE t PARTITION BY{after});")
    assert "Expected a column after PARTITION BY" in error.message
    assert error.line == 1
