"""`flinkops diagnose JOB`: rule-based advice from what the cluster says about a job.

``collect_facts`` reads one run of a job (details, numRestarts, exceptions,
checkpoints and their configuration, back pressure per vertex); ``diagnose``
is pure: each rule looks at the ``Facts`` and returns findings, each with the
evidence it saw and a next step. Rules never change a job.

    facts = collect_facts(client, job_id)
    for finding in diagnose(facts):
        print(finding.severity, finding.title, finding.evidence, finding.next_step)
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from flinkops.errors import FlinkError
from flinkops.flink.live import Scope
from flinkops.flink.models import Checkpoints, Exceptions, JobDetails
from flinkops.flink.rest import FlinkClient
from flinkops.ops._optional import optional
from flinkops.ops._rest import backpressure, checkpoint_config, job_metrics
from flinkops.ops._show import find_job
from flinkops.store import Store

__all__ = [
    "RULES",
    "Facts",
    "Finding",
    "collect_facts",
    "diagnose",
    "diagnose_job",
    "render_findings",
]

#: Restarts at or above this many are "repeated".
RESTARTS_WARN = 3
#: A running job with no records after this long is "not flowing" (metrics lag ~10 s).
NO_RECORDS_AFTER_MS = 60_000
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Finding:
    """One piece of advice: what, how bad, what the cluster showed, what to do next."""

    rule: str
    severity: str  # error | warning | info
    title: str
    evidence: tuple[str, ...]
    next_step: str

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "title": self.title,
            "evidence": list(self.evidence),
            "next_step": self.next_step,
        }


@dataclass(frozen=True)
class Facts:
    """What the cluster said about one run of a job; anything it did not say is None."""

    job: JobDetails
    now_ms: int
    num_restarts: int | None = None
    exceptions: Exceptions | None = None
    checkpoints: Checkpoints | None = None
    checkpoint_config: dict[str, Any] = field(default_factory=dict)
    backpressure: dict[str, dict[str, Any]] = field(default_factory=dict)  # vertex id -> level

    @property
    def uptime_ms(self) -> int | None:
        start = self.job.timestamps.get("RUNNING") or self.job.start_time
        if not start or self.job.state != "RUNNING":
            return None
        return max(0, (self.job.now or self.now_ms) - start)


# ------------------------------------------------------------------ known causes

_Cause = tuple[str, str, re.Pattern[str], str]
#: (rule, title, pattern over the stack traces, next step). First match per rule wins.
KNOWN_CAUSES: tuple[_Cause, ...] = (
    (
        "state-incompatible",
        "state could not be restored: the new program's state is incompatible "
        "(serializer or schema changed)",
        re.compile(
            r"StateMigrationException|must not be incompatible with the old state serializer"
            r"|incompatible with the old state|StateSerializer.*incompatib"
            r"|Failed to rollback to (?:checkpoint|savepoint)|Could not restore keyed state"
            r"|Error while getting state",
            re.I,
        ),
        "the SQL change altered an operator's state (e.g. an aggregate added to a GROUP BY): "
        "roll back to the previous version (revert the spec and `flinkops apply`), or start "
        "this version without state (upgradeMode: stateless) if losing state is acceptable",
    ),
    (
        "state-not-mapped",
        "the savepoint holds state for operators the new program does not have",
        re.compile(r"Cannot map (?:checkpoint/)?savepoint state for operator", re.I),
        "set allowNonRestoredState: true in the spec if dropping that operator's state is "
        "intended, or restore the previous SQL",
    ),
    (
        "missing-connector",
        "a connector or class is missing from the cluster's classpath",
        re.compile(
            r"Could not find any factory for identifier|ClassNotFoundException"
            r"|NoClassDefFoundError",
        ),
        "add the connector's jar (e.g. flink-sql-connector-<name>) to the cluster's lib/ "
        "directory and restart it, or fix the 'connector' option's spelling",
    ),
    (
        "out-of-memory",
        "a task ran out of memory",
        re.compile(
            r"OutOfMemoryError|Java heap space|Metaspace|Direct buffer memory"
            r"|GC overhead limit exceeded"
        ),
        "raise taskmanager.memory.process.size (or the part the error names: task heap, "
        "managed, metaspace, direct), or lower state size per slot (more parallelism, TTL)",
    ),
    (
        "bad-data",
        "a record could not be converted (bad cast or parse of input data)",
        re.compile(r"NumberFormatException|DateTimeParseException|Failed to cast|Cannot cast"),
        "use TRY_CAST (returns NULL) or filter the bad rows before the cast; check the "
        "source's format options",
    ),
    (
        "arithmetic",
        "an arithmetic error in the SQL (e.g. division by zero)",
        re.compile(r"ArithmeticException|/ by zero|Division by zero", re.I),
        "guard the expression (CASE WHEN divisor <> 0 ...) or filter those rows",
    ),
    (
        "no-slots",
        "the cluster has too few task slots for the job",
        re.compile(
            r"NoResourceAvailableException|Could not acquire the minimum required resources"
        ),
        "lower the job's parallelism or add TaskManagers / taskmanager.numberOfTaskSlots",
    ),
    (
        "taskmanager-lost",
        "a TaskManager was lost (crash, OOM kill or network)",
        re.compile(
            r"Heartbeat of TaskManager with id .* timed out|TaskManager .* disconnected"
            r"|Connection unexpectedly closed by remote task manager"
        ),
        "check the TaskManager's log (`flinkops logs JOB --taskmanager ID`) and the machine "
        "(kernel OOM killer, disk)",
    ),
    (
        "checkpoint-tolerance",
        "the job failed because checkpoints kept failing",
        re.compile(r"Exceeded checkpoint tolerable failure threshold"),
        "see the checkpoint findings: fix why checkpoints fail, or raise "
        "execution.checkpointing.tolerable-failed-checkpoints",
    ),
)


def _traces(facts: Facts) -> list[tuple[str, str]]:
    """(stack trace, its root cause line) of each exception, newest first."""
    exc = facts.exceptions
    if exc is None:
        return []
    out = [(e.stacktrace, e.root_cause) for e in exc.history]
    for e in exc.history:
        out.extend((c.stacktrace, c.root_cause) for c in e.concurrent)
    if not out and exc.root_exception:
        out.append((exc.root_exception, exc.root_cause))
    return out


def _matching_line(trace: str, pattern: re.Pattern[str]) -> str:
    for line in trace.splitlines():
        if pattern.search(line):
            return line.strip()[:300]
    return ""


def rule_known_causes(facts: Facts) -> list[Finding]:
    """Well-known root causes in the exception history."""
    findings = []
    traces = _traces(facts)
    for rule, title, pattern, step in KNOWN_CAUSES:
        for trace, root in traces:
            if pattern.search(trace):
                line = _matching_line(trace, pattern)
                evidence = [f"exception: {line}"] if line else []
                if root and root not in line:
                    evidence.append(f"root cause: {root[:300]}")
                severity = "error" if facts.job.state in ("FAILED", "RESTARTING") else "warning"
                findings.append(Finding(rule, severity, title, tuple(evidence), step))
                break
    return findings


def rule_failed(facts: Facts, known: list[Finding]) -> list[Finding]:
    """A FAILED job whose cause no known rule named."""
    if facts.job.state != "FAILED" or known:
        return []
    root = facts.exceptions.root_cause if facts.exceptions else ""
    return [
        Finding(
            "job-failed",
            "error",
            "the job failed",
            (f"root cause: {root[:300]}",) if root else ("Flink reported no exception",),
            "read the full exception (`flinkops show JOB`) and the logs (`flinkops logs JOB`)",
        )
    ]


def rule_restarts(facts: Facts) -> list[Finding]:
    """Repeated restarts: numRestarts, else the length of the exception history."""
    restarts = facts.num_restarts
    source = "numRestarts"
    if restarts is None and facts.exceptions is not None:
        restarts, source = len(facts.exceptions.history), "exception history entries"
    if restarts is None or restarts < RESTARTS_WARN:
        return []
    evidence = [f"{source}: {restarts}", f"job state: {facts.job.state}"]
    if facts.exceptions and facts.exceptions.root_cause:
        evidence.append(f"latest cause: {facts.exceptions.root_cause[:300]}")
    return [
        Finding(
            "repeated-restarts",
            "error" if facts.job.state == "RESTARTING" or restarts >= 10 else "warning",
            f"the job restarted {restarts} times",
            tuple(evidence),
            "fix the cause in the exception history (the other findings name it when they "
            "can); each restart rewinds to the last checkpoint and replays",
        )
    ]


def rule_checkpoints(facts: Facts) -> list[Finding]:
    """Checkpoint failures and timeouts."""
    cp = facts.checkpoints
    if cp is None:
        return []
    failed = cp.counts.get("failed", 0)
    completed = cp.counts.get("completed", 0)
    last_failed = cp.latest.failed
    last_done = cp.latest.completed
    if not failed or last_failed is None:
        return []
    recovered = last_done is not None and last_done.id > last_failed.id
    message = last_failed.failure_message or ""
    timeout_ms = facts.checkpoint_config.get("timeout")
    timed_out = bool(re.search(r"expired|timeout|timed out", message, re.I))
    evidence = [f"{failed} failed, {completed} completed", f"latest failure #{last_failed.id}"]
    if message:
        evidence.append(f"failure: {message[:300]}")
    if timed_out and timeout_ms:
        evidence.append(f"checkpoint timeout: {int(timeout_ms) // 1000}s")
    if timed_out:
        return [
            Finding(
                "checkpoint-timeouts",
                "warning" if recovered else "error",
                "checkpoints time out",
                tuple(evidence),
                "find the back-pressured or slow operator (see back pressure below); consider "
                "unaligned checkpoints (execution.checkpointing.unaligned.enabled) or raise "
                "execution.checkpointing.timeout",
            )
        ]
    if recovered and failed < RESTARTS_WARN:
        return []
    return [
        Finding(
            "checkpoint-failures",
            "warning" if recovered else "error",
            "checkpoints fail" + (" (the latest ones)" if not recovered else ""),
            tuple(evidence),
            "read the failure message; check the checkpoint storage "
            "(execution.checkpointing.dir) is reachable and writable from every TaskManager",
        )
    ]


def rule_backpressure(facts: Facts) -> list[Finding]:
    """Back-pressured vertices, and the busiest one downstream of them (the bottleneck)."""
    if facts.job.state != "RUNNING" or not facts.backpressure:
        return []
    names = {v.id: v.name for v in facts.job.vertices}
    high = [
        (vid, bp) for vid, bp in facts.backpressure.items() if bp.get("level") in ("high", "HIGH")
    ]
    if not high:
        return []
    evidence = [
        f"{names.get(vid, vid)}: back pressure {bp.get('level')} "
        f"(ratio {bp.get('max_ratio') or 0:.2f})"
        for vid, bp in high
    ]
    others = [(vid, bp) for vid, bp in facts.backpressure.items() if (vid, bp) not in high]
    busiest = max(others, key=lambda x: x[1].get("max_busy_ratio") or 0, default=None)
    step = "raise the parallelism of the slowest operator, or speed up its sink"
    if busiest and (busiest[1].get("max_busy_ratio") or 0) > 0.5:
        evidence.append(
            f"busiest: {names.get(busiest[0], busiest[0])} "
            f"(busy {busiest[1].get('max_busy_ratio'):.2f})"
        )
        step = (
            f"the bottleneck is likely {names.get(busiest[0], busiest[0])!r}: raise its "
            "parallelism or speed it up (sink throughput, lookups, skewed keys)"
        )
    return [Finding("backpressure", "warning", "the job is back-pressured", tuple(evidence), step)]


def rule_no_records(facts: Facts) -> list[Finding]:
    """A job running for a while that has read or written no records at all."""
    uptime = facts.uptime_ms
    if uptime is None or uptime < NO_RECORDS_AFTER_MS or not facts.job.vertices:
        return []
    moved = sum(v.read_records + v.write_records for v in facts.job.vertices)
    if moved:
        return []
    return [
        Finding(
            "no-records",
            "warning",
            "no records are flowing",
            (
                f"running for {uptime // 1000}s",
                "every vertex reports 0 records in and 0 records out",
            ),
            "check the source: is there data (topic, path, offsets / scan.startup.mode)? "
            "a filter or join may drop everything; watermarks may hold windows back",
        )
    ]


RULES: tuple[Callable[[Facts], list[Finding]], ...] = (
    rule_restarts,
    rule_checkpoints,
    rule_backpressure,
    rule_no_records,
)


def diagnose(facts: Facts) -> list[Finding]:
    """Every finding of every rule, most severe first. Pure."""
    known = rule_known_causes(facts)
    findings = [*known, *rule_failed(facts, known)]
    for rule in RULES:
        findings.extend(rule(facts))
    return sorted(findings, key=lambda f: _SEVERITY_ORDER.get(f.severity, 9))


# ------------------------------------------------------------------ reading


def collect_facts(client: FlinkClient, job_id: str) -> Facts:
    """Read what the rules need about one run. Raises FlinkError if the job is unknown."""
    job = client.job(job_id)
    metrics = optional(lambda: job_metrics(client, job_id, ["numRestarts"])) or {}
    restarts = metrics.get("numRestarts")
    bp: dict[str, dict[str, Any]] = {}
    if job.state == "RUNNING":
        for v in job.vertices:
            found = optional(partial(backpressure, client, job_id, v.id))
            if found is not None:
                bp[v.id] = found
    return Facts(
        job=job,
        now_ms=int(time.time() * 1000),
        num_restarts=int(restarts) if restarts is not None else None,
        exceptions=optional(lambda: client.exceptions(job_id, max_exceptions=20)),
        checkpoints=optional(lambda: client.checkpoints(job_id)),
        checkpoint_config=optional(lambda: checkpoint_config(client, job_id)) or {},
        backpressure=bp,
    )


def render_findings(data: dict[str, Any]) -> str:
    """Text form of the diagnose JSON (``{"job", "job_id", "flink_state", "findings"}``)."""
    head = f"Job {data['job']} ({data['job_id']}, {data['flink_state']})"
    if not data["findings"]:
        return f"{head}: no problems found."
    out = [f"{head}: {len(data['findings'])} finding(s)"]
    for f in data["findings"]:
        out.append("")
        out.append(f"[{f['severity'].upper()}] {f['title']}  ({f['rule']})")
        out.extend(f"  - {e}" for e in f["evidence"])
        out.append(f"  next: {f['next_step']}")
    return "\n".join(out)


def diagnose_job(
    client: FlinkClient,
    *,
    target: str,
    url: str,
    name: str,
    store: Store | None = None,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """``diagnose --format json`` of job ``name``'s newest run (or its unidentified one);
    with ``store``, an adopted job too (``find_job``). ``scope``: the project's (another
    project's job of that name is not its).

    Raises FlinkError when the cluster has no run of it. Not redacted: callers redact.
    """
    found = find_job(client, scope or target, name, store)
    run = found.newest or next(iter(found.unidentified), None)
    if run is None:
        raise FlinkError(
            f"job {name!r} has no run on target {target!r} ({url}) to diagnose; "
            f"`flinkops show {name}` shows what flinkops recorded"
        )
    facts = collect_facts(client, run.job_id)
    return {
        "job": name,
        "job_id": run.job_id,
        "ownership": run.ownership.value,
        "flink_state": facts.job.state,
        "findings": [f.to_json() for f in diagnose(facts)],
    }
