"""Table lineage within one job: the tables each INSERT reads, statement sets, names as
declared or qualified by the current catalog, and warnings or located errors instead of a crash."""

from __future__ import annotations

import pytest

from flinkops.errors import SqlError
from flinkops.sql.lineage import lineage_of_sql

from .lineage_helpers import columns, run


def test_tables_read_only_in_a_where_subquery_are_table_sources() -> None:
    got = run("INSERT INTO s SELECT id FROM orders WHERE customer IN (SELECT name FROM customers)")
    assert got.tables[0].sources == ("customers", "orders")
    assert columns(got) == {"s.id": ["orders.id"]}


def test_every_insert_of_a_statement_set_counts() -> None:
    sql = (
        "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT id FROM orders; "
        "INSERT INTO b SELECT name FROM customers; END;"
        "BEGIN STATEMENT SET; INSERT INTO c SELECT amount FROM orders; END;"
    )
    got = run(sql)
    assert [(t.sink, t.sources) for t in got.tables] == [
        ("a", ("orders",)),
        ("b", ("customers",)),
        ("c", ("orders",)),
    ]


def test_a_view_reading_itself_does_not_loop() -> None:
    got = lineage_of_sql("CREATE VIEW v AS SELECT a FROM v;\nINSERT INTO s SELECT a FROM v", "j")
    assert [t.sources for t in got.tables] == [("v",)]


def test_names_are_written_as_declared_without_catalog_prefix() -> None:
    sql = "CREATE TABLE `Sink` (`Amount` DECIMAL(10, 2)) WITH ('connector' = 'print');"
    got = run(sql + "INSERT INTO sink SELECT amount FROM orders")
    assert columns(got) == {"Sink.Amount": ["orders.amount"]}


def test_insert_into_a_qualified_name_matches_the_declared_table() -> None:
    sql = """
    CREATE TABLE s (id INT) WITH ('connector' = 'datagen');
    CREATE TABLE t (id INT, n INT) WITH ('connector' = 'print');
    INSERT INTO default_catalog.default_database.t SELECT id, id + 1 FROM s;
    """
    lineage = lineage_of_sql(sql, "j")
    assert lineage.warnings == ()
    assert [t.sink for t in lineage.tables] == ["t"]
    assert columns(lineage) == {"t.id": ["s.id"], "t.n": ["s.id"]}


def test_use_catalog_and_database_qualify_later_names() -> None:
    sql = """
    CREATE CATALOG c WITH ('type' = 'generic_in_memory', 'default-database' = 'd0');
    USE CATALOG c;
    CREATE TABLE s (id INT) WITH ('connector' = 'datagen');
    USE default_catalog.default_database;
    CREATE TABLE t (id INT) WITH ('connector' = 'print');
    INSERT INTO t SELECT id FROM c.d0.s;
    """
    lineage = lineage_of_sql(sql, "j")
    assert lineage.warnings == ()
    assert columns(lineage) == {"t.id": ["s.id"]}


def test_unknown_tables_and_table_functions_give_what_is_known_and_a_warning() -> None:
    got = lineage_of_sql(
        "INSERT INTO s SELECT c.x, T.w, my_udf(c.y) AS z FROM cat.db.events AS c, "
        "LATERAL TABLE(explode(c.arr)) AS T(w)",
        "job",
    )
    assert columns(got) == {
        "s.x": ["cat.db.events.x"],
        "s.w": ["cat.db.events.arr"],
        "s.z": ["cat.db.events.y"],
    }
    assert any("cat.db.events is not declared" in w for w in got.warnings)
    assert any("table function explode" in w.lower() for w in got.warnings)
    assert any("sink table s is not declared" in w for w in got.warnings)


def test_a_missing_column_is_a_warning_not_a_crash() -> None:
    got = run("INSERT INTO s SELECT nope FROM orders")
    assert columns(got) == {"s.nope": []}
    assert got.warnings[0] == "column nope is not found in the tables of its query"


def test_bad_sql_is_a_located_error() -> None:
    with pytest.raises(SqlError) as info:
        lineage_of_sql("CREATE TABLE a (x INT);\nINSERT INTO b\nSELECT x FROM a WHERE;", "j")
    assert (info.value.line, info.value.col) == (3, 17)
