"""Which of a cluster's jobs are this project's: the ``Scope`` plan, apply and the ops
views read live jobs with (``flink.live.read_jobs``), from the project's id and what its
store recorded on the target (one store read)."""

from __future__ import annotations

from collections.abc import Iterable

from flinkops.flink.live import Scope
from flinkops.store import Store

__all__ = ["project_scope"]


def project_scope(
    store: Store,
    target: str,
    project: str | None,
    *,
    names: Iterable[str] = (),
    known_only: bool = False,
) -> Scope:
    """The scope of ``project`` (its id; None: ids not compared) on ``target``: the job
    ids its store recorded there, with their jobs' names (a job among them is the
    project's whatever it carries: a legacy job, or one `flinkops import` adopted),
    and its job names, ``names`` (its specs') with those the store recorded.
    ``known_only``: only active and recorded jobs' configurations are read (a plan)."""
    recorded = store.job_ids(target)
    return Scope(
        target,
        project,
        recorded,
        frozenset(names) | frozenset(recorded.values()),
        known_only,
    )
