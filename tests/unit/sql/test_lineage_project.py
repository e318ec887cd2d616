"""Lineage across jobs: edges by connector or catalog identity, impact and upstream, the
sorted JSON form, and the diff of two lineages."""

from __future__ import annotations

import pytest

from flinkops.sql.lineage import connector_identity, diff_lineage, lineage_of_sql, project_lineage

from .lineage_helpers import READER, WRITER


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


def test_a_system_table_of_a_catalog_table_links_to_its_writer() -> None:
    reader = LAKE_READER.replace("FROM orders", "FROM `orders$changelog`")
    (edge,) = project_lineage([("writer", LAKE_WRITER), ("reader", reader)]).jobs
    assert (edge.to_table, edge.via) == (
        "orders$changelog",
        "catalog:paimon:s3://bucket/wh/db.orders",
    )


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
