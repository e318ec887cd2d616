"""OpenLineage run events for applied job versions (``apply --openlineage URL``).

One ``START`` run event per applied version: the job (namespace, spec name), the run
(Flink's job id, a 128-bit id, as the run id), the tables it reads and writes as
datasets named by their connector identity, and on each output the column lineage
facet. Dataset names follow the OpenLineage naming spec, through the client's own
naming classes where it has them: Kafka ``kafka://host:port`` + topic, JDBC
``postgres://host:port`` + ``db.schema.table`` (and the like for other databases),
filesystem ``file`` / ``s3://bucket`` / ``hdfs://host:port`` + path, Iceberg the
warehouse location + ``db.table``. A table without such an identity (datagen,
blackhole) is named ``flink://<connector>`` + its name as declared.

Building events is pure; ``emit_applied`` sends them with the openlineage-python
client's HTTP transport.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    column_lineage_dataset,
    job_type_job,
    processing_engine_run,
)
from openlineage.client.naming import dataset as naming
from openlineage.client.serde import Serde
from openlineage.client.transport.http import HttpConfig, HttpTransport

from flinkops import __version__
from flinkops.errors import OpenLineageError
from flinkops.flink.rest import redact_url
from flinkops.sql import split_kind
from flinkops.sql.lineage import JobLineage, lineage_of_sql
from flinkops.store import TransitionStatus

__all__ = [
    "AppliedVersion",
    "applied_versions",
    "dataset_name",
    "emit_applied",
    "run_event",
]

PRODUCER = f"https://pypi.org/project/flinkops/{__version__}/"


@dataclass(frozen=True)
class AppliedVersion:
    """A version apply brought up: the job, its version, Flink's job id and its SQL."""

    job: str
    version: int
    job_id: str
    sql: str


def applied_versions(
    results: Sequence[Mapping[str, Any]], sql_of: Mapping[str, str]
) -> list[AppliedVersion]:
    """The versions an apply brought up, from its JSON results (``job``, ``status``,
    ``version``, ``job_id``): done, with a running job and a spec whose SQL is known."""
    return [
        AppliedVersion(r["job"], int(r["version"]), str(r["job_id"]), sql_of[r["job"]])
        for r in results
        if r.get("status") == TransitionStatus.DONE and r.get("job_id") and r.get("version")
        if r["job"] in sql_of
    ]


def dataset_name(table: str, options: Mapping[str, str]) -> tuple[str, str]:
    """(namespace, name) of a table per the OpenLineage naming spec, from its options."""
    connector = options.get("connector", "")
    if connector in ("kafka", "upsert-kafka") and options.get("topic"):
        server = options.get("properties.bootstrap.servers", "").split(",")[0].strip()
        host, _, port = server.rpartition(":") if ":" in server else (server, "", "")
        if host and port:
            return _named(naming.Kafka(host, port, options["topic"]))
    if connector == "jdbc" and options.get("url"):
        found = _jdbc(options["url"], options.get("table-name") or table)
        if found:
            return found
    if connector == "filesystem" and options.get("path"):
        return _file(options["path"])
    if connector == "iceberg" and options.get("warehouse"):
        location = urlsplit(options["warehouse"])
        database = options.get("catalog-database", "default")
        name = options.get("catalog-table") or table.split(".")[-1]
        root = f"{location.scheme}://{location.netloc}" if location.netloc else location.scheme
        return root or "file", f"{location.path.strip('/')}/{database}/{name}".lstrip("/")
    return f"flink://{connector or 'catalog'}", table


def _named(found: naming.DatasetNaming) -> tuple[str, str]:
    return found.get_namespace(), found.get_name()


def _jdbc(url: str, table: str) -> tuple[str, str] | None:
    """``jdbc:postgresql://host:5432/db`` + ``schema.table``; credentials never kept."""
    parts = urlsplit(url.removeprefix("jdbc:"))
    if not parts.hostname:
        return None
    scheme = {"postgresql": "postgres"}.get(parts.scheme, parts.scheme)
    port = str(parts.port or {"postgres": 5432, "mysql": 3306}.get(scheme) or "")
    database = parts.path.strip("/").split("/")[0] or "default"
    if scheme == "postgres":
        schema, _, name = table.rpartition(".")
        return _named(naming.Postgres(parts.hostname, port, database, schema or "public", name))
    if scheme == "mysql":
        return _named(naming.MySQL(parts.hostname, port, database, table.split(".")[-1]))
    return f"{scheme}://{parts.hostname}:{port}", f"{database}.{table}"


def _file(path: str) -> tuple[str, str]:
    parts = urlsplit(path)
    if parts.scheme in ("s3", "s3a", "s3n") and parts.netloc:
        return _named(naming.S3(parts.netloc, parts.path.lstrip("/") or "/"))
    if parts.scheme == "hdfs" and parts.hostname:
        return _named(naming.HDFS(parts.hostname, str(parts.port or 8020), parts.path))
    return _named(naming.LocalFileSystem(parts.path if parts.scheme == "file" else path))


def run_event(
    applied: AppliedVersion, lineage: JobLineage, *, namespace: str, event_time: datetime
) -> RunEvent:
    """The START event of one applied version, with inputs, outputs and column lineage."""
    names = {
        table: dataset_name(table, lineage.table_options(table))
        for t in lineage.tables
        for table in (t.sink, *t.sources)
    }
    sinks = set(lineage.sinks)
    inputs = sorted({names[t] for t in names if t not in sinks})
    outputs = [
        OutputDataset(*names[sink], facets={"columnLineage": _column_facet(sink, lineage, names)})
        for sink in sorted(sinks)
    ]
    return RunEvent(
        eventType=RunState.START,
        eventTime=event_time.isoformat(),
        run=Run(
            runId=str(uuid.UUID(hex=applied.job_id)),
            facets={
                "processing_engine": processing_engine_run.ProcessingEngineRunFacet(
                    version=__version__, name="flinkops"
                )
            },
        ),
        job=Job(
            namespace=namespace,
            name=applied.job,
            facets={
                "jobType": job_type_job.JobTypeJobFacet(
                    processingType="STREAMING", integration="FLINK", jobType="JOB"
                )
            },
        ),
        inputs=[InputDataset(ns, name) for ns, name in inputs],
        outputs=outputs,
        producer=PRODUCER,
    )


def _column_facet(
    sink: str, lineage: JobLineage, names: Mapping[str, tuple[str, str]]
) -> column_lineage_dataset.ColumnLineageDatasetFacet:
    fields: dict[str, column_lineage_dataset.Fields] = {}
    for column in lineage.columns:
        table, _, field = column.sink.rpartition(".")
        if table != sink:
            continue
        inputs = []
        for source in column.sources:
            source_table, _, source_field = source.rpartition(".")
            namespace, name = names.get(source_table) or ("flink://catalog", source_table)
            inputs.append(
                column_lineage_dataset.InputField(
                    namespace, name, source_field, [_transformation(column.kind)]
                )
            )
        fields[field] = column_lineage_dataset.Fields(inputFields=inputs)
    return column_lineage_dataset.ColumnLineageDatasetFacet(fields=fields)


def _transformation(kind: str) -> column_lineage_dataset.Transformation:
    """The edge kind as the facet's transformation: DIRECT, subtype IDENTITY,
    TRANSFORMATION or AGGREGATION (the function, or ``window time``, as description)."""
    name, function = split_kind(kind)
    subtype = {"identity": "IDENTITY", "aggregation": "AGGREGATION"}.get(name, "TRANSFORMATION")
    description = function or (name if name != "identity" else None)
    return column_lineage_dataset.Transformation("DIRECT", subtype, description)


def emit_applied(
    applied: Sequence[AppliedVersion],
    url: str,
    *,
    namespace: str = "flinkops",
    timeout: float = 5.0,
) -> list[dict[str, Any]]:
    """Send one run event per applied version to ``url``; the events as sent.

    Raises OpenLineageError naming the endpoint and the job when one is refused.
    """
    transport = HttpTransport(HttpConfig(url=url, timeout=timeout, retry={"total": 0}))
    client = OpenLineageClient(transport=transport)
    now = datetime.now(UTC)
    sent = []
    for version in applied:
        event = run_event(
            version, lineage_of_sql(version.sql, version.job), namespace=namespace, event_time=now
        )
        try:
            client.emit(event)
        except Exception as exc:  # the client raises requests' and its own errors
            raise OpenLineageError(
                f"OpenLineage endpoint {redact_url(url)} did not take the event of "
                f"{version.job} v{version.version}: {exc}; the apply itself is done"
            ) from None
        sent.append(Serde.to_dict(event))
    return sent
