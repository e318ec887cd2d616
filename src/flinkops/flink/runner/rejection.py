"""What Flink's planner said when it rejected a program's SQL, taken apart: its own
message, which statement it rejected, and where in that statement.

The SQL runner (``SqlRunner.java``) marks a statement Flink rejects with
``flinkops statement N: `` (N counts the statements it was sent, from 0). Flink's
positions (``From line 3, column 7 to line 3, column 13: ...``, ``Encountered "views"
at line 1, column 18``) are relative to that statement; ``Rejection`` carries them
apart from the message, which keeps Flink's words without them, without the runner's
mark and without the REST URL, so whoever knows where the statement starts (the spec:
``spec/validate.py``) can say where in the file the error is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flinkops.errors import FlinkError
from flinkops.flink._error_text import flink_error_summary

__all__ = ["STATEMENT_MARK", "Rejection", "rejection_of", "without_mark"]

#: How the runner marks the statement Flink rejected (see SqlRunner.java's header).
STATEMENT_MARK = re.compile(r"flinkops statement (\d+): ")
_RANGE = re.compile(r"From line (\d+), column (\d+) to line \d+, column \d+: ")
_AT = re.compile(r" at line (\d+), column (\d+)")
_HTTP = re.compile(r"^.*?: HTTP \d+: ", re.DOTALL)


@dataclass(frozen=True)
class Rejection:
    """Flink's rejection of a program: its ``message`` (Flink's words, without positions,
    mark or URL), the ``statement`` it rejected (an index into the statements sent; None
    when no one statement was to blame, e.g. while optimizing the whole program) and the
    1-based ``line`` and ``column`` in that statement (None when Flink gave none)."""

    message: str
    statement: int | None = None
    line: int | None = None
    column: int | None = None


def rejection_of(exc: FlinkError) -> Rejection:
    """The rejection a failed ``jars/:id/plan`` (or ``run``) carries: from Flink's own
    error texts, else from the exception's message without its request and status."""
    text = flink_error_summary(exc.flink_errors) if exc.flink_errors else str(exc)
    if not exc.flink_errors:
        text = _HTTP.sub("", text, count=1)
    statement = None
    mark = STATEMENT_MARK.search(text)
    if mark:
        statement = int(mark.group(1))
        text = STATEMENT_MARK.sub("", text)
    line = column = None
    where = _RANGE.search(text) or _AT.search(text)
    if where:
        line, column = int(where.group(1)), int(where.group(2))
    text = _AT.sub("", _RANGE.sub("", text))
    return Rejection(text.strip() or "Flink rejected the SQL", statement, line, column)


def without_mark(text: str) -> str:
    """``text`` without the runner's statement marks (for errors shown as they are)."""
    return STATEMENT_MARK.sub("", text)
