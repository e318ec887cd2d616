"""Shared by the ops tests: recorded Flink payloads, live runs and stored versions."""

from __future__ import annotations

import json
from pathlib import Path

from flinkops.flink.live import LiveJob
from flinkops.store import VersionRecord

DATA = Path(__file__).parent.parent / "data" / "ops"
NOW = 1_795_274_600_000


def payload(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


def run(
    job_id: str,
    state: str,
    *,
    name: str = "",
    spec_hash: str = "",
    version: int = 1,
    start: int = NOW - 60_000,
    target: str = "local",
    job_type: str = "STREAMING",
    identity_error: str | None = None,
) -> LiveJob:
    ours = bool(name and spec_hash) and target == "local"
    return LiveJob(
        job_id=job_id,
        name=name or job_id,
        state=state,
        start_time=start,
        job_type=job_type,
        managed_name=name if ours else None,
        version=version if ours else None,
        spec_hash=spec_hash if ours else None,
        identity_target=target if name and spec_hash and not ours else None,
        identity_error=identity_error,
    )


def version(job: str, n: int, outcome: str, spec_hash: str = "h") -> VersionRecord:
    return VersionRecord("local", job, n, spec_hash, "s", "c", {}, "SELECT 1", outcome=outcome)


def by_name(status: dict) -> dict[str, dict]:
    return {j["name"]: j for j in status["jobs"]}
