"""The rehearsal's SQL (apply/rehearse/_sql.py): sinks become blackhole tables of the
columns the job writes, committing sources are guarded, anything that cannot be made
harmless is a problem (the rehearsal is skipped)."""

from __future__ import annotations

import sqlglot

from flinkops.apply.rehearse import rehearsal_sql

KAFKA_TO_FILES = """\
CREATE TABLE src (k INT, v INT) WITH (
  'connector' = 'kafka', 'topic' = 'orders', 'properties.group.id' = 'prod',
  'properties.enable.auto.commit' = 'true', 'format' = 'json'
);
CREATE TABLE snk (
  k INT, n BIGINT,
  ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
  part INT METADATA VIRTUAL
) PARTITIONED BY (k) WITH ('connector' = 'filesystem', 'path' = 'file:///out', 'format' = 'csv');
CREATE VIEW big AS SELECT * FROM src WHERE v > 1;
INSERT INTO snk SELECT k, COUNT(*), CURRENT_TIMESTAMP FROM big GROUP BY k;
"""


def _options(statement: str) -> dict[str, str]:
    tree = sqlglot.parse_one(statement, read="flink")
    props = tree.args["properties"].expressions
    return {p.this.this: p.args["value"].this for p in props}


def test_sinks_become_blackholes_of_the_written_columns() -> None:
    r = rehearsal_sql("j", KAFKA_TO_FILES, "flinkops-rehearsal-1")
    assert r.problem is None
    sink = r.statements[1]
    assert _options(sink) == {"connector": "blackhole"}
    # the persisted metadata column is written as a plain column; the virtual one is not written
    assert "ts TIMESTAMP_LTZ(3)" in sink and "METADATA" not in sink and "part" not in sink
    assert r.sinks == ("snk",)
    assert "snk (filesystem: replaced by blackhole)" in r.replaced


def test_kafka_sources_commit_nothing_under_a_group_of_their_own() -> None:
    r = rehearsal_sql("j", KAFKA_TO_FILES, "flinkops-rehearsal-1")
    options = _options(r.statements[0])
    assert options["properties.enable.auto.commit"] == "false"
    assert options["properties.commit.offsets.on.checkpoint"] == "false"
    assert options["properties.group.id"] == "flinkops-rehearsal-1"
    assert options["topic"] == "orders" and options["format"] == "json"


def test_views_and_inserts_are_the_jobs_own() -> None:
    r = rehearsal_sql("j", KAFKA_TO_FILES, "g")
    assert r.statements[2:] == (
        "CREATE VIEW big AS SELECT * FROM src WHERE v > 1",
        "INSERT INTO snk SELECT k, COUNT(*), CURRENT_TIMESTAMP FROM big GROUP BY k",
    )


def test_read_only_sources_stay_as_they_are() -> None:
    sql = (
        "CREATE TABLE src (k INT) WITH ('connector' = 'datagen');\n"
        "CREATE TABLE snk (k INT) WITH ('connector' = 'print');\n"
        "INSERT INTO snk SELECT k FROM src;\n"
    )
    r = rehearsal_sql("j", sql, "g")
    assert _options(r.statements[0]) == {"connector": "datagen"}
    assert r.replaced == ("snk (print: replaced by blackhole)",)


def test_paimon_sources_lose_their_consumer_id() -> None:
    sql = (
        "CREATE TABLE src (k INT) WITH ('connector' = 'paimon', 'path' = 'file:///t', "
        "'consumer-id' = 'prod');\n"
        "CREATE TABLE snk (k INT) WITH ('connector' = 'blackhole');\n"
        "INSERT INTO snk SELECT k FROM src;\n"
    )
    assert _options(rehearsal_sql("j", sql, "g").statements[0]) == {
        "connector": "paimon",
        "path": "file:///t",
    }


def test_unknown_source_connector_is_a_problem() -> None:
    sql = (
        "CREATE TABLE src (k INT) WITH ('connector' = 'pulsar');\n"
        "CREATE TABLE snk (k INT) WITH ('connector' = 'blackhole');\n"
        "INSERT INTO snk SELECT k FROM src;\n"
    )
    r = rehearsal_sql("j", sql, "g")
    assert r.statements == ()
    assert r.problem is not None and "'pulsar'" in r.problem


def test_catalog_tables_and_options_hints_are_problems() -> None:
    catalog = (
        "CREATE TABLE src (k INT) WITH ('connector' = 'datagen');\n"
        "INSERT INTO cat.db.t SELECT k FROM src;\n"
    )
    assert "cat.db.t" in (rehearsal_sql("j", catalog, "g").problem or "")
    hinted = (
        "CREATE TABLE src (k INT) WITH ('connector' = 'kafka');\n"
        "CREATE TABLE snk (k INT) WITH ('connector' = 'blackhole');\n"
        "INSERT INTO snk SELECT k FROM src /*+ OPTIONS('properties.group.id' = 'prod') */;\n"
    )
    assert "OPTIONS hint" in (rehearsal_sql("j", hinted, "g").problem or "")


def test_sql_that_does_not_parse_is_a_problem() -> None:
    assert "does not parse" in (rehearsal_sql("j", "CREATE TABLE (", "g").problem or "")
