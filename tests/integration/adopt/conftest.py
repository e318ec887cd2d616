"""The apply tests' project on the session cluster (a target per test), reused here, and
a job started the way a team starts one without flinkops: ``POST /jars/:id/run`` of the
SQL runner with no flinkops identity in its configuration."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import build_run_body
from tests.integration.apply.conftest import Project, project, restored_from, stateful_sql

__all__ = ["Project", "project", "restored_from", "start_outside", "stateful_sql"]


@pytest.fixture
def start_outside(
    flink_client: FlinkClient, runner_jar_id: str, submitted_jobs: list[str]
) -> Callable[..., str]:
    """Start SQL as a plain Flink job (no identity); cancelled at teardown by id."""

    def start(name: str, sql: str, *, parallelism: int = 2) -> str:
        body = build_run_body(
            job_name=name,
            statements=[s for s in sql.split(";") if s.strip()],
            parallelism=parallelism,
            flink_configuration={
                "execution.checkpointing.interval": "2s",
                "pipeline.global-job-parameters": "team:legacy",
            },
        )
        job_id = flink_client.run_jar(runner_jar_id, body)
        submitted_jobs.append(job_id)
        return job_id

    return start
