"""The transition journal: ``Store``'s methods over the transitions and journal tables."""

from __future__ import annotations

import json
import os
from typing import Any

from flinkops.errors import StoreError
from flinkops.store._db import Connection, Database
from flinkops.store._locks import hostname
from flinkops.store._records import (
    JOURNAL_PHASES,
    TRANSITION_STATUSES,
    JournalPhase,
    JournalStep,
    Transition,
    TransitionStatus,
    check_one_of,
    dumps_json,
    utc_now,
)

__all__ = ["Journal"]


class Journal:
    """Store's journal, its base class: an apply opens a transition, journals the start
    and end of each step, and ends it; recovery reads the transitions left open."""

    _db: Database

    def begin_transition(self, target: str, job: str, action: str, plan: dict[str, Any]) -> int:
        """Open a transition (status RUNNING) and return its id; committed on return."""
        with self._db.write("begin_transition") as db:
            row = db.execute(
                "INSERT INTO transitions (target, job, action, plan, status, started_at, pid,"
                " hostname) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    target,
                    job,
                    action,
                    dumps_json(plan, "plan"),
                    TransitionStatus.RUNNING,
                    utc_now(),
                    os.getpid(),
                    hostname(),
                ),
            ).fetchone()
            return int(row[0])

    def journal_step(
        self, transition_id: int, step: str, phase: JournalPhase, data: dict[str, Any]
    ) -> None:
        """Append ``step``/``phase`` (start, end or failed) with its data.

        Committed before it returns (unless inside ``atomic()``). Fault points:
        ``journal_step:<step>:<phase>:before-commit`` and ``...:after-commit``.
        """
        check_one_of(phase, JOURNAL_PHASES, "journal phase")
        with self._db.write(f"journal_step:{step}:{phase}") as db:
            self._require_running(db, transition_id)
            db.execute(
                "INSERT INTO journal (transition_id, seq, step, phase, data, at) VALUES (?, "
                "(SELECT COALESCE(MAX(seq), 0) + 1 FROM journal WHERE transition_id = ?),"
                " ?, ?, ?, ?)",
                (transition_id, transition_id, step, phase, dumps_json(data, "data"), utc_now()),
            )

    def end_transition(self, transition_id: int, status: TransitionStatus) -> None:
        """Close a running transition as DONE, FAILED or ROLLED_BACK."""
        check_one_of(status, TRANSITION_STATUSES - {TransitionStatus.RUNNING}, "transition status")
        with self._db.write("end_transition") as db:
            self._require_running(db, transition_id)
            db.execute(
                "UPDATE transitions SET status = ?, ended_at = ? WHERE id = ?",
                (status, utc_now(), transition_id),
            )

    def open_transitions(self, target: str) -> list[Transition]:
        """Transitions still RUNNING on ``target``, left by an interrupted apply; oldest first."""
        with self._db.read("open_transitions") as db:
            rows = db.execute(
                "SELECT * FROM transitions WHERE target = ? AND status = ? ORDER BY id",
                (target, TransitionStatus.RUNNING),
            ).fetchall()
            return [self._transition(db, row) for row in rows]

    def transition(self, transition_id: int) -> Transition:
        with self._db.read("transition") as db:
            row = db.execute("SELECT * FROM transitions WHERE id = ?", (transition_id,)).fetchone()
            if row is None:
                raise StoreError(f"no transition {transition_id} in store {self._db.name}")
            return self._transition(db, row)

    def transitions(self, target: str, job: str | None = None, limit: int = 50) -> list[Transition]:
        """Transitions of any status on ``target`` (of ``job`` when given), newest first."""
        sql = "SELECT * FROM transitions WHERE target = ?"
        params: list[Any] = [target]
        if job is not None:
            sql += " AND job = ?"
            params.append(job)
        with self._db.read("transitions") as db:
            rows = db.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]).fetchall()
            return [self._transition(db, row) for row in rows]

    def _require_running(self, db: Connection, transition_id: int) -> None:
        row = db.execute("SELECT status FROM transitions WHERE id = ?", (transition_id,)).fetchone()
        if row is None:
            raise StoreError(f"no transition {transition_id} in store {self._db.name}")
        if row["status"] != TransitionStatus.RUNNING:
            raise StoreError(f"transition {transition_id} has already ended ({row['status']})")

    @staticmethod
    def _transition(db: Connection, row: Any) -> Transition:
        steps = db.execute(
            "SELECT * FROM journal WHERE transition_id = ? ORDER BY seq", (row["id"],)
        ).fetchall()
        return Transition(
            id=row["id"],
            target=row["target"],
            job=row["job"],
            action=row["action"],
            plan=json.loads(row["plan"]),
            status=TransitionStatus(row["status"]),
            started_at=row["started_at"],
            ended_at=row["ended_at"],
            pid=row["pid"],
            hostname=row["hostname"],
            steps=tuple(
                JournalStep(
                    s["seq"], s["step"], JournalPhase(s["phase"]), json.loads(s["data"]), s["at"]
                )
                for s in steps
            ),
        )
