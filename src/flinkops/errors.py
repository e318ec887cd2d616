"""Errors flinkops raises on purpose, all of them here. Anything else is a bug.

The tree::

    FlinkopsError                 one base: the CLI prints it in one line, exit 1
    ├── SpecError                 a spec or project file is wrong (carries located problems)
    ├── SqlError                  SQL that does not split or parse (line, col)
    ├── FlinkError                the cluster answered with an error, or not at all
    │   ├── FlinkUnreachable      connection refused, DNS, timeouts after retries
    │   └── SavepointFailed       Flink reports a savepoint failed (its cause carried)
    ├── LocalClusterError         starting or stopping the local cluster
    ├── StoreError                the version store (SQLite or PostgreSQL)
    │   └── LockHeld              another apply holds the target's lock
    ├── PlanError                 a plan cannot be made or is stale
    │   └── StalePlan             the cluster moved since the plan file was written
    ├── ApplyError                a transition failed (the job may have been rolled back)
    │   ├── Unhealthy             a new job failed, restarted or was not healthy in time;
    │   │                         carries Flink's root cause (the step runner records it)
    │   └── RehearsalEnded        a rehearsal ended before it restored (skipped, refused,
    │                             failed, timeout); apply/rehearse/ makes it the plan's
    │                             Rehearsal, never shown as an error
    ├── ImportRefused             `flinkops import` will not adopt a job: the SQL given
    │                             compiles to other stateful operators, the job is not
    │                             unmanaged, or a spec or version of that name exists
    ├── OpenLineageError          the OpenLineage endpoint did not take an event (the
    │                             apply itself is done: the CLI warns)
    ├── ChannelError              an alert channel did not take a message (monitoring goes on)
    └── UiError                   the console cannot start as asked
        └── ActionRefused         the console refuses an action (actions off, no such
                                  action, a bad CSRF token): HTTP 403

The console answers any other FlinkopsError with a page or JSON error: 404 for a
PlanError or a missing job, 502 for a FlinkError, else 400 (``ui/views.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ActionRefused",
    "ApplyError",
    "ChannelError",
    "FlinkError",
    "FlinkUnreachable",
    "FlinkopsError",
    "ImportRefused",
    "LocalClusterError",
    "LockHeld",
    "OpenLineageError",
    "PlanError",
    "Problem",
    "RehearsalEnded",
    "SavepointFailed",
    "SpecError",
    "SqlError",
    "StalePlan",
    "StoreError",
    "UiError",
    "Unhealthy",
]


class FlinkopsError(Exception):
    """Base of every error flinkops raises on purpose."""


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem in a spec: ``path:line:col: message (at /json/pointer)``."""

    path: str
    line: int
    col: int
    message: str
    pointer: str = ""

    def __str__(self) -> str:
        where = f" (at {self.pointer})" if self.pointer else ""
        return f"{self.path}:{self.line}:{self.col}: {self.message}{where}"

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "message": self.message,
            "pointer": self.pointer,
        }


class SpecError(FlinkopsError):
    """One or more located problems in spec or project files."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        first = str(self.problems[0]) if self.problems else "invalid spec"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first + more)


class SqlError(FlinkopsError):
    """SQL that cannot be split or parsed; line and col are 1-based within the SQL text."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        self.message = message
        self.line = line
        self.col = col
        super().__init__(f"{line}:{col}: {message}")


class FlinkError(FlinkopsError):
    """The Flink REST API answered with an error.

    ``url`` is the request URL (never with credentials), ``status`` the HTTP status
    (None when there was no answer), ``flink_errors`` Flink's own error texts.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str = "",
        status: int | None = None,
        flink_errors: list[str] | None = None,
    ) -> None:
        self.url = url
        self.status = status
        self.flink_errors = flink_errors or []
        super().__init__(message)


class FlinkUnreachable(FlinkError):
    """No answer from the cluster (refused, timed out) after the retries allowed."""


class SavepointFailed(FlinkError):
    """Flink answered that a savepoint failed; ``flink_errors`` holds its cause. A job
    asked to stop with it keeps running (Flink stops only after a complete savepoint)."""


class LocalClusterError(FlinkopsError):
    """The local cluster could not be started, found or stopped."""


class StoreError(FlinkopsError):
    """The version store could not be read or written."""


class LockHeld(StoreError):
    """Another apply holds the lock of this target."""


class PlanError(FlinkopsError):
    """A plan cannot be made."""


class StalePlan(PlanError):
    """The plan file no longer matches what the cluster or the store says."""


class ApplyError(FlinkopsError):
    """A transition failed; the message says what happened to the job."""


class Unhealthy(ApplyError):
    """A newly submitted job failed, restarted or did not become healthy in time
    (``apply/health.py``); ``root_cause`` is Flink's root exception text, or why it idled;
    ``infrastructure``: the cluster failed it (a TaskManager lost, slots missing), not
    the job's own code or state."""

    def __init__(self, message: str, root_cause: str = "", *, infrastructure: bool = False) -> None:
        self.root_cause = root_cause
        self.infrastructure = infrastructure
        super().__init__(message)


class RehearsalEnded(ApplyError):
    """A rehearsal ended before it restored: ``outcome`` (skipped, refused, failed,
    timeout), why (``reason``) and Flink's ``root_cause``; apply/rehearse/ turns it into
    the change's ``Rehearsal``."""

    def __init__(self, outcome: str, reason: str = "", root_cause: str = "") -> None:
        super().__init__(reason or root_cause or outcome)
        self.outcome, self.reason, self.root_cause = outcome, reason, root_cause


class ImportRefused(FlinkopsError):
    """`flinkops import` refuses to adopt a running job; nothing was written or recorded."""


class OpenLineageError(FlinkopsError):
    """The OpenLineage endpoint did not take an event."""


class ChannelError(FlinkopsError):
    """An alert channel refused a message or did not answer; says which and why."""


class UiError(FlinkopsError):
    """The console cannot start as asked (e.g. a non-local binding without a token)."""


class ActionRefused(UiError):
    """A request the console refuses (actions off, no such action, bad CSRF token)."""
