"""A job's failures (``GET /jobs/:id/exceptions``), the useful line of a stack trace, and
whether a failure is the cluster's (a TaskManager lost, slots missing) or the job's own."""

from __future__ import annotations

from dataclasses import dataclass, field

from flinkops.flink.models._fields import Json, ms

__all__ = [
    "INFRASTRUCTURE_FAULTS",
    "ExceptionEntry",
    "Exceptions",
    "infrastructure_fault",
    "root_line",
]

#: What Flink writes in a stack trace when the cluster, not the job, failed it: a
#: TaskManager lost (killed, its heartbeat timed out, its connection closed) or slots
#: missing. A failure whose trace names none of these is the job's own (its code, its
#: state, its SQL), and blocks its spec; one of these is retried (apply/health.py).
INFRASTRUCTURE_FAULTS = (
    "NoResourceAvailableException",  # slots missing: "Could not acquire the minimum ..."
    "UnknownTaskExecutorException",
    "is no longer reachable",  # JobMasterException: TaskManager with id ... is no longer ...
    "Heartbeat of TaskManager with id",  # TimeoutException: ... timed out
    "The TaskExecutor is shutting down",
    "remote task manager was lost",  # RemoteTransportException: Connection unexpectedly ...
    "Connection unexpectedly closed by remote task manager",
    "PartitionConnectionException",  # a downstream task lost its upstream's TaskManager
)


def infrastructure_fault(stacktrace: str) -> bool:
    """Whether ``stacktrace`` (any level of it) says the cluster failed the job
    (``INFRASTRUCTURE_FAULTS``) rather than the job's own code or state."""
    return any(marker in stacktrace for marker in INFRASTRUCTURE_FAULTS)


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

    @property
    def infrastructure(self) -> bool:
        """Whether the cluster failed the job here (a TaskManager lost, slots missing)."""
        return infrastructure_fault(f"{self.exception_name}\n{self.stacktrace}")

    @classmethod
    def from_json(cls, d: Json) -> ExceptionEntry:
        endpoint = d.get("endpoint") or d.get("location") or d.get("taskManagerLocation")
        return cls(
            exception_name=str(d.get("exceptionName") or d.get("exception") or ""),
            stacktrace=str(d.get("stacktrace") or d.get("exception") or ""),
            timestamp=ms(d.get("timestamp")),
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

    @property
    def infrastructure(self) -> bool:
        """Whether the newest failure was the cluster's (``ExceptionEntry.infrastructure``);
        False when the job never failed."""
        if self.history:
            return self.history[0].infrastructure
        return infrastructure_fault(self.root_exception or "")

    @classmethod
    def from_json(cls, d: Json) -> Exceptions:
        hist = d.get("exceptionHistory") or {}
        entries = [ExceptionEntry.from_json(e) for e in hist.get("entries") or []]
        truncated = bool(hist.get("truncated", False))
        if not entries and d.get("all-exceptions"):  # Flink 1.x without a history
            entries = [ExceptionEntry.from_json(e) for e in d["all-exceptions"]]
            truncated = bool(d.get("truncated", False))
        root = d.get("root-exception")
        ts = ms(d.get("timestamp"))
        if root is None and entries:
            root, ts = entries[0].stacktrace, entries[0].timestamp
        return cls(
            root_exception=root,
            timestamp=ts,
            history=entries,
            truncated=truncated,
        )
