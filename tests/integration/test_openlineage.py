"""``emit_applied`` against a real HTTP receiver on loopback.

The receiver takes what the openlineage-python client posts and validates each event
against the client's own event model (the classes generated from the OpenLineage
JSON schema): it rebuilds the event with them, validators on, and requires that it
serializes back to exactly what arrived. No Flink is needed.
"""

from __future__ import annotations

import json
import textwrap
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    column_lineage_dataset,
    job_type_job,
    processing_engine_run,
    tags_run,
)
from openlineage.client.serde import Serde

from flinkops.apply.openlineage import AppliedVersion, emit_applied
from flinkops.cli import main as cli_main
from flinkops.errors import OpenLineageError
from flinkops.flink.local import ClusterInfo
from flinkops.flink.rest import FlinkClient

SQL = """
CREATE TABLE orders (id BIGINT, amount DOUBLE) WITH ('connector' = 'kafka', 'topic' = 'orders',
  'properties.bootstrap.servers' = 'broker1:9092');
CREATE TABLE totals (id BIGINT, total DOUBLE) WITH ('connector' = 'jdbc',
  'url' = 'jdbc:postgresql://db.example:5432/shop', 'table-name' = 'sales.totals');
INSERT INTO totals SELECT id, SUM(amount) FROM orders GROUP BY id;
"""
ARCHIVE = """
CREATE TABLE orders (id BIGINT, amount DOUBLE) WITH ('connector' = 'kafka', 'topic' = 'orders',
  'properties.bootstrap.servers' = 'broker1:9092');
CREATE TABLE archive (id BIGINT, amount DOUBLE) WITH ('connector' = 'filesystem',
  'path' = 's3://lake/archive/orders', 'format' = 'parquet');
INSERT INTO archive SELECT * FROM orders;
"""
FACETS = {
    "processing_engine": processing_engine_run.ProcessingEngineRunFacet,
    "jobType": job_type_job.JobTypeJobFacet,
    "tags": lambda tags: tags_run.TagsRunFacet(
        tags=[tags_run.TagsRunFacetFields(**t) for t in tags]
    ),
}


def _facet(name: str, raw: dict[str, Any]) -> Any:
    fields = json.loads(json.dumps({k: v for k, v in raw.items() if not k.startswith("_")}))
    if name == "columnLineage":
        return column_lineage_dataset.ColumnLineageDatasetFacet(
            fields={
                column: column_lineage_dataset.Fields(
                    inputFields=[
                        column_lineage_dataset.InputField(
                            i["namespace"],
                            i["name"],
                            i["field"],
                            [
                                column_lineage_dataset.Transformation(**t)
                                for t in i["transformations"]
                            ],
                        )
                        for i in spec.pop("inputFields")
                    ],
                    **spec,
                )
                for column, spec in fields["fields"].items()
            },
            dataset=fields.get("dataset", []),
        )
    return FACETS[name](**fields)


def validate(raw: dict[str, Any]) -> RunEvent:
    """The event rebuilt with the client's model; it must serialize back to ``raw``."""
    facets = lambda d: {k: _facet(k, v) for k, v in (d or {}).items()}  # noqa: E731
    event = RunEvent(
        eventType=RunState(raw["eventType"]),
        eventTime=raw["eventTime"],
        run=Run(runId=raw["run"]["runId"], facets=facets(raw["run"].get("facets"))),
        job=Job(raw["job"]["namespace"], raw["job"]["name"], facets(raw["job"].get("facets"))),
        inputs=[
            InputDataset(d["namespace"], d["name"], facets=facets(d["facets"]))
            for d in raw["inputs"]
        ],
        outputs=[
            OutputDataset(d["namespace"], d["name"], facets=facets(d["facets"]))
            for d in raw["outputs"]
        ],
        producer=raw["producer"],
    )
    datetime.fromisoformat(raw["eventTime"])
    assert Serde.to_dict(event) == raw
    return event


class Receiver(ThreadingHTTPServer):
    def __init__(self, status: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.status = status
        self.received: list[tuple[str, dict[str, Any]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.path, json.loads(body)))
        self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver(request: pytest.FixtureRequest) -> Iterator[Receiver]:
    server = Receiver(getattr(request, "param", 200))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_one_valid_run_event_per_applied_version(receiver: Receiver) -> None:
    applied = [
        AppliedVersion("totals", 2, "0123456789abcdef0123456789abcdef", SQL),
        AppliedVersion("archive", 1, "fedcba9876543210fedcba9876543210", ARCHIVE),
    ]
    sent = emit_applied(applied, receiver.url, namespace="prod")
    assert [path for path, _ in receiver.received] == ["/api/v1/lineage"] * 2
    events = [event for _, event in receiver.received]
    print(json.dumps(events, indent=1))
    assert events == sent
    for event in events:
        validate(event)
    totals, archive = events
    assert (totals["job"]["name"], totals["run"]["runId"]) == (
        "totals",
        "01234567-89ab-cdef-0123-456789abcdef",
    )
    assert [(d["namespace"], d["name"]) for d in totals["outputs"]] == [
        ("postgres://db.example:5432", "shop.sales.totals")
    ]
    assert [(d["namespace"], d["name"]) for d in archive["outputs"]] == [
        ("s3://lake", "archive/orders")
    ]
    lineage = archive["outputs"][0]["facets"]["columnLineage"]["fields"]
    assert {c: [i["field"] for i in f["inputFields"]] for c, f in lineage.items()} == {
        "amount": ["amount"],
        "id": ["id"],
    }


def test_the_validator_rejects_an_event_off_the_schema(receiver: Receiver) -> None:
    emit_applied([AppliedVersion("totals", 2, "0" * 32, SQL)], receiver.url)
    ((_, event),) = receiver.received
    with pytest.raises(ValueError):
        validate({**event, "run": {"runId": "not-a-uuid", "facets": {}}})
    with pytest.raises(AssertionError):
        validate({**event, "extra": 1})


@pytest.mark.parametrize("receiver", [500], indirect=True)
def test_a_refusing_endpoint_is_a_flinkops_error_naming_the_job(receiver: Receiver) -> None:
    with pytest.raises(
        OpenLineageError, match=r"did not take the event of totals v2.*apply itself is done"
    ):
        emit_applied([AppliedVersion("totals", 2, "0" * 32, SQL)], receiver.url)


def test_apply_with_openlineage_sends_the_applied_version(
    receiver: Receiver,
    tmp_path: Path,
    flink_cluster: ClusterInfo,
    flink_client: FlinkClient,
    submitted_jobs: list[str],
) -> None:
    project = tmp_path / "project"
    (project / "jobs").mkdir(parents=True)
    (project / "flinkops.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: Project\njobs: [jobs/]\ndefaultTarget: ol\n"
        f"targets:\n  ol:\n    url: {flink_cluster.url}\n"
        f"    savepointDir: file://{tmp_path / 'savepoints'}\n"
    )
    sql = (
        "CREATE TABLE src (k INT, v BIGINT) WITH ('connector' = 'datagen', "
        "'rows-per-second' = '5');\n"
        "CREATE TABLE snk (k INT, total BIGINT) WITH ('connector' = 'blackhole');\n"
        "INSERT INTO snk SELECT k, SUM(v) FROM src GROUP BY k;\n"
    )
    (project / "jobs" / "lineage-events.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: SqlJob\nmetadata:\n  name: lineage-events\nspec:\n"
        "  parallelism: 1\n  sql: |\n" + textwrap.indent(sql, "    ")
    )
    result = CliRunner().invoke(
        cli_main,
        ["apply", "--project", str(project), "--auto-approve", "--openlineage", receiver.url],
    )
    running = [j.id for j in flink_client.jobs() if j.name == "lineage-events"]
    submitted_jobs.extend(running)
    assert result.exit_code == 0, result.output
    ((path, event),) = receiver.received
    assert path == "/api/v1/lineage"
    validate(event)
    assert (event["job"]["namespace"], event["job"]["name"]) == ("flinkops/ol", "lineage-events")
    assert event["run"]["runId"].replace("-", "") in running
    fields = event["outputs"][0]["facets"]["columnLineage"]["fields"]
    assert fields["total"]["inputFields"][0]["transformations"] == [
        {"type": "DIRECT", "subtype": "AGGREGATION", "description": "SUM"}
    ]
