"""A project's id: ``project:`` as written, else where it sits in its git repository
(the same in every clone), else its folder's name; never a ',' or ':'."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from flinkops.errors import SpecError
from flinkops.gitinfo import _remote_path, repository_id
from flinkops.spec import load_project
from tests.conftest import PROJECT_YAML, job_yaml


def _project(root: Path, head: str = "") -> Path:
    (root / "jobs").mkdir(parents=True)
    (root / "jobs" / "a.yaml").write_text(job_yaml("job-a"))
    (root / "flinkops.yaml").write_text(head + PROJECT_YAML)
    return root


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.parametrize(
    "url",
    [
        "git@github.com:acme/jobs.git",
        "https://github.com/acme/jobs",
        "https://ci-token:secret@github.com/acme/jobs.git",
        "ssh://git@GitHub.com:22/acme/jobs.git/",
    ],
)
def test_every_clone_url_of_a_repository_gives_one_id(url: str) -> None:
    assert _remote_path(url) == "github.com/acme/jobs"


def test_a_local_path_remote_is_no_id() -> None:
    assert _remote_path("/srv/git/jobs.git") is None
    assert _remote_path("file:///srv/git/jobs.git") is None


def test_the_default_id_is_the_repository_and_the_folder_in_it(tmp_path: Path) -> None:
    for clone, url in (("laptop", "git@github.com:acme/jobs.git"),
                       ("ci", "https://x:y@github.com/acme/jobs")):  # fmt: skip
        repo = tmp_path / clone
        root = _project(repo / "flink")
        _git(repo, "init", "-q")
        _git(repo, "remote", "add", "origin", url)
        assert repository_id(root) == "github.com/acme/jobs/flink"
        assert load_project(root, env={}).project_id == "github.com/acme/jobs/flink"


def test_without_a_remote_the_folder_name_is_the_id(tmp_path: Path) -> None:
    root = _project(tmp_path / "orders jobs")
    assert repository_id(root) is None
    assert load_project(root, env={}).project_id == "orders-jobs"


def test_project_as_written_wins(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", "project: payments/team-a\n")
    assert load_project(root, env={}).project_id == "payments/team-a"


def test_a_project_id_flink_cannot_carry_is_refused_at_its_line(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", "project: 'team:a,b'\n")
    with pytest.raises(SpecError) as info:
        load_project(root, env={})
    assert any("flinkops.yaml:1" in str(p) and "/project" in str(p) for p in info.value.problems)
