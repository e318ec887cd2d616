"""The new lineage cases, each checked against Flink's own planner.

Every case's SQL is compiled by the session cluster (``jars/:id/plan``, the path
``plan`` uses): Flink accepts it, and the tables its planner scans, fully qualified
as Flink resolved them, are the ones flinkops's lineage names as sources.
"""

from __future__ import annotations

import re

import pytest

from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import compile_sql
from flinkops.sql import lineage_of_sql, split_statements

_SCAN = re.compile(r"TableSourceScan\(table=\[\[([^\]]+)\]")

CASES = {
    # USE CATALOG / USE, a catalog.db.table source, INSERT INTO a qualified declared sink
    "catalogs": (
        """
        CREATE CATALOG c WITH ('type' = 'generic_in_memory');
        CREATE DATABASE c.db;
        CREATE TABLE c.db.src (id INT, v BIGINT) WITH ('connector' = 'datagen');
        CREATE TABLE snk (id INT, v BIGINT) WITH ('connector' = 'blackhole');
        USE CATALOG c;
        USE db;
        INSERT INTO default_catalog.default_database.snk SELECT id, v FROM src;
        """,
        {"c.db.src"},
        {"snk.id": (["c.db.src.id"], "identity"), "snk.v": (["c.db.src.v"], "identity")},
    ),
    # two unaliased aggregates over one column: two sink columns, by position
    "avg-max": (
        """
        CREATE TABLE r (device STRING, temp DOUBLE, ts TIMESTAMP(3),
          WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'datagen');
        CREATE TABLE s (device STRING, ws TIMESTAMP(3), we TIMESTAMP(3), a DOUBLE, m DOUBLE)
          WITH ('connector' = 'blackhole');
        INSERT INTO s SELECT device, window_start, window_end, AVG(temp), MAX(temp)
        FROM TABLE(TUMBLE(TABLE r, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
        GROUP BY device, window_start, window_end;
        """,
        {"default_catalog.default_database.r"},
        {
            "s.device": (["r.device"], "identity"),
            "s.ws": (["r.ts"], "window time"),
            "s.we": (["r.ts"], "window time"),
            "s.a": (["r.temp"], "aggregation"),
            "s.m": (["r.temp"], "aggregation"),
        },
    ),
    # edge kinds through a view, and nested ROW columns
    "kinds-and-rows": (
        """
        CREATE TABLE o (id INT, amount DOUBLE,
          addr ROW<city STRING, geo ROW<lat DOUBLE, lon DOUBLE>>)
          WITH ('connector' = 'datagen');
        CREATE TABLE t (id INT, total DOUBLE, doubled DOUBLE, city STRING)
          WITH ('connector' = 'blackhole');
        CREATE VIEW v AS SELECT id, SUM(amount) AS total, MAX(addr.city) AS city
          FROM o GROUP BY id;
        INSERT INTO t SELECT id, total, total * 2, UPPER(city) FROM v;
        """,
        {"default_catalog.default_database.o"},
        {
            "t.id": (["o.id"], "identity"),
            "t.total": (["o.amount"], "aggregation"),
            "t.doubled": (["o.amount"], "aggregation"),
            "t.city": (["o.addr"], "aggregation"),
        },
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_lineage_case_against_flinks_planner(
    case: str, flink_client: FlinkClient, runner_jar_id: str
) -> None:
    sql, scanned, expected = CASES[case]
    statements = [s.text for s in split_statements(sql)]
    graph = compile_sql(flink_client, job_name=f"lineage-{case}", statements=statements)
    planner_sources = {
        ".".join(p.strip() for p in m.group(1).split(","))
        for node in graph["nodes"]
        for m in _SCAN.finditer(str(node.get("description", "")))
    }
    lineage = lineage_of_sql(sql, case)
    print(f"{case}: planner scans {sorted(planner_sources)}; lineage {lineage.to_json()}")
    assert planner_sources == scanned
    assert lineage.warnings == ()
    got = {c.sink: (list(c.sources), c.to_json()["kind"]) for c in lineage.columns}
    assert got == expected
