"""The history rows a transition appends when it records its outcome (step_runner.py's
``record`` step, and a transition that ends failed without one).

One row per transition, and for an automatic rollback two: the version that failed,
then the version that runs again (``rollback``), each with the Flink job and what it
restored from, so two rollbacks to the same version are two rows. A row carries the
commit and author of the spec the transition was made from (``versions.spec_commit``);
the rollback row those of the version put back. The rows are appended, never changed
(``Store.append_history``). ``flinkops import`` appends one row too: ``adopted_row``.
"""

from __future__ import annotations

from dataclasses import replace

from flinkops.apply.run_state import Run
from flinkops.apply.versions import spec_commit
from flinkops.store import HistoryRecord, Outcome, VersionRecord

__all__ = ["ADOPT", "ROLLBACK", "adopted_row", "history_rows"]

#: The action of the row an automatic rollback appends for the version it puts back.
ROLLBACK = "rollback"
#: The action of a job's first row when ``flinkops import`` took it over as it ran.
ADOPT = "adopt"


def history_rows(
    run: Run,
    target: str,
    outcome: Outcome,
    number: int,
    *,
    message: str,
    attempt: VersionRecord | None,
    previous: VersionRecord | None,
) -> list[HistoryRecord]:
    """The rows of ``run`` recording ``outcome`` of version ``number``.

    ``attempt`` is that version's record as the store holds it (the job a failed
    submission started, what it restored from); ``previous`` the record of the version
    a rollback put back. ``message`` is what the version record says.
    """
    state = run.state
    commit, author = spec_commit(run.spec)
    row = HistoryRecord(
        target=target,
        job=run.job,
        version=number,
        spec_hash=attempt.spec_hash if attempt else None,
        action=run.requested or run.action.value,
        outcome=outcome,
        git_commit=commit,
        git_author=author,
        message=message,
        transition_id=run.tid,
    )
    if outcome == Outcome.APPLIED:
        return [
            replace(
                row, job_id=state.job_id, restored_from=state.restored_from, savepoint=state.taken
            )
        ]
    if outcome in (Outcome.FAILED, Outcome.ROLLED_BACK, Outcome.INFRA_FAILED):
        failed = replace(
            row,
            job_id=attempt.job_id if attempt else None,
            restored_from=attempt.restored_from if attempt else None,
            savepoint=state.taken if outcome == Outcome.FAILED else None,
        )
        if outcome == Outcome.FAILED or run.applied_version is None:
            return [failed]
        back = _rollback_row(run, target, number, run.applied_version, previous)
        return [failed, back]
    stopped = state.cancelled or state.stopping or state.old_job_id
    return [replace(row, job_id=stopped, savepoint=state.taken)]


def _rollback_row(
    run: Run, target: str, number: int, applied: int, previous: VersionRecord | None
) -> HistoryRecord:
    """The row of version ``applied``, which a rollback put back after ``number`` failed."""
    state = run.state
    return HistoryRecord(
        target=target,
        job=run.job,
        version=applied,
        spec_hash=previous.spec_hash if previous else None,
        action=ROLLBACK,
        outcome=Outcome.APPLIED,
        git_commit=previous.git_commit if previous else None,
        git_author=previous.git_author if previous else None,
        job_id=state.job_id,
        restored_from=state.restored_from,
        savepoint=state.taken,
        message=f"version {number} failed; version {applied} runs again",
        transition_id=run.tid,
    )


def adopted_row(adopted: VersionRecord, job_id: str, message: str) -> HistoryRecord:
    """The row of version ``adopted`` (its record, outcome adopted): the job it runs as."""
    return HistoryRecord(
        target=adopted.target,
        job=adopted.job,
        version=adopted.version,
        spec_hash=adopted.spec_hash,
        action=ADOPT,
        outcome=Outcome.ADOPTED,
        git_commit=adopted.git_commit,
        git_author=adopted.git_author,
        job_id=job_id,
        message=message,
    )
