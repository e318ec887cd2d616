"""`flinkops logs JOB`: the lines of one job, from the processes that ran it.

Flink serves each process's whole log; this module picks one job's lines out of
them. ``job_logs`` reads the JobManager's log and the logs (or, with ``stdout``,
the ``.out`` files) of the TaskManagers running the job's tasks (``GET
/jobs/:id/vertices/:vid/taskmanagers``); ``job_lines`` (pure) keeps the records
a ``JobMatcher`` says are the job's: naming its ids, name or task attempts in the
JobManager's log, also its tasks' names in a TaskManager's. A task attempt's id
starts with its execution graph's, which the JobManager's log ties to the job
(``execution_graphs``), so two jobs' tasks of the same name stay apart. A record
is a line and the stack-trace lines that follow it.
A ``.out`` file is the TaskManager's stdout (a ``print`` sink's rows) and is not
filtered: Flink does not say which job printed a line. The JSON form is in
docs/ops-json.md; ``ops/_text.py`` draws the text. Works with ``ops/_show.py``
(finding the job) and ``flink/rest.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from flinkops.errors import FlinkError
from flinkops.flink.live import Scope, newest_run
from flinkops.flink.rest import FlinkClient, segment
from flinkops.ops._show import find_job
from flinkops.store import Store

__all__ = [
    "JobMatcher",
    "execution_graphs",
    "job_lines",
    "job_logs",
    "job_pattern",
    "running_taskmanagers",
]

#: A log record starts with a date and time (Flink's default log4j layout).
_RECORD_START = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}")
#: Lines that continue the record above them: a stack trace and its causes.
_CONTINUATION = re.compile(
    r"^(?:\s|Caused by:|Suppressed:|\.\.\. \d+ more|[\w$.]+(?:Exception|Error|Throwable)\b)"
)
#: A task attempt's id: execution graph id, job vertex id, subtask index, attempt number.
_ATTEMPT = re.compile(r"(?<![0-9a-f])([0-9a-f]{32})_[0-9a-f]{32}_\d+_\d+")
_GRAPH_CREATED = re.compile(r"Created execution graph ([0-9a-f]{32}) for job ([0-9a-f]{32})")


def job_pattern(terms: Iterable[str]) -> re.Pattern[str]:
    """A regex finding any of ``terms`` as a whole word (``live`` is not in ``alive``)."""
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    if not words:
        return re.compile(r"(?!)")
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def execution_graphs(jobmanager_log: str, job_ids: Iterable[str]) -> frozenset[str]:
    """The ids of the execution graphs the JobManager created for ``job_ids``, from its log.

    A task attempt's id starts with its execution graph's id, so a TaskManager line naming
    an attempt says whose task it is, even when two jobs' tasks have the same name.
    """
    ids = set(job_ids)
    return frozenset(m[1] for m in _GRAPH_CREATED.finditer(jobmanager_log) if m[2] in ids)


@dataclass(frozen=True)
class JobMatcher:
    """Whether a log line is the job's: it names an attempt of one of the job's execution
    ``graphs``, or (naming no attempt, or none of the graphs being known) one of ``words``."""

    words: re.Pattern[str]
    graphs: frozenset[str] = frozenset()

    def __call__(self, line: str) -> bool:
        attempts = {m[1] for m in _ATTEMPT.finditer(line)}
        if attempts and self.graphs:
            return bool(attempts & self.graphs)
        return bool(self.words.search(line))


def job_lines(text: str, matches: Callable[[str], object]) -> list[str]:
    """The records of ``text`` whose first line ``matches``, with their stack traces."""
    out: list[str] = []
    keep = False
    for line in text.splitlines():
        if _RECORD_START.match(line) or not _CONTINUATION.match(line):
            keep = bool(matches(line))
        if keep:
            out.append(line)
    return out


def running_taskmanagers(client: FlinkClient, job_id: str) -> tuple[list[str], list[str]]:
    """The ids of the TaskManagers running job ``job_id``'s tasks, and its tasks' names."""
    details = client.job(job_id)
    tms: list[str] = []
    for vertex in details.vertices:
        path = f"/jobs/{segment(job_id)}/vertices/{segment(vertex.id)}/taskmanagers"
        for row in client.get_json(path).get("taskmanagers", []):
            tm = str(row.get("taskmanager-id") or "")
            if tm and tm not in tms:
                tms.append(tm)
    return tms, [v.name for v in details.vertices]


def _taskmanager_lines(client: FlinkClient, tm: str, matches: JobMatcher) -> list[str]:
    return job_lines(client.taskmanager_log(tm), matches)


def _stdout_lines(client: FlinkClient, tm: str) -> list[str]:
    return client.taskmanager_stdout(tm).splitlines()


def _tail(lines: list[str], tail: int | None) -> list[str]:
    return lines[-tail:] if tail else lines


def _source(
    kind: str, source_id: str, read: Callable[[], list[str]], tail: int | None
) -> dict[str, Any]:
    """One source's lines (its last ``tail``), or why it could not be read."""
    try:
        return {"kind": kind, "id": source_id, "lines": _tail(read(), tail), "error": None}
    except FlinkError as exc:
        return {"kind": kind, "id": source_id, "lines": [], "error": str(exc)}


def _log_sources(
    client: FlinkClient, tms: list[str], words: list[str], tasks: list[str], tail: int | None
) -> list[dict[str, Any]]:
    """The JobManager's lines naming the job (its ids, name or task attempts), then each
    TaskManager's lines naming it or its tasks."""
    jm: dict[str, Any] = {"kind": "jobmanager", "id": "jobmanager", "lines": [], "error": None}
    try:
        jm_log = client.jobmanager_log()
    except FlinkError as exc:
        jm_log, jm["error"] = "", str(exc)
    graphs = execution_graphs(jm_log, words)
    jm["lines"] = _tail(job_lines(jm_log, JobMatcher(job_pattern(words), graphs)), tail)
    with_tasks = JobMatcher(job_pattern([*words, *tasks]), graphs)
    tm_sources = [
        _source("taskmanager", tm, partial(_taskmanager_lines, client, tm, with_tasks), tail)
        for tm in tms
    ]
    return [jm, *tm_sources]


def job_logs(
    client: FlinkClient,
    *,
    target: str,
    name: str,
    stdout: bool = False,
    tail: int | None = 200,
    store: Store | None = None,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """Job ``name``'s log lines per source (see the module docstring and docs/ops-json.md);
    with ``store``, an adopted job's too (``find_job``).

    ``tail`` keeps the last lines of each source. ``stdout`` reads the ``.out``
    files of the TaskManagers running the job instead of the logs (no JobManager).
    ``scope``: the project's (another project's job of that name is not its).
    """
    found = find_job(client, scope or target, name, store)
    run = found.newest or newest_run(found.unidentified)
    if run is None:
        raise FlinkError(
            f"no job {name!r} on target {target!r} ({client.base_url}); "
            "`flinkops status` lists the jobs"
        )
    job = run.managed_name or run.name
    job_ids = [r.job_id for r in (*found.runs, *found.unidentified)]
    tms, tasks = running_taskmanagers(client, run.job_id)
    if stdout:
        sources = [
            _source("taskmanager", tm, partial(_stdout_lines, client, tm), tail) for tm in tms
        ]
    else:
        sources = _log_sources(client, tms, [*job_ids, job], tasks, tail)
    return {
        "job": job,
        "job_id": run.job_id,
        "job_ids": job_ids,
        "stdout": stdout,
        "sources": sources,
    }
