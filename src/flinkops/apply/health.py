"""Waiting for jobs: healthy after a submission, terminal after a cancel, at the new
parallelism after an in-place rescale (``rescale_job`` also asks Flink for it).

The health gate tells the job's own failures (they fail it at once) from the cluster's
(a TaskManager lost, slots missing: ``flink.models.infrastructure_fault``), which it
leaves to Flink's restart strategy until its timeout."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flinkops.apply.flowing import FlowGate
from flinkops.errors import ApplyError, Unhealthy
from flinkops.flink.models import JobDetails
from flinkops.flink.rest import FlinkClient
from flinkops.plan.steps import WaitHealthy

__all__ = [
    "TERMINAL",
    "Progress",
    "rescale_job",
    "wait_healthy",
    "wait_state",
]

TERMINAL = frozenset({"FAILED", "CANCELED", "FINISHED"})
Progress = Callable[[str, str, float], None]


def wait_healthy(
    client: FlinkClient,
    job: str,
    job_id: str,
    step: WaitHealthy,
    *,
    progress: Progress,
    poll: float = 1.0,
) -> dict[str, Any]:
    """Raise Unhealthy unless the job runs with every task RUNNING and no restart for
    the window (and, with ``step.checkpoint``, a completed checkpoint; or with
    ``step.until_checkpoint`` until its first completed checkpoint instead) within the
    timeout, and (with ``records_flowing``) its sources emitted records. Returns the
    verdict's evidence.

    A failure of the job's own (its code, its state) fails the wait at once. A failure
    that Flink's exception says is the cluster's (a TaskManager lost, slots missing:
    ``Exceptions.infrastructure``) is left to Flink's restart strategy until the timeout,
    the window starting again after it; if the job still fails (or is still not running
    at the timeout) Unhealthy says ``infrastructure``, so the version is not blocked."""
    watch = _Watch(client, job, job_id, step)
    gate = FlowGate(client, job_id) if step.records_flowing else None
    while True:
        now = time.monotonic()
        details = client.job(job_id)
        watch.check_failures(details.state)
        since = watch.running_since(details, now)
        if since is not None and watch.ready(now - since) and (gate is None or gate.ready()):
            return {"flow": gate.verdict().to_json()} if gate else {}
        if now - watch.start > step.timeout:
            raise watch.timed_out(details, gate.verdict().describe() if gate and since else "")
        progress(job, watch.what(since, now, details.state), now - watch.start)
        time.sleep(poll)


class _Watch:
    """What ``wait_healthy`` remembers between polls: since when the job runs, how many
    failures Flink listed, and the cluster fault it restarts from, if any."""

    def __init__(self, client: FlinkClient, job: str, job_id: str, step: WaitHealthy) -> None:
        self.client, self.job, self.job_id, self.step = client, job, job_id, step
        self.start = time.monotonic()
        self.since: float | None = None
        self.seen = 0  # failures Flink listed so far: all of them the cluster's
        self.fault = ""  # the newest cluster fault's root cause

    def check_failures(self, state: str) -> None:
        """Raise Unhealthy when the job ended, or failed by its own fault since the last
        poll; a cluster fault only starts the window again."""
        exceptions = self.client.exceptions(self.job_id)
        if state in TERMINAL:
            cause = exceptions.root_cause
            raise Unhealthy(
                f"{self.job}: new job {self.job_id} went {state}" + (f": {cause}" if cause else ""),
                cause,
                infrastructure=bool(cause) and exceptions.infrastructure,
            )
        entries = exceptions.history or []
        count = len(entries) or (1 if exceptions.root_exception else 0)
        if count <= self.seen:
            return
        cause, new = exceptions.root_cause, entries[: count - self.seen]
        if not all(e.infrastructure for e in new) or not (new or exceptions.infrastructure):
            raise Unhealthy(f"{self.job}: new job {self.job_id} restarted: {cause}", cause)
        self.seen, self.fault, self.since = count, cause, None  # Flink restarts it

    def running_since(self, details: JobDetails, now: float) -> float | None:
        """Since when the job has run with every task RUNNING (None: it does not)."""
        running = (
            details.state == "RUNNING"
            and details.vertices
            and all(v.status == "RUNNING" for v in details.vertices)
        )
        self.since = (self.since or now) if running else None
        return self.since

    def ready(self, running_for: float) -> bool:
        """Whether the job ran long enough: the window, and a completed checkpoint when
        asked for (``until_checkpoint``: the checkpoint instead of the window)."""
        if self.step.until_checkpoint or self.step.checkpoint:
            if not self.step.until_checkpoint and running_for < self.step.window:
                return False
            return self.client.checkpoints(self.job_id).counts.get("completed", 0) >= 1
        return running_for >= self.step.window

    def timed_out(self, details: JobDetails, idle: str) -> Unhealthy:
        """Not healthy within the timeout: the cluster's fault when the job restarts from
        one, or its tasks still wait for slots; otherwise the job's own."""
        waiting = [v.name for v in details.vertices if v.status in _WAITING_FOR_SLOTS]
        if details.state not in ("CREATED", "RUNNING"):
            waiting = []
        why = idle
        if self.since is None and self.fault:
            why = f"restarting after a cluster fault: {self.fault}"
        elif self.since is None and waiting:
            why = f"waiting for task slots ({', '.join(waiting)})"
        return Unhealthy(
            f"{self.job}: new job {self.job_id} not healthy after {self.step.timeout:g}s "
            f"(state {details.state})" + (f": {why}" if why else ""),
            why,
            infrastructure=self.since is None and bool(self.fault or waiting),
        )

    def what(self, since: float | None, now: float, state: str) -> str:
        """What the wait waits for now, for the progress line."""
        if since is None:
            return (
                f"restarting after a cluster fault ({state})"
                if self.fault
                else f"starting ({state})"
            )
        if self.step.until_checkpoint or (self.step.checkpoint and now - since >= self.step.window):
            return "waiting for the first checkpoint"
        return "healthy for %.0fs" % (now - since)


#: A task in these states waits for a slot (``timed_out``: the cluster lacks slots).
_WAITING_FOR_SLOTS = frozenset({"CREATED", "SCHEDULED"})


def wait_state(
    client: FlinkClient,
    job: str,
    job_id: str,
    states: frozenset[str],
    what: str,
    timeout: float,
    progress: Progress,
    poll: float = 0.5,
) -> str:
    """Poll until the job is in one of ``states``; ApplyError after ``timeout`` seconds."""
    start = time.monotonic()
    while True:
        state = client.job(job_id).state
        if state in states:
            return state
        if time.monotonic() - start > timeout:
            raise ApplyError(f"{job}: job {job_id} still {state} after {timeout:g}s of {what}")
        progress(job, what, time.monotonic() - start)
        time.sleep(poll)


def rescale_job(
    client: FlinkClient,
    job: str,
    job_id: str,
    parallelism: int,
    *,
    timeout: float = 180.0,
    poll: float = 0.2,
    progress: Callable[[str, str, float], None] | None = None,
) -> dict[str, Any]:
    """Set every vertex's parallelism upper bound to ``parallelism`` and wait until the
    job (same id) runs every vertex at it; return what Flink restored from."""
    current = client.get_json(f"/jobs/{job_id}/resource-requirements")
    wanted = {v: {"parallelism": {"lowerBound": 1, "upperBound": parallelism}} for v in current}
    client.set_resource_requirements(job_id, wanted)
    start = time.monotonic()
    while True:
        details = client.job(job_id)
        at = [v.parallelism for v in details.vertices]
        if details.tasks_running and at and all(p == parallelism for p in at):
            break
        elapsed = time.monotonic() - start
        if details.state in ("FAILED", "CANCELED", "FINISHED") or elapsed > timeout:
            raise ApplyError(
                f"{job}: job {job_id} did not run at parallelism {parallelism} "
                f"(state {details.state}, vertices at {at}) after {elapsed:.0f}s"
            )
        if progress:
            progress(job, f"rescaling to {parallelism}", elapsed)
        time.sleep(poll)
    restored = client.checkpoints(job_id).latest.restored
    return {
        "job_id": job_id,
        "rescaled": parallelism,
        "restored_from": restored.external_path if restored else None,
        "rescale_seconds": round(time.monotonic() - start, 2),
    }
