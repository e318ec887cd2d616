"""Waiting for jobs: healthy after a submission, terminal after a cancel, at the new
parallelism after an in-place rescale (``rescale_job`` also asks Flink for it)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flinkops.apply.flowing import FlowGate
from flinkops.errors import ApplyError, Unhealthy
from flinkops.flink.live import root_cause
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
    the window (or until its first completed checkpoint) within the timeout, and (with
    ``records_flowing``) its sources emitted records. Returns the verdict's evidence."""
    start = time.monotonic()
    since: float | None = None
    gate = FlowGate(client, job_id) if step.records_flowing else None
    while True:
        now = time.monotonic()
        details = client.job(job_id)
        if details.state in TERMINAL or details.state in ("FAILING", "RESTARTING"):
            cause = root_cause(client, job_id)
            raise Unhealthy(
                f"{job}: new job {job_id} went {details.state}" + (f": {cause}" if cause else ""),
                cause,
            )
        exceptions = client.exceptions(job_id)
        if exceptions.history or exceptions.root_exception:
            cause = exceptions.root_cause
            raise Unhealthy(f"{job}: new job {job_id} restarted: {cause}", cause)
        running = (
            details.state == "RUNNING"
            and details.vertices
            and all(v.status == "RUNNING" for v in details.vertices)
        )
        since = (since or now) if running else None
        if since is not None:
            if step.until_checkpoint:
                ready = client.checkpoints(job_id).counts.get("completed", 0) >= 1
            else:
                ready = now - since >= step.window
            if ready and (gate is None or gate.ready()):
                return {"flow": gate.verdict().to_json()} if gate else {}
        if now - start > step.timeout:
            idle = gate.verdict().describe() if gate and since is not None else ""
            raise Unhealthy(
                f"{job}: new job {job_id} not healthy after {step.timeout:g}s "
                f"(state {details.state})" + (f": {idle}" if idle else ""),
                idle,
            )
        what = (
            "waiting for the first checkpoint"
            if step.until_checkpoint and since
            else ("healthy for %.0fs" % (now - since) if since else f"starting ({details.state})")
        )
        progress(job, what, now - start)
        time.sleep(poll)


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
