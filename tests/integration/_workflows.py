"""Running the steps of .github/workflows/*.yml as a runner would: each `run:` script
with bash (GitHub's `bash --noprofile --norc -eo pipefail`), in a checkout, with the
environment a test gives it."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

__all__ = ["WORKFLOWS", "run_step", "workflow_steps"]

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"


def workflow_steps(workflow: str) -> dict[str, dict[str, Any]]:
    """The named steps of the workflow's only job, by name."""
    [job] = yaml.safe_load((WORKFLOWS / workflow).read_text())["jobs"].values()
    return {step["name"]: step for step in job["steps"] if "name" in step}


def run_step(
    step: dict[str, Any], cwd: Path, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
