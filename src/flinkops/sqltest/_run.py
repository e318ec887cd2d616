"""Running tests on a Flink cluster (the adapter): each test is one bounded Flink job of
the job's own SQL, its sources reading the given rows from JSON files in a directory the
cluster can read, its sinks printing each row with its kind to the TaskManagers' stdout,
which is read back through the REST API. Tests run concurrently, a few per free slot."""

from __future__ import annotations

import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from flinkops.errors import FlinkError
from flinkops.flink.live import root_cause
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import build_run_body, ensure_uploaded
from flinkops.sqltest._check import PreparedTest
from flinkops.sqltest._diff import Received, TableDiff, diff_table
from flinkops.sqltest._model import Op
from flinkops.sqltest._tables import JobTables, rewrite_statements
from flinkops.sqltest._values import from_printed, split_printed

__all__ = ["Outcome", "SqlTestJob", "SqlTestResult", "StdoutReader", "run_tests"]

_TERMINAL = ("FINISHED", "FAILED", "CANCELED", "CANCELLING", "FAILING")
# Checkpointing changes no result of a bounded test; with it on, a finished job waits for
# a final checkpoint, which made a one-second test take minutes on a loaded machine.
_DROPPED_CONFIG = ("execution.checkpointing.interval",)


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"


@dataclass(frozen=True)
class SqlTestJob:
    """What a test needs of its job: the tables read from its SQL, its settings."""

    name: str
    tables: JobTables
    parallelism: int | None
    flink_configuration: dict[str, str]


@dataclass(frozen=True)
class SqlTestResult:
    job: str
    name: str
    where: str
    outcome: Outcome
    seconds: float
    diffs: tuple[TableDiff, ...] = ()
    error: str = ""
    flink_job_id: str = ""
    received: dict[str, int] = field(default_factory=dict)  # sink -> changelog rows

    def to_json(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "name": self.name,
            "where": self.where,
            "outcome": self.outcome.value,
            "seconds": round(self.seconds, 2),
            "diffs": [d.to_json() for d in self.diffs if not d.ok],
            "error": self.error or None,
            "flinkJobId": self.flink_job_id or None,
            "received": self.received,
        }


def run_tests(
    client: FlinkClient,
    work: list[tuple[SqlTestJob, PreparedTest]],
    data_dir: Path,
    *,
    workers: int,
    timeout: float,
    progress: Callable[[SqlTestResult], None] = lambda r: None,
) -> list[SqlTestResult]:
    """Run every test (``workers`` at a time); one result per test, in the order given."""
    jar_id = ensure_uploaded(client)
    stdout = StdoutReader(client)

    def one(item: tuple[SqlTestJob, PreparedTest]) -> SqlTestResult:
        result = _run_one(client, stdout, jar_id, item[0], item[1], data_dir, timeout)
        progress(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(one, work))


class StdoutReader:
    """Reads a TaskManager's stdout so that it holds every row printed before a job ended.

    Flink's REST API serves a TaskManager's files from a cache for its refresh interval
    (``GET /config``: 3 s by default), so a read soon after another one gets the file as
    it was then: a test ending while another test's read is cached would miss its own
    rows. This remembers when each read of this run was made and, before a read for a
    job seen ended at ``ended``, waits out an entry an earlier read may have cached before
    then. (A read by someone else, the web UI's stdout tab, is not known here.)"""

    def __init__(self, client: FlinkClient) -> None:
        self.client = client
        self.ttl = client.config().refresh_interval
        self._lock = threading.Lock()
        self._reads: dict[str, list[tuple[float, float]]] = {}  # tm -> (start, end)

    def read(self, tm_id: str, ended: float) -> str:
        with self._lock:
            earlier = [end for start, end in self._reads.get(tm_id, []) if start < ended]
        wait = max(earlier, default=0.0) + self.ttl + 0.1 - time.monotonic()
        if earlier and wait > 0:
            time.sleep(wait)
        start = time.monotonic()
        text = self.client.taskmanager_stdout(tm_id)
        end = time.monotonic()
        with self._lock:
            recent = [r for r in self._reads.get(tm_id, []) if r[1] + self.ttl > start]
            self._reads[tm_id] = [*recent, (start, end)]
        return text


def _run_one(
    client: FlinkClient,
    stdout: StdoutReader,
    jar_id: str,
    job: SqlTestJob,
    test: PreparedTest,
    data_dir: Path,
    timeout: float,
) -> SqlTestResult:
    start = time.monotonic()
    run_id = uuid.uuid4().hex[:12]
    base = data_dir / run_id
    dirs = _write_sources(base, test.lines)
    print_ids = {sink: f"flinkops-test-{run_id}:{sink}" for sink in job.tables.sinks}
    statements = rewrite_statements(job.tables, dirs, print_ids)
    conf = {k: v for k, v in job.flink_configuration.items() if k not in _DROPPED_CONFIG}
    body = build_run_body(
        job_name=f"flinkops test {job.name}: {test.test.name}",
        statements=statements,
        parallelism=job.parallelism,
        flink_configuration=conf,
    )
    jid = ""
    try:
        jid = client.run_jar(jar_id, body)
        state = _wait(client, jid, timeout)
        ended = time.monotonic()
        if state != "FINISHED":
            why = root_cause(client, jid) if state != "TIMEOUT" else f"not finished in {timeout}s"
            return _result(job, test, Outcome.ERROR, start, error=f"{state}: {why}", jid=jid)
        received = _received(client, stdout, ended, job.tables, print_ids)
    except FlinkError as exc:
        return _result(job, test, Outcome.ERROR, start, error=str(exc), jid=jid)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    diffs = tuple(
        diff_table(exp, rows, received[table], job.tables.tables[table].primary_key)
        for table, (exp, rows) in test.expected.items()
    )
    outcome = Outcome.PASSED if all(d.ok for d in diffs) else Outcome.FAILED
    counts = {t: len(r) for t, r in received.items()}
    return _result(job, test, outcome, start, diffs=diffs, jid=jid, received=counts)


def _result(
    job: SqlTestJob, test: PreparedTest, outcome: Outcome, start: float, **kw: Any
) -> SqlTestResult:
    return SqlTestResult(
        job.name,
        test.test.name,
        test.test.where,
        outcome,
        time.monotonic() - start,
        diffs=kw.get("diffs", ()),
        error=kw.get("error", ""),
        flink_job_id=kw.get("jid", ""),
        received=kw.get("received", {}),
    )


def _write_sources(base: Path, lines: dict[str, list[str]]) -> dict[str, str]:
    dirs = {}
    for table, rows in lines.items():
        where = base / table
        where.mkdir(parents=True, exist_ok=True)
        (where / "rows.json").write_text("".join(f"{line}\n" for line in rows))
        dirs[table] = where.resolve().as_uri()
    return dirs


def _wait(client: FlinkClient, jid: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.job(jid).state
        if state in _TERMINAL:
            return state
        time.sleep(0.3)
    client.cancel(jid)
    return "TIMEOUT"


def _received(
    client: FlinkClient,
    stdout: StdoutReader,
    ended: float,
    tables: JobTables,
    print_ids: dict[str, str],
) -> dict[str, list[Received]]:
    """Each sink's changelog rows, read from every TaskManager's stdout."""
    out: dict[str, list[Received]] = {sink: [] for sink in print_ids}
    patterns = {
        sink: re.compile(rf"^{re.escape(pid)}(?::\d+)?> ([+-][IUD])\[(.*)\]$")
        for sink, pid in print_ids.items()
    }
    for tm in client.taskmanagers():
        for line in stdout.read(tm.id, ended).splitlines():
            for sink, pattern in patterns.items():
                m = pattern.match(line)
                if m:
                    out[sink].append((Op(m.group(1)), _row(tables, sink, m.group(2))))
    return out


def _row(tables: JobTables, sink: str, body: str) -> dict[str, Any]:
    columns = [c for c in tables.tables[sink].columns if not c.computed]
    fields = split_printed(body, len(columns))
    if fields is None:  # a value holding ", ": kept whole in the first text column's place
        return {"(row)": body}
    return {c.name: from_printed(v, c.type) for c, v in zip(columns, fields, strict=True)}
