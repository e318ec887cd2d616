"""A job's failures (``GET /jobs/:id/exceptions``) and the useful line of a stack trace."""

from __future__ import annotations

from dataclasses import dataclass, field

from flinkops.flink.models._fields import Json, ms

__all__ = ["ExceptionEntry", "Exceptions", "root_line"]


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
