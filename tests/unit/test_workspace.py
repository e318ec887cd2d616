from __future__ import annotations

import pytest

from flinkops.errors import PlanError
from flinkops.workspace import open_workspace
from tests.conftest import PROJECT_YAML, job_yaml


def test_workspace_url_is_safe_to_print_and_the_client_gets_the_real_one(make_project) -> None:
    project = PROJECT_YAML.replace("http://localhost:8081", "http://bob:s3cret@localhost:8081")
    root = make_project({"jobs/a.yaml": job_yaml()}, project=project)
    with open_workspace(root, "local") as ws:
        assert ws.url == "http://localhost:8081"
        assert ws.client._http.base_url.password == "s3cret"  # httpx sends it as basic auth
        assert "s3cret" not in repr(ws.client)


def test_require_jobs_names_the_jobs_the_target_has_not(make_project) -> None:
    root = make_project({"jobs/a.yaml": job_yaml()})
    with open_workspace(root, "local") as ws:
        ws.require_jobs(["job-a"])
        with pytest.raises(PlanError, match="--job: no job named x, y on target local"):
            ws.require_jobs(["y", "job-a", "x"])


def test_rehearse_settings_from_the_command_line_and_the_files(make_project) -> None:
    from flinkops.plan import RehearseSettings, SnapshotKind

    root = make_project({"jobs/a.yaml": job_yaml()})
    with open_workspace(root, "local") as ws:
        assert ws.rehearse_settings() is None  # not asked, not set
        assert ws.rehearse_settings("checkpoint", timeout=30.0, keep=True) == RehearseSettings(
            SnapshotKind.CHECKPOINT, 30.0, True
        )
    project = (
        PROJECT_YAML.replace(
            "  local:\n    url: http://localhost:8081\n",
            "  local:\n    url: http://localhost:8081\n"
            "    rehearse: {timeout: 45s, target: prod, onApply: false}\n",
        )
        + "rehearse: {snapshot: checkpoint, timeout: 10s, concurrency: 2}\n"
    )
    root = make_project({"jobs/a.yaml": job_yaml()}, project=project)
    with open_workspace(root, "local") as ws:
        # the target's keys win over the project's; apply rehearses unless onApply: false
        assert ws.rehearse_settings() == RehearseSettings(
            SnapshotKind.CHECKPOINT, 45.0, False, 2, "prod"
        )
        assert ws.rehearse_settings(applying=True) is None
        assert ws.rehearsal_client(ws.rehearse_settings()).base_url.startswith("https://flink")


def test_rehearse_target_must_be_a_target_or_local(make_project) -> None:
    project = PROJECT_YAML + "rehearse: {target: nowhere}\n"
    root = make_project({"jobs/a.yaml": job_yaml()}, project=project)
    with open_workspace(root, "prod") as ws, pytest.raises(PlanError, match="'nowhere'"):
        ws.rehearse_settings()
