"""Typed results of Flink's REST API, as FlinkClient returns them.

Each class has ``from_json`` taking Flink's JSON (1.20 and 2.x field names) and
keeps that JSON in ``raw`` for anything not lifted into a field. Times are epoch
milliseconds as Flink reports them (None where Flink says -1 or nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flinkops.flink.identity import JobIdentity

__all__ = [
    "CheckpointRef",
    "Checkpoints",
    "ClusterConfig",
    "ExceptionEntry",
    "Exceptions",
    "JarFile",
    "JobConfig",
    "JobDetails",
    "JobSummary",
    "LatestCheckpoints",
    "LogFile",
    "Overview",
    "SavepointStatus",
    "TaskManager",
    "Vertex",
    "root_line",
]

Json = dict[str, Any]


def _ms(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if n >= 0 else None


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def root_line(stacktrace: str | None) -> str:
    """The useful line of a Java stack trace: the deepest ``Caused by:`` (or the first line).

    ``"a.B: top\\n\\tat ...\\nCaused by: c.D: why"`` -> ``"c.D: why"``.
    """
    if not stacktrace:
        return ""
    lines = stacktrace.strip().splitlines()
    headers = [ln.strip() for ln in lines if ln.startswith("Caused by:")]
    if headers:
        return headers[-1][len("Caused by:") :].strip()
    return lines[0].strip()


@dataclass(frozen=True)
class Overview:
    """``GET /overview``: the cluster's version, slots, TaskManagers and job counts."""

    flink_version: str
    flink_commit: str
    slots_total: int
    slots_available: int
    taskmanagers: int
    jobs_running: int
    jobs_finished: int
    jobs_cancelled: int
    jobs_failed: int
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @property
    def major_version(self) -> int:
        return _major(self.flink_version)

    @classmethod
    def from_json(cls, d: Json) -> Overview:
        return cls(
            flink_version=str(d.get("flink-version", "")),
            flink_commit=str(d.get("flink-commit", "")),
            slots_total=_int(d.get("slots-total")),
            slots_available=_int(d.get("slots-available")),
            taskmanagers=_int(d.get("taskmanagers")),
            jobs_running=_int(d.get("jobs-running")),
            jobs_finished=_int(d.get("jobs-finished")),
            jobs_cancelled=_int(d.get("jobs-cancelled")),
            jobs_failed=_int(d.get("jobs-failed")),
            raw=d,
        )


def _major(version: str) -> int:
    try:
        return int(version.split(".")[0])
    except ValueError:
        return 0


@dataclass(frozen=True)
class ClusterConfig:
    """``GET /config``: the web UI's view of the cluster (version, features)."""

    flink_version: str
    flink_revision: str
    timezone: str
    features: dict[str, Any]
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @property
    def major_version(self) -> int:
        return _major(self.flink_version)

    @classmethod
    def from_json(cls, d: Json) -> ClusterConfig:
        return cls(
            flink_version=str(d.get("flink-version", "")),
            flink_revision=str(d.get("flink-revision", "")),
            timezone=str(d.get("timezone-name", "")),
            features=dict(d.get("features") or {}),
            raw=d,
        )


@dataclass(frozen=True)
class JobSummary:
    """One row of ``GET /jobs/overview``."""

    id: str
    name: str
    state: str
    start_time: int | None
    end_time: int | None
    duration: int | None
    last_modification: int | None = None
    tasks: dict[str, int] = field(default_factory=dict)
    job_type: str = ""  # STREAMING or BATCH where Flink says

    @classmethod
    def from_json(cls, d: Json) -> JobSummary:
        return cls(
            id=str(d.get("jid", "")),
            name=str(d.get("name", "")),
            state=str(d.get("state", "")),
            start_time=_ms(d.get("start-time")),
            end_time=_ms(d.get("end-time")),
            duration=_ms(d.get("duration")),
            last_modification=_ms(d.get("last-modification")),
            tasks={k: _int(v) for k, v in (d.get("tasks") or {}).items()},
            job_type=str(d.get("job-type") or d.get("jobType") or ""),
        )


@dataclass(frozen=True)
class Vertex:
    """A job vertex (chained operators) with its parallelism, status and I/O counters."""

    id: str
    name: str
    parallelism: int
    max_parallelism: int | None
    status: str
    start_time: int | None
    end_time: int | None
    duration: int | None
    read_records: int
    write_records: int
    read_bytes: int
    write_bytes: int
    tasks: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_json(cls, d: Json) -> Vertex:
        m = d.get("metrics") or {}
        return cls(
            id=str(d.get("id", "")),
            name=str(d.get("name", "")),
            parallelism=_int(d.get("parallelism"), 1),
            max_parallelism=_ms(d.get("maxParallelism")),
            status=str(d.get("status", "")),
            start_time=_ms(d.get("start-time")),
            end_time=_ms(d.get("end-time")),
            duration=_ms(d.get("duration")),
            read_records=_int(m.get("read-records")),
            write_records=_int(m.get("write-records")),
            read_bytes=_int(m.get("read-bytes")),
            write_bytes=_int(m.get("write-bytes")),
            tasks={k: _int(v) for k, v in (d.get("tasks") or {}).items()},
        )


@dataclass(frozen=True)
class JobDetails:
    """``GET /jobs/:id``: state, per-state timestamps, vertices and the plan."""

    id: str
    name: str
    state: str
    start_time: int | None
    end_time: int | None
    duration: int | None
    now: int | None
    timestamps: dict[str, int]
    vertices: list[Vertex]
    plan: Json
    is_stoppable: bool = False
    job_type: str = ""
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @property
    def tasks_running(self) -> bool:
        """The job and every vertex are RUNNING (only then can it take a savepoint)."""
        return (
            self.state == "RUNNING"
            and bool(self.vertices)
            and all(v.status == "RUNNING" for v in self.vertices)
        )

    @property
    def parallelism(self) -> int:
        """The largest vertex parallelism (what a spec's ``parallelism`` sets)."""
        return max((v.parallelism for v in self.vertices), default=0)

    @classmethod
    def from_json(cls, d: Json) -> JobDetails:
        plan = d.get("plan") or {}
        if isinstance(plan, dict) and "plan" in plan and "nodes" not in plan:
            plan = plan["plan"]
        return cls(
            id=str(d.get("jid", "")),
            name=str(d.get("name", "")),
            state=str(d.get("state", "")),
            start_time=_ms(d.get("start-time")),
            end_time=_ms(d.get("end-time")),
            duration=_ms(d.get("duration")),
            now=_ms(d.get("now")),
            timestamps={k: _int(v) for k, v in (d.get("timestamps") or {}).items()},
            vertices=[Vertex.from_json(v) for v in d.get("vertices") or []],
            plan=plan if isinstance(plan, dict) else {},
            is_stoppable=bool(d.get("isStoppable", False)),
            job_type=str(d.get("job-type", "")),
            raw=d,
        )


@dataclass(frozen=True)
class JobConfig:
    """``GET /jobs/:id/config``; ``user_config`` holds the global job parameters."""

    id: str
    name: str
    execution_config: Json
    user_config: dict[str, str]

    @property
    def identity(self) -> JobIdentity | None:
        """flinkops's identity of the job, or None for a job flinkops did not submit."""
        return JobIdentity.from_user_config(self.user_config)

    @classmethod
    def from_json(cls, d: Json) -> JobConfig:
        ec = d.get("execution-config") or {}
        user = ec.get("user-config") or {}
        return cls(
            id=str(d.get("jid", "")),
            name=str(d.get("name", "")),
            execution_config=ec,
            user_config={str(k): str(v) for k, v in user.items()},
        )


@dataclass(frozen=True)
class CheckpointRef:
    """A checkpoint or savepoint (completed, failed, in progress or restored from)."""

    id: int
    status: str
    is_savepoint: bool
    external_path: str | None
    trigger_timestamp: int | None = None
    latest_ack_timestamp: int | None = None
    restore_timestamp: int | None = None
    state_size: int | None = None
    end_to_end_duration: int | None = None
    checkpoint_type: str = ""
    failure_message: str | None = None

    @classmethod
    def from_json(cls, d: Json, *, status: str = "") -> CheckpointRef:
        path = d.get("external_path")
        return cls(
            id=_int(d.get("id")),
            status=str(d.get("status") or status),
            is_savepoint=bool(d.get("is_savepoint", False)),
            external_path=str(path)
            if path and path != "<checkpoint-not-externally-addressable>"
            else None,
            trigger_timestamp=_ms(d.get("trigger_timestamp")),
            latest_ack_timestamp=_ms(d.get("latest_ack_timestamp")),
            restore_timestamp=_ms(d.get("restore_timestamp")),
            state_size=_ms(d.get("state_size", d.get("checkpointed_size"))),
            end_to_end_duration=_ms(d.get("end_to_end_duration")),
            checkpoint_type=str(d.get("checkpoint_type", "")),
            failure_message=d.get("failure_message"),
        )


@dataclass(frozen=True)
class LatestCheckpoints:
    """The ``latest`` block of ``/jobs/:id/checkpoints``: newest of each kind, or None."""

    completed: CheckpointRef | None = None
    savepoint: CheckpointRef | None = None
    failed: CheckpointRef | None = None
    restored: CheckpointRef | None = None

    @property
    def retained(self) -> CheckpointRef | None:
        """The newest completed checkpoint or savepoint (what last-state restores from)."""
        done = [c for c in (self.completed, self.savepoint) if c and c.external_path]
        return max(done, key=lambda c: c.id) if done else None


@dataclass(frozen=True)
class Checkpoints:
    """``GET /jobs/:id/checkpoints``: counts, the latest of each kind, history (newest first)."""

    counts: dict[str, int]
    latest: LatestCheckpoints
    history: list[CheckpointRef]
    raw: Json = field(default_factory=dict, repr=False, compare=False)
    enabled: bool = True  # False: Flink says checkpointing was never enabled for the job

    @classmethod
    def disabled(cls) -> Checkpoints:
        """What a job without checkpointing has: nothing (Flink answers 404 for it)."""
        return cls(counts={}, latest=LatestCheckpoints(), history=[], enabled=False)

    @property
    def restored(self) -> CheckpointRef | None:
        """What the job was restored from (``is_savepoint``, ``external_path``), or None."""
        return self.latest.restored

    @classmethod
    def from_json(cls, d: Json) -> Checkpoints:
        latest = d.get("latest") or {}

        def ref(key: str, status: str) -> CheckpointRef | None:
            v = latest.get(key)
            return CheckpointRef.from_json(v, status=status) if isinstance(v, dict) else None

        return cls(
            counts={k: _int(v) for k, v in (d.get("counts") or {}).items()},
            latest=LatestCheckpoints(
                completed=ref("completed", "COMPLETED"),
                savepoint=ref("savepoint", "COMPLETED"),
                failed=ref("failed", "FAILED"),
                restored=ref("restored", "RESTORED"),
            ),
            history=[CheckpointRef.from_json(h) for h in d.get("history") or []],
            raw=d,
        )


@dataclass(frozen=True)
class ExceptionEntry:
    """One failure of a job: exception class and message, stack trace, where and when."""

    exception_name: str
    stacktrace: str
    timestamp: int | None
    task_name: str | None = None
    location: str | None = None
    concurrent: list[ExceptionEntry] = field(default_factory=list)

    @property
    def root_cause(self) -> str:
        """The deepest ``Caused by:`` line of the stack trace (the reason, usually)."""
        return root_line(self.stacktrace) or self.exception_name

    @classmethod
    def from_json(cls, d: Json) -> ExceptionEntry:
        endpoint = d.get("endpoint") or d.get("location") or d.get("taskManagerLocation")
        return cls(
            exception_name=str(d.get("exceptionName") or d.get("exception") or ""),
            stacktrace=str(d.get("stacktrace") or d.get("exception") or ""),
            timestamp=_ms(d.get("timestamp")),
            task_name=d.get("taskName") or d.get("task"),
            location=str(endpoint) if endpoint else None,
            concurrent=[cls.from_json(c) for c in d.get("concurrentExceptions") or []],
        )


@dataclass(frozen=True)
class Exceptions:
    """``GET /jobs/:id/exceptions``: the root exception and the history, newest first.

    ``root_exception`` is Flink 1.x's ``root-exception`` when present, else the
    newest history entry's stack trace (2.x dropped the 1.x fields).
    """

    root_exception: str | None
    timestamp: int | None
    history: list[ExceptionEntry]
    truncated: bool = False

    @property
    def root_cause(self) -> str:
        """One line saying why the job failed last ("" when it never failed)."""
        if self.history:
            return self.history[0].root_cause
        return root_line(self.root_exception)

    @classmethod
    def from_json(cls, d: Json) -> Exceptions:
        hist = d.get("exceptionHistory") or {}
        entries = [ExceptionEntry.from_json(e) for e in hist.get("entries") or []]
        truncated = bool(hist.get("truncated", False))
        if not entries and d.get("all-exceptions"):  # Flink 1.x without a history
            entries = [ExceptionEntry.from_json(e) for e in d["all-exceptions"]]
            truncated = bool(d.get("truncated", False))
        root = d.get("root-exception")
        ts = _ms(d.get("timestamp"))
        if root is None and entries:
            root, ts = entries[0].stacktrace, entries[0].timestamp
        return cls(
            root_exception=root,
            timestamp=ts,
            history=entries,
            truncated=truncated,
        )


@dataclass(frozen=True)
class SavepointStatus:
    """A savepoint trigger's state: IN_PROGRESS or COMPLETED (with a location or a failure)."""

    status: str
    location: str | None
    failure_cause: str | None

    @property
    def done(self) -> bool:
        return self.status == "COMPLETED"

    @classmethod
    def from_json(cls, d: Json) -> SavepointStatus:
        op = d.get("operation") or {}
        cause = op.get("failure-cause")
        text = None
        if isinstance(cause, dict):
            text = str(cause.get("stack-trace") or cause.get("class") or "") or None
        elif cause:
            text = str(cause)
        return cls(
            status=str((d.get("status") or {}).get("id", "")),
            location=op.get("location"),
            failure_cause=text,
        )


@dataclass(frozen=True)
class JarFile:
    """An uploaded jar: ``id`` is what ``run_jar``/``plan_jar`` take."""

    id: str
    name: str
    uploaded: int | None
    entry_classes: list[str]

    @classmethod
    def from_json(cls, d: Json) -> JarFile:
        return cls(
            id=str(d.get("id", "")),
            name=str(d.get("name", "")),
            uploaded=_ms(d.get("uploaded")),
            entry_classes=[str(e.get("name", "")) for e in d.get("entry") or []],
        )


@dataclass(frozen=True)
class TaskManager:
    """One registered TaskManager."""

    id: str
    path: str
    slots: int
    free_slots: int
    data_port: int | None
    last_heartbeat: int | None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: Json) -> TaskManager:
        return cls(
            id=str(d.get("id", "")),
            path=str(d.get("path", "")),
            slots=_int(d.get("slotsNumber")),
            free_slots=_int(d.get("freeSlots")),
            data_port=_ms(d.get("dataPort")),
            last_heartbeat=_ms(d.get("timeSinceLastHeartbeat")),
            raw=d,
        )


@dataclass(frozen=True)
class LogFile:
    """A log file a JobManager or TaskManager offers."""

    name: str
    size: int
    mtime: int | None = None

    @classmethod
    def from_json(cls, d: Json) -> LogFile:
        return cls(name=str(d.get("name", "")), size=_int(d.get("size")), mtime=_ms(d.get("mtime")))
