"""What the lineage tests share: a source schema to query, running SQL against it, a
job's column lineage as a plain dict, and two jobs linked through a file (WRITER, READER)."""

from __future__ import annotations

from flinkops.sql.lineage import JobLineage, lineage_of_sql

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


def columns(lineage: JobLineage) -> dict[str, list[str]]:
    """Each sink column (``table.column``) to its source columns."""
    return {c.sink: list(c.sources) for c in lineage.columns}


def run(sql: str) -> JobLineage:
    """Lineage of ``sql`` run after ORDERS (tables ``orders`` and ``customers``)."""
    return lineage_of_sql(ORDERS + sql, "job")
