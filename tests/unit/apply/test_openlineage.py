"""OpenLineage events of applied versions: dataset naming per the spec, event content."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from openlineage.client.serde import Serde

from flinkops.apply.openlineage import AppliedVersion, applied_versions, dataset_name, run_event
from flinkops.sql import lineage_of_sql

SQL = """
CREATE TABLE orders (id BIGINT, amount DOUBLE) WITH ('connector' = 'kafka', 'topic' = 'orders',
  'properties.bootstrap.servers' = 'broker1:9092,broker2:9092');
CREATE TABLE totals (id BIGINT, total DOUBLE) WITH ('connector' = 'jdbc',
  'url' = 'jdbc:postgresql://db.example:5432/shop?user=app&password=s3cret',
  'table-name' = 'sales.totals', 'password' = 'hunter2');
INSERT INTO totals SELECT id, SUM(amount) FROM orders GROUP BY id;
"""


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            {"connector": "kafka", "topic": "t", "properties.bootstrap.servers": "b:9092,c:9092"},
            ("kafka://b:9092", "t"),
        ),
        (
            {"connector": "upsert-kafka", "topic": "t", "properties.bootstrap.servers": "b:9093"},
            ("kafka://b:9093", "t"),
        ),
        (
            {"connector": "jdbc", "url": "jdbc:postgresql://h:5433/db", "table-name": "s.t"},
            ("postgres://h:5433", "db.s.t"),
        ),
        (
            {"connector": "jdbc", "url": "jdbc:postgresql://h/db", "table-name": "t"},
            ("postgres://h:5432", "db.public.t"),
        ),
        (
            {"connector": "jdbc", "url": "jdbc:mysql://u:p@h:3306/db", "table-name": "t"},
            ("mysql://h:3306", "db.t"),
        ),
        ({"connector": "filesystem", "path": "file:///data/out"}, ("file", "/data/out")),
        ({"connector": "filesystem", "path": "/data/out"}, ("file", "/data/out")),
        ({"connector": "filesystem", "path": "s3://bucket/a/b"}, ("s3://bucket", "a/b")),
        ({"connector": "filesystem", "path": "hdfs://nn:8020/a"}, ("hdfs://nn:8020", "/a")),
        (
            {
                "connector": "iceberg",
                "warehouse": "s3://lake/wh",
                "catalog-database": "db",
                "catalog-table": "orders",
            },
            ("s3://lake", "wh/db/orders"),
        ),
        ({"connector": "datagen"}, ("flink://datagen", "my_table")),
        ({}, ("flink://catalog", "my_table")),
    ],
)
def test_dataset_names_follow_the_openlineage_naming_spec(
    options: dict[str, str], expected: tuple[str, str]
) -> None:
    assert dataset_name("my_table", options) == expected


def test_run_event_of_an_applied_version() -> None:
    applied = AppliedVersion("totals", 3, "0123456789abcdef0123456789abcdef", SQL)
    event = Serde.to_dict(
        run_event(
            applied,
            lineage_of_sql(SQL, "totals"),
            namespace="prod",
            event_time=datetime(2026, 1, 2, tzinfo=UTC),
        )
    )
    assert event["eventType"] == "START"
    assert event["run"]["runId"] == "01234567-89ab-cdef-0123-456789abcdef"
    assert (event["job"]["namespace"], event["job"]["name"]) == ("prod", "totals")
    assert [(d["namespace"], d["name"]) for d in event["inputs"]] == [
        ("kafka://broker1:9092", "orders")
    ]
    (output,) = event["outputs"]
    assert (output["namespace"], output["name"]) == (
        "postgres://db.example:5432",
        "shop.sales.totals",
    )
    fields = output["facets"]["columnLineage"]["fields"]
    assert {f: [(i["name"], i["field"]) for i in v["inputFields"]] for f, v in fields.items()} == {
        "id": [("orders", "id")],
        "total": [("orders", "amount")],
    }
    assert fields["id"]["inputFields"][0]["transformations"] == [
        {"type": "DIRECT", "subtype": "IDENTITY"}
    ]
    assert fields["total"]["inputFields"][0]["transformations"] == [
        {"type": "DIRECT", "subtype": "AGGREGATION", "description": "SUM"}
    ]
    assert "s3cret" not in str(event) and "hunter2" not in str(event)


def test_applied_versions_are_the_done_results_with_a_job() -> None:
    results = [
        {"job": "a", "action": "update", "status": "done", "version": 3, "job_id": "f" * 32},
        {"job": "b", "action": "update", "status": "rolled-back", "version": 2, "job_id": "e" * 32},
        {"job": "c", "action": "delete", "status": "done", "version": None, "job_id": None},
        {"job": "d", "action": "create", "status": "done", "version": 1, "job_id": "d" * 32},
    ]
    found = applied_versions(results, {"a": "SQL A", "b": "SQL B", "c": "SQL C"})
    assert found == [AppliedVersion("a", 3, "f" * 32, "SQL A")]
