"""The history of transitions: ``Store``'s methods over the ``history`` table.

Append-only: a row per transition (suspend, resume, cancel, restart, rollback,
restore, rescale, update, create, delete, and the adoption of a running job), with
the commit and author it was done from, its time, the job running after it and what
that job restored from. Nothing here updates or deletes a row; ``versions`` is where a
version's current outcome lives.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from flinkops.store._db import Database
from flinkops.store._records import (
    OUTCOMES,
    PLACING_OUTCOMES,
    HistoryRecord,
    Outcome,
    check_one_of,
    utc_now,
)

__all__ = ["HistoryLog"]

_COLUMNS = tuple(f.name for f in fields(HistoryRecord))


def _row(row: Any) -> HistoryRecord:
    values = {name: row[name] for name in _COLUMNS}
    values["outcome"] = Outcome(values["outcome"])
    return HistoryRecord(**values)


class HistoryLog:
    """Store's history, one of its base classes (see the module doc)."""

    _db: Database

    def append_history(self, record: HistoryRecord) -> HistoryRecord:
        """Append ``record`` after the job's last row; returns it as stored (``seq``
        and, when empty, ``at`` filled). Joins an enclosing ``atomic()``."""
        check_one_of(record.outcome, OUTCOMES, "outcome")
        with self._db.write("append_history") as db:
            seq = db.execute(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM history WHERE target = ? AND job = ?",
                (record.target, record.job),
            ).fetchone()[0]
            record = replace(record, seq=int(seq), at=record.at or utc_now())
            db.execute(
                f"INSERT INTO history ({', '.join(_COLUMNS)})"
                f" VALUES ({', '.join('?' for _ in _COLUMNS)})",
                [getattr(record, name) for name in _COLUMNS],
            )
        return record

    def history(self, target: str, job: str) -> list[HistoryRecord]:
        """Every row of ``job`` on ``target``, oldest first."""
        with self._db.read("history") as db:
            rows = db.execute(
                "SELECT * FROM history WHERE target = ? AND job = ? ORDER BY seq",
                (target, job),
            ).fetchall()
        return [_row(r) for r in rows]

    def last_placed(self, target: str) -> dict[str, HistoryRecord]:
        """Per job of ``target``, its newest row that says what the job is left as
        (``HistoryRecord.places``): one read for a whole plan."""
        placing = sorted(PLACING_OUTCOMES)
        marks = ", ".join("?" for _ in placing)
        with self._db.read("last_placed") as db:
            rows = db.execute(
                "SELECT h.* FROM history h JOIN (SELECT job, MAX(seq) AS seq FROM history"
                f" WHERE target = ? AND outcome IN ({marks}) GROUP BY job) newest"
                " ON h.job = newest.job AND h.seq = newest.seq"
                " WHERE h.target = ?",
                (target, *placing, target),
            ).fetchall()
        return {r["job"]: _row(r) for r in rows}
