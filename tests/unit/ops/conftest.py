"""The project the status tests read: one job per desired state, and one never started."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flinkops.spec import JobSpec, load_project
from tests.conftest import job_yaml


@pytest.fixture
def specs(make_project: Callable[..., Path]) -> list[JobSpec]:
    root = make_project(
        {
            "jobs/a.yaml": job_yaml("orders"),
            "jobs/b.yaml": job_yaml("paused", extra="state: suspended\n"),
            "jobs/c.yaml": job_yaml("gone", extra="state: cancelled\n"),
            "jobs/d.yaml": job_yaml("broken"),
            "jobs/e.yaml": job_yaml("fresh"),
        }
    )
    return load_project(root).jobs_for("local")
