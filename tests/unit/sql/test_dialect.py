"""Round trips of Flink SQL through the `flink` dialect (sqlglot's validate_identity style)."""

from __future__ import annotations

import tomllib
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

import flinkops.sql  # noqa: F401  (registers the dialect)
from flinkops.sql._expressions import (
    AlterObject,
    AnalyzeTable,
    Call,
    CompilePlan,
    CreateCatalog,
    DropCatalog,
    ExecutePlan,
    Explain,
    JarStatement,
    MetadataColumnConstraint,
    ModuleStatement,
    Reset,
    StatementSet,
    StopJob,
    TableArgument,
    Utility,
)
from flinkops.sql.dialect import Flink


def validate_identity(sql: str, expected: str | None = None) -> exp.Expr:
    """Parse with Flink, regenerate, compare the text; the regenerated SQL parses the same."""
    tree = sqlglot.parse_one(sql, read="flink")
    generated = tree.sql(dialect="flink")
    assert generated == (expected or sql)
    assert sqlglot.parse_one(generated, read="flink") == tree
    return tree


PYPROJECT = Path(__file__).parents[3] / "pyproject.toml"


def test_dialect_is_registered_by_name() -> None:
    assert sqlglot.parse("SELECT 1; SELECT 2", read="flink")[1] == exp.select("2")


def test_installed_entry_point_resolves_to_the_dialect() -> None:
    """sqlglot finds ``flink`` through the installed package's entry point."""
    found = entry_points(group="sqlglot.dialects", name="flink")
    assert len(found) == 1, f"one sqlglot.dialects entry point named flink, found {found}"
    assert next(iter(found)).load() is Flink


def test_pyproject_entry_point_resolves_to_the_dialect() -> None:
    """The entry point as declared in pyproject.toml (what the next install writes)."""
    declared = tomllib.loads(PYPROJECT.read_text())["project"]["entry-points"]
    value = declared["sqlglot.dialects"]["flink"]
    assert EntryPoint("flink", value, "sqlglot.dialects").load() is Flink


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE t (a INT, b STRING) WITH ('connector' = 'kafka', 'topic' = 'x')",
        "CREATE TEMPORARY TABLE t (a INT) WITH ('connector' = 'datagen')",
        "CREATE TABLE IF NOT EXISTS cat.db.t (a INT) WITH ('connector' = 'print')",
        "CREATE TABLE t (a INT, b AS a * 2, c AS PROCTIME()) WITH ('connector' = 'datagen')",
        "CREATE TABLE t (ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)",
        "CREATE TABLE t (id INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'jdbc')",
        "CREATE TABLE t (a INT, dt STRING) PARTITIONED BY (dt) WITH ('connector' = 'filesystem')",
        "CREATE TABLE t (r ROW<name STRING, tags ARRAY<STRING>>, m MAP<STRING, BIGINT>)",
        "CREATE TABLE t (a TIMESTAMP_LTZ(3), b TIMESTAMP(6), c DECIMAL(10, 2), d BYTES)",
        "CREATE TABLE t2 WITH ('connector' = 'blackhole') LIKE t (EXCLUDING ALL)",
        "CREATE TABLE t2 (x INT) WITH ('a' = 'b') LIKE t (EXCLUDING OPTIONS INCLUDING GENERATED)",
        "CREATE TABLE t2 WITH ('connector' = 'print') AS SELECT a FROM t",
    ],
)
def test_create_table(sql: str) -> None:
    validate_identity(sql)


def test_metadata_columns() -> None:
    tree = validate_identity(
        "CREATE TABLE t (ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL, "
        "p INT METADATA VIRTUAL, o BIGINT METADATA)"
    )
    kinds = list(tree.find_all(MetadataColumnConstraint))
    assert [k.args.get("virtual") for k in kinds] == [True, True, False]
    validate_identity("CREATE TABLE t (u TIMESTAMP(3) METADATA FROM `value.source.timestamp`)")


def test_string_and_type_spellings() -> None:
    validate_identity("SELECT CAST(a AS STRING), CAST(b AS TIMESTAMP_LTZ(3)) FROM t")
    validate_identity(
        "CREATE TABLE t (a VARCHAR, b CHAR(3))", "CREATE TABLE t (a VARCHAR, b CHAR(3))"
    )
    validate_identity("CREATE TABLE t (b row<x string>)", "CREATE TABLE t (b ROW<x STRING>)")


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TEMPORARY VIEW v AS SELECT a FROM t",
        "CREATE VIEW v (x, y) AS SELECT a, b FROM t",
        "CREATE DATABASE IF NOT EXISTS db1",
        "USE CATALOG c1",
        "USE db1",
        "SET 'table.exec.state.ttl' = '1h'",
        "SET",
        "RESET 'execution.checkpointing.interval'",
        "RESET",
        "DROP TABLE IF EXISTS t",
    ],
)
def test_other_ddl_and_session_statements(sql: str) -> None:
    validate_identity(sql)


def test_reset_and_functions_and_catalogs() -> None:
    assert isinstance(validate_identity("RESET 'a.b'"), Reset)
    validate_identity("CREATE TEMPORARY FUNCTION f AS 'com.example.F' LANGUAGE JAVA")
    validate_identity("CREATE FUNCTION IF NOT EXISTS db.f AS 'udfs.f' LANGUAGE PYTHON")
    validate_identity("CREATE FUNCTION f AS 'com.example.F'")


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO t SELECT a FROM s",
        "INSERT INTO t (a, b) SELECT x, y FROM s",
        "INSERT OVERWRITE t SELECT a FROM s",
        "INSERT INTO t PARTITION(dt = '2024-01-01') SELECT a FROM s",
        "INSERT INTO t VALUES (1, 'a'), (2, 'b')",
    ],
)
def test_insert(sql: str) -> None:
    validate_identity(sql)


def test_insert_overwrite_keeps_flink_spelling() -> None:
    validate_identity(
        "INSERT OVERWRITE t PARTITION (dt='1') SELECT 1",
        "INSERT OVERWRITE t PARTITION(dt = '1') SELECT 1",
    )


@pytest.mark.parametrize("tvf", ["TUMBLE", "HOP", "CUMULATE"])
def test_window_tvfs_take_table_and_descriptor(tvf: str) -> None:
    sizes = "INTERVAL '1' MINUTE" if tvf == "TUMBLE" else "INTERVAL '1' MINUTE, INTERVAL '5' MINUTE"
    tree = validate_identity(
        f"SELECT window_start, COUNT(*) FROM TABLE({tvf}(TABLE t, DESCRIPTOR(ts), {sizes})) "
        "GROUP BY window_start, window_end"
    )
    assert tree.find(TableArgument).this.name == "t"


def test_session_window_with_partition_and_named_arguments() -> None:
    validate_identity(
        "SELECT * FROM TABLE(SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), INTERVAL '5' MINUTE))"
    )
    validate_identity(
        "SELECT * FROM TABLE(TUMBLE(DATA => TABLE t, TIMECOL => DESCRIPTOR(ts), "
        "SIZE => INTERVAL '10' MINUTE))"
    )


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT a, SUM(b) OVER (PARTITION BY a ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR "
        "PRECEDING AND CURRENT ROW) FROM t",
        "SELECT a, COUNT(b) OVER (PARTITION BY a ORDER BY ts ROWS BETWEEN 10 PRECEDING AND "
        "CURRENT ROW) FROM t",
        "SELECT * FROM o JOIN r FOR SYSTEM_TIME AS OF o.ts AS c ON o.k = c.k",
        "SELECT * FROM o LEFT JOIN r FOR SYSTEM_TIME AS OF o.proc_time ON o.k = r.k",
        "SELECT * FROM a, b WHERE a.id = b.id AND a.ts BETWEEN b.ts - INTERVAL '4' HOUR AND b.ts",
        "SELECT a, T.w FROM t, LATERAL TABLE(split(a)) AS T(w)",
        "SELECT a, T.w FROM t LEFT JOIN LATERAL TABLE(split(a)) AS T(w) ON TRUE",
        "SELECT a, x FROM t CROSS JOIN UNNEST(t.arr) AS u(x)",
        "SELECT * FROM t /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */ AS x",
        "SELECT /*+ BROADCAST(d) */ * FROM f JOIN d ON f.k = d.k",
        "SELECT INTERVAL '1' DAY, INTERVAL '10 00:00:00.004' DAY TO SECOND, INTERVAL '2' SECONDS",
        "SELECT `user`, `select` FROM `my table`",
        "WITH c AS (SELECT a FROM t) SELECT a FROM c UNION ALL SELECT a FROM u",
    ],
)
def test_queries(sql: str) -> None:
    validate_identity(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT TIMESTAMPDIFF(DAY, a, b), TIMESTAMPADD(HOUR, 1, ts)",
        "SELECT SUBSTRING(s FROM 1 FOR 2), TRIM(BOTH ' ' FROM s), TRIM(s)",
        "SELECT POSITION(a IN b), CHAR_LENGTH(s), ARRAY[1, 2], MAP['a', 1]",
        "SELECT CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_TIME, LOCALTIMESTAMP, NOW()",
        "SELECT INTERVAL '1-2' YEAR TO MONTH, INTERVAL '100' DAY(3), ts - INTERVAL '0.001' SECOND",
    ],
)
def test_functions_keep_flink_spelling(sql: str) -> None:
    validate_identity(sql)


def test_function_spellings_flink_lacks_are_rewritten() -> None:
    validate_identity("SELECT SUBSTR(s, 2, 3)", "SELECT SUBSTRING(s FROM 2 FOR 3)")


def test_match_recognize() -> None:
    sql = (
        "SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY s ORDER BY ts MEASURES A.p AS ap, "
        "LAST(B.p) AS bp ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW PATTERN (A B+) "
        "DEFINE B AS B.p > A.p)"
    )
    tree = validate_identity(f"{sql} AS m", f"{sql} m")
    assert isinstance(tree.args["match"], exp.MatchRecognize)


def test_match_recognize_within() -> None:
    sql = (
        "SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY s ORDER BY ts MEASURES A.p AS ap "
        "PATTERN (A B) WITHIN INTERVAL '1' HOUR DEFINE B AS B.p > A.p)"
    )
    tree = validate_identity(sql)
    assert tree.args["match"].args["within"].sql() == "INTERVAL '1' HOUR"


def test_statement_sets() -> None:
    tree = validate_identity(
        "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END",
        "EXECUTE STATEMENT SET\nBEGIN\nINSERT INTO a SELECT 1;\nINSERT INTO b SELECT 2;\nEND",
    )
    assert isinstance(tree, StatementSet)
    assert [i.this.name for i in tree.expressions] == ["a", "b"]
    assert isinstance(validate_identity("BEGIN STATEMENT SET"), Utility)
    assert isinstance(validate_identity("END"), Utility)


def test_explain_parses_the_statement_inside() -> None:
    tree = validate_identity("EXPLAIN PLAN FOR SELECT a FROM t")
    assert isinstance(tree, Explain) and isinstance(tree.this, exp.Select)
    tree = validate_identity("EXPLAIN CHANGELOG_MODE, PLAN_ADVICE INSERT INTO s SELECT a FROM t")
    assert isinstance(tree.this, exp.Insert)


@pytest.mark.parametrize(
    "sql",
    ["SHOW TABLES", "SHOW CREATE TABLE t", "DESCRIBE t", "DESC CATALOG EXTENDED c", "HELP", "QUIT"],
)
def test_sql_client_commands_keep_their_text(sql: str) -> None:
    assert type(validate_identity(sql)) is Utility


@pytest.mark.parametrize(
    ("sql", "node"),
    [
        ("CREATE CATALOG c WITH ('type' = 'generic_in_memory')", CreateCatalog),
        (
            "CREATE CATALOG IF NOT EXISTS lake COMMENT 'the lake' WITH ('type' = 'paimon', "
            "'warehouse' = 's3://bucket/wh')",
            CreateCatalog,
        ),
        ("DROP CATALOG IF EXISTS c", DropCatalog),
        ("ALTER CATALOG c SET ('default-database' = 'db')", AlterObject),
        ("ALTER CATALOG c RESET ('default-database', 'k1')", AlterObject),
        ("ALTER CATALOG c COMMENT 'it''s mine'", AlterObject),
        ("ALTER DATABASE db2 SET ('k1' = 'a')", AlterObject),
        ("ALTER TABLE t ADD x INT COMMENT 'id' FIRST", AlterObject),
        ("ALTER TABLE t ADD (ts AS TO_TIMESTAMP(s) AFTER s, PRIMARY KEY (id) NOT ENFORCED)", None),
        ("ALTER TABLE t ADD (WATERMARK FOR ts AS ts - INTERVAL '3' SECOND)", None),
        ("ALTER TABLE t MODIFY (a DOUBLE NOT NULL, b STRING AFTER a)", None),
        ("ALTER TABLE t MODIFY CONSTRAINT pk PRIMARY KEY (id) NOT ENFORCED", None),
        ("ALTER TABLE t DROP (a, b)", None),
        ("ALTER TABLE t DROP a", None),
        ("ALTER TABLE t DROP PRIMARY KEY", None),
        ("ALTER TABLE t DROP WATERMARK", None),
        ("ALTER TABLE t DROP CONSTRAINT pk", None),
        ("ALTER TABLE t DROP PARTITION(id = 1), PARTITION(id = 2)", None),
        (
            "ALTER TABLE t ADD PARTITION(p1 = 1, p2 = 'a') WITH ('k1' = 'v1') PARTITION(p1 = 2)",
            None,
        ),
        ("ALTER TABLE t RENAME a TO b", None),
        ("ALTER TABLE IF EXISTS t RENAME TO db.t2", None),
        ("ALTER TABLE t SET ('connector' = 'datagen')", None),
        ("ALTER TABLE t RESET ('scan.startup.mode')", None),
        ("ALTER VIEW v RENAME TO v2", None),
        ("ALTER VIEW v AS SELECT a FROM t", None),
        ("ALTER TEMPORARY SYSTEM FUNCTION f AS 'com.example.F' LANGUAGE JAVA", None),
        ("ALTER MATERIALIZED TABLE mt SUSPEND", None),
        ("ALTER MATERIALIZED TABLE mt RESUME WITH ('sink.parallelism' = '10')", None),
        ("ALTER MATERIALIZED TABLE mt REFRESH PARTITION(ds = '2024-06-28')", None),
        ("ANALYZE TABLE t COMPUTE STATISTICS", AnalyzeTable),
        ("ANALYZE TABLE t PARTITION(y = '2022', d) COMPUTE STATISTICS FOR ALL COLUMNS", None),
        ("ANALYZE TABLE t COMPUTE STATISTICS FOR COLUMNS a, b", None),
        ("LOAD MODULE hive WITH ('hive-version' = '3.1.3')", ModuleStatement),
        ("UNLOAD MODULE core", ModuleStatement),
        ("USE MODULES hive, core", ModuleStatement),
        ("ADD JAR '/tmp/x.jar'", JarStatement),
        ("REMOVE JAR '/tmp/x.jar'", JarStatement),
        ("STOP JOB '228d70913eab60dda85c5e7f78b5782c' WITH SAVEPOINT WITH DRAIN", StopJob),
        ("COMPILE PLAN '/p.json' IF NOT EXISTS FOR INSERT INTO s SELECT a FROM t", CompilePlan),
        ("EXECUTE PLAN 'file:///p.json'", ExecutePlan),
    ],
)
def test_catalog_alter_and_utility_statements_are_real_trees(sql: str, node: type | None) -> None:
    tree = validate_identity(sql)
    assert not isinstance(tree, exp.Command)
    assert node is None or type(tree) is node


@pytest.mark.parametrize(
    "sql",
    [
        "CALL `system`.generate_n(4)",
        "CALL `cat`.`system`.generate_user('yuxia', 18)",
        "CALL sys.compact(`table` => 'default.T', partitions => 'p=0', order_by => 'a,b')",
        "CALL sys.expire_snapshots(`table` => 'db.T', older_than => "
        "CAST('2024-01-01 12:00:00' AS TIMESTAMP), retain_max => 5)",
        "CALL p()",
    ],
)
def test_call_with_positional_named_backticked_and_cast_arguments(sql: str) -> None:
    tree = validate_identity(sql)
    assert isinstance(tree, Call)


def test_call_names_its_procedure_and_arguments() -> None:
    tree = validate_identity("CALL lake.sys.create_tag(`table` => 'db.T', tag => 'v1')")
    assert [p.name for p in tree.this.parts] == ["lake", "sys", "create_tag"]
    assert [a.this.name for a in tree.expressions] == ["table", "tag"]


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE t (a ROW<name STRING, address ROW<city STRING, zip STRING>>)",
        "CREATE TABLE t (b ARRAY<ROW<x INT, y MAP<STRING, ROW<z ARRAY<INT>>>>>)",
        "CREATE TABLE t (c MAP<STRING, ROW<y ARRAY<ROW<deep ROW<deeper STRING>>>>>)",
        "CREATE TABLE t (d ROW<x INT NOT NULL COMMENT 'the x'>)",
        "SELECT CAST(a AS ROW<x INT, y ROW<z STRING>>) FROM t",
    ],
)
def test_nested_types_at_any_depth(sql: str) -> None:
    validate_identity(sql)


def test_row_with_parentheses_is_a_type_in_ddl_and_a_value_in_queries() -> None:
    validate_identity(
        "CREATE TABLE t (a ROW(name STRING, b ROW(c INT)))",
        "CREATE TABLE t (a ROW<name STRING, b ROW<c INT>>)",
    )
    tree = validate_identity("SELECT ROW(a, b), ROW(1, 'x') FROM t")
    assert not list(tree.find_all(exp.DataType))


def test_semicolons_in_strings_stay_in_the_statement() -> None:
    assert len(sqlglot.parse("SELECT ';'; SELECT 2", read="flink")) == 2


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE t (a INT, b STRING) DISTRIBUTED BY HASH(a) INTO 4 BUCKETS "
        "WITH ('connector' = 'x')",
        "CREATE TABLE t (a INT) DISTRIBUTED BY (a) INTO 4 BUCKETS",
        "CREATE TABLE t (a INT) DISTRIBUTED INTO 4 BUCKETS",
        "CREATE TABLE t (a INT) COMMENT 'x' DISTRIBUTED BY RANGE(a) PARTITIONED BY (a) "
        "WITH ('connector' = 'x')",
        "CREATE MATERIALIZED TABLE mt PARTITIONED BY (ds) WITH ('format' = 'debezium-json') "
        "FRESHNESS = INTERVAL '10' SECOND AS SELECT k, ds FROM t",
        "CREATE MATERIALIZED TABLE mt FRESHNESS = INTERVAL '1' HOUR REFRESH_MODE = FULL "
        "AS SELECT k FROM t",
        "CREATE TABLE t2 WITH ('connector' = 'x') AS SELECT * FROM t",
        "CREATE TABLE t2 WITH ('connector' = 'blackhole') LIKE t (EXCLUDING ALL)",
    ],
)
def test_bucketing_freshness_ctas_and_like(sql: str) -> None:
    validate_identity(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SET execution.runtime-mode = batch",
        "SET table.exec.state.ttl = 1000",
        "SET 'table.exec.state.ttl' = '1000'",
    ],
)
def test_sql_client_set_with_unquoted_key_and_value(sql: str) -> None:
    assert isinstance(validate_identity(sql), exp.Set)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT JSON_OBJECT('k' VALUE v, 'n' VALUE 1) FROM t", None),
        ("SELECT JSON_OBJECT(KEY 'k' VALUE v) FROM t", "SELECT JSON_OBJECT('k' VALUE v) FROM t"),
        ("SELECT JSON_ARRAYAGG(v) FROM t", None),
        (
            "SELECT COUNT(*) FILTER (WHERE a > 1) FROM t",
            "SELECT COUNT(*) FILTER(WHERE a > 1) FROM t",
        ),
        ("SELECT X'0AFF' FROM t", None),
        ("SELECT INTERVAL '6' HOURS, INTERVAL '1' DAYS FROM t", None),
        ("INSERT INTO s /*+ OPTIONS('sink.parallelism' = '2') */ SELECT * FROM t", None),
        ("SELECT * FROM paimon.db.`orders$snapshots`", None),
        ("SELECT * FROM `orders$changelog`", None),
        ("USE CATALOG paimon", None),
        (
            "SELECT * FROM TABLE(SESSION(DATA => TABLE Bid PARTITION BY item, "
            "TIMECOL => DESCRIPTOR(bidtime), GAP => INTERVAL '5' MINUTES))",
            None,
        ),
    ],
)
def test_field_sql_functions_literals_hints_and_named_tvf_arguments(
    sql: str, expected: str | None
) -> None:
    validate_identity(sql, expected)


def test_match_recognize_bounded_quantifiers() -> None:
    tree = validate_identity(
        "SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES A.v AS v "
        "ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW PATTERN (A{5} B+ C{2,3}) "
        "DEFINE A AS A.v > 1)"
    )
    assert "A{5}" in tree.sql("flink")
