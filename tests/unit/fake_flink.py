"""A small Flink REST API behind httpx.MockTransport, plus the submission seam.

It stands in for Flink only in tests of the runner's ordering and idempotency rules
(journal, crash points, recovery, rollback); what Flink itself does is tested on the
real local cluster (tests/integration/apply). A submitted job whose spec hash is in
``bad`` goes FAILED with a restore error, like an incompatible change on Flink.
"""

from __future__ import annotations

import atexit
import itertools
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from flinkops.flink.identity import JobIdentity
from flinkops.flink.rest import FlinkClient

TERMINAL = {"FAILED", "CANCELED", "FINISHED"}
CAUSE = "java.lang.IllegalStateException: Cannot map checkpoint/savepoint state for operator x"
STOP_CAUSE = {
    "class": "java.util.concurrent.CompletionException",
    "stack-trace": "org.apache.flink.runtime.checkpoint.CheckpointException: "
    "Not all required tasks are currently running.",
}

#: Where the fake's snapshots are: each one it reports holds a ``_metadata`` file, as
#: flinkops checks (``flinkops.flink.snapshots``); removed when the session ends.
SNAPSHOTS = Path(tempfile.mkdtemp(prefix="fake-flink-snapshots-"))
atexit.register(shutil.rmtree, SNAPSHOTS, True)


def snapshot_uri(relative: str) -> str:
    """A snapshot directory under ``SNAPSHOTS`` with its ``_metadata``, as a file URI."""
    directory = SNAPSHOTS / relative
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "_metadata").touch()
    return directory.as_uri()


@dataclass
class FakeJob:
    jid: str
    name: str
    state: str
    identity: JobIdentity
    restored_from: str | None
    start: int
    stopped_with: str | None = None  # the savepoint a stop took (its ``latest.savepoint``)

    @property
    def active(self) -> bool:
        return self.state not in TERMINAL


@dataclass
class FakeFlink:
    bad: set[str] = field(default_factory=set)
    jobs: dict[str, FakeJob] = field(default_factory=dict)
    triggers: dict[str, tuple[str, str]] = field(default_factory=dict)
    submissions: list[str] = field(default_factory=list)
    #: how many of the next stops fail their savepoint, the job running on (Flink's way)
    failing_stops: int = 0
    #: the state a job whose stop failed is left in (RUNNING, or e.g. FAILED)
    after_failed_stop: str = "RUNNING"
    #: requests ("POST /stop": method and how the path ends) Flink carries out but whose
    #: answer is lost on the way (the connection reset after Flink answered)
    lose_answer_of: set[str] = field(default_factory=set)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def client(self) -> FlinkClient:
        return FlinkClient("http://flink:8081", transport=httpx.MockTransport(self._answer))

    def _answer(self, request: httpx.Request) -> httpx.Response:
        response = self.handle(request)
        method, path = request.method, request.url.path
        lost = (w.split(" ", 1) for w in self.lose_answer_of)
        if any(method == m and path.endswith(end) for m, end in lost):
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        return response

    # the submission seam (flinkops.flink.runner.submit_sql's signature)
    def submit(self, client: FlinkClient, **kw: Any) -> str:
        n = next(self._ids)
        jid = f"{n:032x}"
        identity: JobIdentity = kw["identity"]
        state = "FAILED" if identity.spec_hash in self.bad else "RUNNING"
        self.jobs[jid] = FakeJob(jid, kw["job_name"], state, identity, kw["savepoint_path"], n)
        self.submissions.append(jid)
        return jid

    def active(self, name: str) -> list[FakeJob]:
        return [j for j in self.jobs.values() if j.name == name and j.active]

    # REST
    def handle(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        if path == "/overview":
            return httpx.Response(200, json={"flink-version": "2.3.0"})
        if path == "/jobmanager/config":
            return httpx.Response(200, json=[])
        if path == "/jobs/overview":
            return httpx.Response(
                200, json={"jobs": [self._summary(j) for j in self.jobs.values()]}
            )
        m = re.fullmatch(r"/jobs/(\w+)(/.*)?", path)
        if not m or m.group(1) not in self.jobs:
            return httpx.Response(404, json={"errors": ["Job could not be found."]})
        job, rest = self.jobs[m.group(1)], m.group(2) or ""
        if rest == "" and method == "PATCH":
            if job.active:
                job.state = "CANCELED"
            return httpx.Response(202, json={})
        if rest == "":
            vertices = [{"id": "v1", "name": "agg", "status": job.state}]
            return httpx.Response(200, json={**self._summary(job), "vertices": vertices})
        if rest == "/config":
            user = job.identity.to_params()
            return httpx.Response(
                200, json={"jid": job.jid, "execution-config": {"user-config": user}}
            )
        if rest == "/exceptions":
            entries = []
            if job.state == "FAILED":
                entries = [{"exceptionName": "IllegalStateException", "stacktrace": CAUSE}]
            return httpx.Response(200, json={"exceptionHistory": {"entries": entries}})
        if rest == "/checkpoints":
            return httpx.Response(200, json=self._checkpoints(job))
        if rest == "/stop" and method == "POST":
            asked = json.loads(request.content or b"{}").get("triggerId")
            if asked in self.triggers:  # Flink's idempotence: the same id stops once
                return httpx.Response(202, json={"request-id": asked})
            if not job.active:
                return httpx.Response(409, json={"errors": ["Job is not running."]})
            trigger = asked or f"t{len(self.triggers) + 1}"
            if self.failing_stops:
                self.failing_stops -= 1
                self.triggers[trigger] = (job.jid, "")
                job.state = self.after_failed_stop
                return httpx.Response(202, json={"request-id": trigger})
            job.stopped_with = snapshot_uri(f"sp/savepoint-{job.jid[-4:]}-{trigger}")
            self.triggers[trigger] = (job.jid, job.stopped_with)
            job.state = "FINISHED"
            return httpx.Response(202, json={"request-id": trigger})
        m2 = re.fullmatch(r"/savepoints/(\w+)", rest)
        if m2 and m2.group(1) in self.triggers:
            location = self.triggers[m2.group(1)][1]
            operation = {"location": location} if location else {"failure-cause": STOP_CAUSE}
            return httpx.Response(200, json={"status": {"id": "COMPLETED"}, "operation": operation})
        return httpx.Response(404, json={"errors": [f"no fake for {method} {path}"]})

    @staticmethod
    def _summary(job: FakeJob) -> dict[str, Any]:
        return {"jid": job.jid, "name": job.name, "state": job.state, "start-time": job.start}

    @staticmethod
    def _checkpoints(job: FakeJob) -> dict[str, Any]:
        latest: dict[str, Any] = {
            "completed": {"id": 1, "external_path": snapshot_uri(f"ck/{job.jid}/chk-1")}
        }
        if job.restored_from:
            latest["restored"] = {"id": 1, "external_path": job.restored_from}
        if job.stopped_with:
            latest["savepoint"] = {"id": 2, "is_savepoint": True, "external_path": job.stopped_with}
        return {"counts": {"completed": 1}, "latest": latest}
