"""`flinkops init` and `flinkops schema` (``scaffold/``): what a team's repository starts
with, that it validates, that nothing is overwritten, and that the workflows are valid."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from flinkops.cli import main
from flinkops.scaffold import schema_dir
from flinkops.spec import load_project

EXPECTED = [
    "flinkops.yaml",
    "jobs/example.yaml",
    ".github/workflows/flinkops-plan.yml",
    ".github/workflows/flinkops-apply.yml",
    ".pre-commit-config.yaml",
    ".gitignore",
    "schemas/job.schema.json",
    "schemas/project.schema.json",
]


def _init(tmp_path: Path, *args: str) -> dict:
    done = CliRunner().invoke(main, ["init", str(tmp_path), *args, "--format", "json"])
    assert done.exit_code == 0, done.output
    return json.loads(done.output)


def test_init_writes_a_project_that_validates(tmp_path: Path) -> None:
    out = _init(tmp_path, "--target", "prod=https://flink.prod:8081")
    assert [f["path"] for f in out["files"]] == EXPECTED
    assert all(f["written"] for f in out["files"])
    project = load_project(tmp_path, env={})
    assert set(project.targets) == {"local", "prod"} and project.model.default_target == "local"
    assert [j.name for j in project.jobs] == ["example-orders"]
    job = (tmp_path / "jobs" / "example.yaml").read_text()
    assert job.startswith("# yaml-language-server: $schema=../schemas/job.schema.json")
    assert (tmp_path / "schemas" / "job.schema.json").read_text() == (
        schema_dir() / "job.schema.json"
    ).read_text()


def test_init_never_overwrites_a_file(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("mine\n")
    out = _init(tmp_path)
    assert {f["path"]: f["written"] for f in out["files"]}[".gitignore"] is False
    assert (tmp_path / ".gitignore").read_text() == "mine\n"
    again = _init(tmp_path)
    assert not any(f["written"] for f in again["files"])


def test_init_rejects_a_target_that_is_not_name_equals_url(tmp_path: Path) -> None:
    done = CliRunner().invoke(main, ["init", str(tmp_path), "--target", "prod"])
    assert done.exit_code == 2 and "NAME=URL" in done.output


def _workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True)  # PyYAML reads `on` as True (YAML 1.1)
    return data


@pytest.mark.parametrize("name", ["flinkops-plan.yml", "flinkops-apply.yml"])
def test_init_workflows_match_githubs_schema_and_take_the_store_from_a_secret(
    tmp_path: Path, name: str
) -> None:
    vendor = pytest.importorskip("check_jsonschema.builtin_schemas.vendor")
    _init(tmp_path)
    workflow = _workflow(tmp_path / ".github" / "workflows" / name)
    schema = json.loads(files(vendor).joinpath("github-workflows.json").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert [e.message for e in validator.iter_errors(workflow)] == []
    (job,) = workflow["jobs"].values()
    assert job["env"]["FLINKOPS_STORE"] == "${{ secrets.FLINKOPS_STORE_URL }}"
    assert any("flinkops validate" in s.get("run", "") for s in job["steps"])


def test_the_store_environment_variable_takes_the_place_of_store(tmp_path: Path) -> None:
    _init(tmp_path)
    url = "postgresql://ci:s3cret@db:5432/flinkops"
    project = load_project(tmp_path, env={"FLINKOPS_STORE": url})
    assert project.store_location == url and "s3cret" in project.secrets


def test_schema_path_and_write(tmp_path: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(main, ["schema", "--path"])
    assert shown.exit_code == 0 and Path(shown.output.strip()) == schema_dir()
    wrote = runner.invoke(main, ["schema", "--write", str(tmp_path / "s")])
    assert wrote.exit_code == 0, wrote.output
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == [
        "job.schema.json",
        "project.schema.json",
    ]
    assert "unchanged" in runner.invoke(main, ["schema", "--write", str(tmp_path / "s")]).output
