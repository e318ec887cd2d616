"""Column lineage within one job (issue 4): the sources of each sink column, through
expressions, windows, UNNEST, MATCH_RECOGNIZE, views and joins, and the kind of each edge."""

from __future__ import annotations

from flinkops.sql.lineage import lineage_of_sql

from .lineage_helpers import columns, run


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


def test_temporal_and_interval_joins() -> None:
    got = run(
        "INSERT INTO s SELECT o.id, c.country FROM orders AS o "
        "JOIN customers FOR SYSTEM_TIME AS OF o.ts AS c ON o.customer = c.name"
    )
    assert columns(got) == {"s.id": ["orders.id"], "s.country": ["customers.country"]}


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
