"""Lineage rules (issue 4), each on SQL written here, plus hand-checked corpus recipes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flinkops.errors import SqlError
from flinkops.sql import split_statements
from flinkops.sql.lineage import (
    JobLineage,
    connector_identity,
    diff_lineage,
    lineage_of_sql,
    project_lineage,
)

from .corpus_known_invalid import KNOWN_INVALID

CORPUS = Path(__file__).parent / "corpus"

ORDERS = """
CREATE TABLE orders (
  id BIGINT, customer STRING, amount DECIMAL(10, 2), ts TIMESTAMP(3),
  info ROW<city STRING, zip STRING>, tags ARRAY<STRING>,
  net AS amount * 0.8,
  kafka_ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  part INT METADATA FROM 'partition',
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'orders');
CREATE TABLE customers (name STRING, country STRING) WITH ('connector' = 'jdbc');
"""


def columns(lineage: JobLineage) -> dict[str, list[str]]:
    return {c.sink: list(c.sources) for c in lineage.columns}


def run(sql: str) -> JobLineage:
    return lineage_of_sql(ORDERS + sql, "job")


def test_expression_sources_include_over_and_aggregate_arguments() -> None:
    got = run(
        "INSERT INTO s SELECT customer, SUM(amount) OVER (PARTITION BY id ORDER BY ts) AS x, "
        "UPPER(customer) || CAST(id AS STRING) AS y FROM orders"
    )
    assert columns(got) == {
        "s.customer": ["orders.customer"],
        "s.x": ["orders.amount", "orders.id", "orders.ts"],
        "s.y": ["orders.customer", "orders.id"],
    }


def test_where_join_on_group_by_and_having_are_not_sources() -> None:
    got = run(
        "INSERT INTO s SELECT o.customer, MAX(o.amount) AS m FROM orders o "
        "JOIN customers c ON o.customer = c.name WHERE c.country = 'NL' AND o.id > 3 "
        "GROUP BY o.customer HAVING COUNT(o.ts) > 1"
    )
    assert columns(got) == {"s.customer": ["orders.customer"], "s.m": ["orders.amount"]}
    assert got.tables[0].sources == ("customers", "orders")


def test_insert_column_list_maps_by_position_and_star_expands_declared_schema() -> None:
    sql = "CREATE TABLE s (a STRING, b STRING, c DECIMAL(10, 2)) WITH ('connector' = 'print');"
    got = run(sql + "INSERT INTO s (c, a) SELECT amount, customer FROM orders")
    assert columns(got) == {"s.c": ["orders.amount"], "s.a": ["orders.customer"]}
    star = run("INSERT INTO t SELECT * FROM customers")
    assert columns(star) == {"t.name": ["customers.name"], "t.country": ["customers.country"]}


def test_insert_without_column_list_writes_the_sinks_writable_columns() -> None:
    sql = (
        "CREATE TABLE s (x STRING, y AS UPPER(x), m INT METADATA VIRTUAL, z BIGINT) "
        "WITH ('connector' = 'print');"
    )
    got = run(sql + "INSERT INTO s SELECT customer, id FROM orders")
    assert columns(got) == {"s.x": ["orders.customer"], "s.z": ["orders.id"]}


def test_computed_metadata_and_nested_columns() -> None:
    got = run("INSERT INTO s SELECT net, kafka_ts, part, info.city, orders.info.zip FROM orders")
    assert columns(got) == {
        "s.net": ["orders.amount"],
        "s.kafka_ts": ["orders.kafka_ts"],
        "s.part": ["orders.part"],
        "s.city": ["orders.info"],
        "s.zip": ["orders.info"],
    }


def test_time_units_in_functions_are_not_columns() -> None:
    got = run(
        "INSERT INTO s SELECT TIMESTAMPADD(HOUR, 1, ts) AS a, TIMESTAMPDIFF(DAY, ts, ts) AS b, "
        "EXTRACT(DAY FROM ts) AS c FROM orders"
    )
    assert set(map(tuple, columns(got).values())) == {("orders.ts",)}
    assert not any("HOUR" in w or "DAY" in w for w in got.warnings)


def test_literals_and_count_star_have_no_sources() -> None:
    got = run("INSERT INTO s SELECT 'x' AS a, COUNT(*) AS n, CURRENT_TIMESTAMP AS t FROM orders")
    assert columns(got) == {"s.a": [], "s.n": [], "s.t": []}


def test_window_tvf_columns_derive_from_the_descriptor_column() -> None:
    got = run(
        "INSERT INTO s SELECT window_start, window_end, window_time, SUM(amount) AS total "
        "FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)) "
        "GROUP BY window_start, window_end, window_time"
    )
    assert columns(got) == {
        "s.window_start": ["orders.ts"],
        "s.window_end": ["orders.ts"],
        "s.window_time": ["orders.ts"],
        "s.total": ["orders.amount"],
    }


def test_unnest_columns_derive_from_the_array() -> None:
    got = run("INSERT INTO s SELECT id, tag FROM orders CROSS JOIN UNNEST(tags) AS t (tag)")
    assert columns(got) == {"s.id": ["orders.id"], "s.tag": ["orders.tags"]}


def test_match_recognize_measures_and_partition_columns() -> None:
    got = run(
        "INSERT INTO s SELECT * FROM orders MATCH_RECOGNIZE (PARTITION BY customer ORDER BY ts "
        "MEASURES FIRST(A.ts) AS start_ts, LAST(B.amount) - A.amount AS delta "
        "ONE ROW PER MATCH PATTERN (A B+) DEFINE B AS B.amount > A.amount) AS m"
    )
    assert columns(got) == {
        "s.customer": ["orders.customer"],
        "s.start_ts": ["orders.ts"],
        "s.delta": ["orders.amount"],
    }


def test_views_ctes_subqueries_and_union_resolve_to_tables() -> None:
    got = run(
        "CREATE TEMPORARY VIEW big (who, how_much) AS SELECT customer, amount FROM orders "
        "WHERE amount > 100;"
        "INSERT INTO s WITH c AS (SELECT who, how_much * 2 AS twice FROM big) "
        "SELECT who, twice FROM (SELECT * FROM c) sub "
        "UNION ALL SELECT name, 0 FROM customers"
    )
    assert columns(got) == {
        "s.who": ["customers.name", "orders.customer"],
        "s.twice": ["orders.amount"],
    }
    assert got.tables[0].sources == ("customers", "orders")


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


def test_temporal_and_interval_joins() -> None:
    got = run(
        "INSERT INTO s SELECT o.id, c.country FROM orders AS o "
        "JOIN customers FOR SYSTEM_TIME AS OF o.ts AS c ON o.customer = c.name"
    )
    assert columns(got) == {"s.id": ["orders.id"], "s.country": ["customers.country"]}


def test_names_are_written_as_declared_without_catalog_prefix() -> None:
    sql = "CREATE TABLE `Sink` (`Amount` DECIMAL(10, 2)) WITH ('connector' = 'print');"
    got = run(sql + "INSERT INTO sink SELECT amount FROM orders")
    assert columns(got) == {"Sink.Amount": ["orders.amount"]}


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


# -- across jobs -------------------------------------------------------------------------

WRITER = """
CREATE TABLE src (id BIGINT, amount INT) WITH ('connector' = 'datagen');
CREATE TABLE out (id BIGINT, cents INT) WITH (
  'connector' = 'filesystem', 'path' = 'file:///tmp/x/', 'format' = 'json');
INSERT INTO out SELECT id, amount * 100 FROM src;
"""
READER = """
CREATE TABLE landed (id BIGINT, cents INT) WITH (
  'connector' = 'filesystem', 'path' = 'file:///tmp/x', 'format' = 'json');
CREATE TABLE report (id BIGINT, total BIGINT) WITH ('connector' = 'print');
INSERT INTO report SELECT id, SUM(cents) FROM landed GROUP BY id;
"""


def test_cross_job_edge_by_connector_identity_and_sorted_json() -> None:
    lineage = project_lineage([("reader", READER), ("writer", WRITER)])
    data = lineage.to_json()
    assert data["jobs"] == [
        {
            "from_job": "writer",
            "from_table": "out",
            "to_job": "reader",
            "to_table": "landed",
            "via": "filesystem:path=file:///tmp/x",
        }
    ]
    assert data["tables"] == [
        {"job": "reader", "sink": "report", "sources": ["landed"]},
        {"job": "writer", "sink": "out", "sources": ["src"]},
    ]
    assert [c["sink"] for c in data["columns"]] == [
        "report.id",
        "report.total",
        "out.cents",
        "out.id",
    ]
    assert data["warnings"] == []


def test_impact_follows_columns_into_other_jobs() -> None:
    lineage = project_lineage([("writer", WRITER), ("reader", READER)])
    assert lineage.impact("src.amount") == [
        "reader: landed.cents",
        "reader: report.total",
        "writer: out.cents",
    ]
    assert lineage.impact("writer: src.id") == [
        "reader: landed.id",
        "reader: report.id",
        "writer: out.id",
    ]
    assert lineage.upstream("report.total") == [
        "reader: landed.cents",
        "writer: out.cents",
        "writer: src.amount",
    ]
    assert lineage.impact("src.nothing") == []


@pytest.mark.parametrize(
    ("options", "identity"),
    [
        (
            {"connector": "filesystem", "path": "s3://b/x/", "format": "json"},
            "filesystem:path=s3://b/x",
        ),
        ({"connector": "upsert-kafka", "topic": "t", "key.format": "json"}, "kafka:topic=t"),
        ({"connector": "kafka", "topic": "t", "properties.group.id": "g"}, "kafka:topic=t"),
        ({"connector": "jdbc", "url": "jdbc:x", "table-name": "u"}, "jdbc:url=jdbc:x,table-name=u"),
        ({"connector": "datagen", "rows-per-second": "5"}, None),
        ({"connector": "print"}, None),
        ({}, None),
    ],
)
def test_connector_identity(options: dict[str, str], identity: str | None) -> None:
    assert connector_identity(options) == identity


def test_no_edge_without_a_shared_identity() -> None:
    other = READER.replace("file:///tmp/x", "file:///tmp/y")
    assert project_lineage([("writer", WRITER), ("reader", other)]).jobs == ()


def test_diff_lineage_reports_added_removed_and_resourced_sink_columns() -> None:
    old = lineage_of_sql(WRITER, "writer")
    assert not diff_lineage(old, old)
    assert diff_lineage(old, old).to_json() == {"added": [], "removed": [], "resourced": []}
    new = lineage_of_sql(
        WRITER.replace("cents INT)", "cents INT, note STRING)").replace(
            "SELECT id, amount * 100", "SELECT id + amount, 1, 'x'"
        ),
        "writer",
    )
    diff = diff_lineage(old, new)
    assert diff.to_json() == {
        "added": [{"job": "writer", "sink": "out.note", "sources": [], "kind": "expression"}],
        "removed": [],
        "resourced": [
            {"sink": "out.cents", "old": ["src.amount"], "new": []},
            {"sink": "out.id", "old": ["src.id"], "new": ["src.amount", "src.id"]},
        ],
    }
    assert [c.sink for c in diff_lineage(old, None).removed] == ["out.cents", "out.id"]
    assert [c.sink for c in diff_lineage(None, old).added] == ["out.cents", "out.id"]


# -- corpus recipes, checked by hand -----------------------------------------------------


def corpus_lineage(name: str) -> JobLineage:
    """Lineage of a corpus file without its statements known to be invalid."""
    text = (CORPUS / name).read_text()
    kept = [s.text for s in split_statements(text) if (name, s.line) not in KNOWN_INVALID]
    return lineage_of_sql(";\n".join(kept), name)


def test_recipe_statement_sets_column_lineage() -> None:
    got = corpus_lineage("cookbook__foundations_08_statement_sets.sql")
    assert columns(got) == {
        "offline_datawarehouse.browser": ["server_logs.user_agent"],
        "offline_datawarehouse.dt": ["server_logs.log_time"],
        "offline_datawarehouse.hour": ["server_logs.log_time"],
        "offline_datawarehouse.requests": [],
        "offline_datawarehouse.status_code": ["server_logs.status_code"],
        "realtime_aggregations.browser": ["server_logs.user_agent"],
        "realtime_aggregations.end_time": ["server_logs.log_time"],
        "realtime_aggregations.requests": [],
        "realtime_aggregations.status_code": ["server_logs.status_code"],
    }
    assert got.warnings == ()


def test_recipe_chained_windows_through_views() -> None:
    got = corpus_lineage("cookbook__aggregations_07_chained_windows.sql")
    assert columns(got) == {
        "avg_request_size_1m.avg_size": ["server_logs.size"],
        "avg_request_size_1m.window_end": ["server_logs.log_time"],
        "avg_request_size_1m.window_start": ["server_logs.log_time"],
        "avg_request_size_5m.avg_size": ["server_logs.size"],
        "avg_request_size_5m.window_end": ["server_logs.log_time"],
        "avg_request_size_5m.window_start": ["server_logs.log_time"],
    }


def test_recipe_current_watermark_window_tvf_over_a_view() -> None:
    got = corpus_lineage("cookbook__builtin_03_current_watermark.sql")
    assert columns(got) == {
        "late_usage_events.activity": ["mobile_usage.activity"],
        "late_usage_events.client_ip": ["mobile_usage.client_ip"],
        "late_usage_events.current_watermark": ["mobile_usage.log_time"],
        "late_usage_events.ingest_time": [],
        "late_usage_events.log_time": ["mobile_usage.log_time"],
        "unique_users_per_window.ip_addresses": ["mobile_usage.client_ip"],
        "unique_users_per_window.window_end": ["mobile_usage.log_time"],
        "unique_users_per_window.window_start": ["mobile_usage.log_time"],
    }


def test_recipe_like_copies_the_schema_for_select_star() -> None:
    got = corpus_lineage("cookbook__joins_03_kafka_join.sql")
    assert columns(got)["transactions.total"] == ["transactions_faker.total"]
    assert len([c for c in got.columns if c.sink.startswith("transactions.")]) == 4


def expected_table_lineage() -> list[dict[str, object]]:
    return json.loads((CORPUS / "expected_table_lineage.json").read_text())["entries"]


@pytest.mark.parametrize(
    "entry", expected_table_lineage(), ids=lambda e: f"{e['file']}:{e['statement_index']}"
)
def test_table_lineage_matches_the_hand_written_expectations(entry: dict[str, object]) -> None:
    got = corpus_lineage(str(entry["file"]))
    sources = {t.sink: list(t.sources) for t in got.tables}
    assert sources[str(entry["sink"])] == entry["sources"]


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.sql")))
def test_lineage_of_every_corpus_file_completes(name: str) -> None:
    got = corpus_lineage(name)
    assert all(c.sink.count(".") >= 1 for c in got.columns)


def test_a_view_reading_itself_does_not_loop() -> None:
    got = lineage_of_sql("CREATE VIEW v AS SELECT a FROM v;\nINSERT INTO s SELECT a FROM v", "j")
    assert [t.sources for t in got.tables] == [("v",)]


def test_unaliased_expressions_with_equal_automatic_names_map_by_position() -> None:
    sql = """
    CREATE TABLE r (device STRING, temp DOUBLE, hum DOUBLE, ts TIMESTAMP(3))
      WITH ('connector' = 'datagen');
    CREATE TABLE s (device STRING, ws TIMESTAMP(3), we TIMESTAMP(3), a DOUBLE, m DOUBLE,
      h DOUBLE) WITH ('connector' = 'blackhole');
    INSERT INTO s
    SELECT device, window_start, window_end, AVG(temp), MAX(temp), MAX(hum)
    FROM TABLE(TUMBLE(TABLE r, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
    GROUP BY device, window_start, window_end;
    """
    lineage = lineage_of_sql(sql, "j")
    assert lineage.warnings == ()
    assert columns(lineage) == {
        "s.a": ["r.temp"],
        "s.device": ["r.device"],
        "s.h": ["r.hum"],
        "s.m": ["r.temp"],
        "s.we": ["r.ts"],
        "s.ws": ["r.ts"],
    }


def test_nested_row_columns_no_longer_stop_lineage() -> None:
    sql = """
    CREATE TABLE p (name STRING, address ROW<city STRING, zip ROW<code STRING>>)
      WITH ('connector' = 'datagen');
    CREATE TABLE q (name STRING, city STRING) WITH ('connector' = 'blackhole');
    INSERT INTO q SELECT name, address.city FROM p;
    """
    assert columns(lineage_of_sql(sql, "j")) == {"q.city": ["p.address"], "q.name": ["p.name"]}


def test_each_column_edge_says_what_happened_on_it() -> None:
    sql = """
    CREATE TABLE o (id INT, amount DOUBLE, ts TIMESTAMP(3), net AS amount * 0.8)
      WITH ('connector' = 'datagen');
    CREATE TABLE s (id INT, total DOUBLE, doubled DOUBLE, n DOUBLE, up STRING, net DOUBLE)
      WITH ('connector' = 'blackhole');
    CREATE TABLE w (ws TIMESTAMP(3), c BIGINT, m DOUBLE) WITH ('connector' = 'blackhole');
    CREATE VIEW v AS SELECT id, SUM(amount) AS total, MAX(net) AS n, MIN(net) AS net
      FROM o GROUP BY id;
    INSERT INTO s SELECT id, total, total * 2, n, UPPER(CAST(id AS STRING)), net FROM v;
    INSERT INTO w SELECT window_start, COUNT(id), AVG(amount)
      FROM TABLE(TUMBLE(TABLE o, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
      GROUP BY window_start, window_end;
    """
    kinds = {
        c.sink: (c.to_json()["kind"], c.to_json().get("function"))
        for c in lineage_of_sql(sql, "j").columns
    }
    assert kinds == {
        "s.id": ("identity", None),
        "s.total": ("aggregation", "SUM"),
        "s.doubled": ("aggregation", "SUM"),  # an expression over an aggregate
        "s.n": ("aggregation", "MAX"),
        "s.up": ("expression", None),
        "s.net": ("aggregation", "MIN"),
        "w.ws": ("window time", None),
        "w.c": ("aggregation", "COUNT"),
        "w.m": ("aggregation", "AVG"),
    }


def test_a_sink_column_written_twice_keeps_the_stronger_kind() -> None:
    sql = """
    CREATE TABLE a (x INT) WITH ('connector' = 'datagen');
    CREATE TABLE s (x INT) WITH ('connector' = 'blackhole');
    INSERT INTO s SELECT x FROM a;
    INSERT INTO s SELECT x + 1 FROM a;
    """
    (column,) = lineage_of_sql(sql, "j").columns
    assert column.kind == "expression"


LAKE_WRITER = """
CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = 's3://bucket/wh/');
CREATE TABLE src (id INT, v INT) WITH ('connector' = 'datagen');
INSERT INTO lake.db.orders SELECT id, v FROM src;
"""
LAKE_READER = """
CREATE CATALOG lakehouse WITH ('type' = 'paimon', 'warehouse' = 's3://bucket/wh');
USE CATALOG lakehouse;
USE db;
INSERT INTO report SELECT id, SUM(v) FROM orders GROUP BY id;
"""


def test_jobs_using_one_catalog_table_under_catalogs_of_the_same_identity_are_linked() -> None:
    lineage = project_lineage([("writer", LAKE_WRITER), ("reader", LAKE_READER)])
    assert [e.to_json() for e in lineage.jobs] == [
        {
            "from_job": "writer",
            "from_table": "lake.db.orders",
            "to_job": "reader",
            "to_table": "orders",
            "via": "catalog:paimon:s3://bucket/wh/db.orders",
        }
    ]
    assert lineage.impact("src.v") == [
        "reader: orders.v",
        "reader: report.EXPR$1",  # report is undeclared: its columns come from the query
        "writer: lake.db.orders.v",
    ]


def test_a_catalog_of_another_location_or_in_memory_does_not_link() -> None:
    other = LAKE_READER.replace("s3://bucket/wh", "s3://other/wh")
    assert project_lineage([("writer", LAKE_WRITER), ("reader", other)]).jobs == ()
    memory = LAKE_WRITER.replace("'paimon', 'warehouse' = 's3://bucket/wh/'", "'generic_in_memory'")
    reader = LAKE_READER.replace("'paimon', 'warehouse' = 's3://bucket/wh'", "'generic_in_memory'")
    assert project_lineage([("writer", memory), ("reader", reader)]).jobs == ()


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


def test_a_system_table_of_a_catalog_table_links_to_its_writer() -> None:
    reader = LAKE_READER.replace("FROM orders", "FROM `orders$changelog`")
    (edge,) = project_lineage([("writer", LAKE_WRITER), ("reader", reader)]).jobs
    assert (edge.to_table, edge.via) == (
        "orders$changelog",
        "catalog:paimon:s3://bucket/wh/db.orders",
    )
