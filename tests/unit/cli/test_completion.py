"""Shell completion through click's own API: the scripts, command names, options, job
names from the project's specs and target names, without contacting a cluster."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.shell_completion import ShellComplete
from click.testing import CliRunner

from flinkops.cli import main
from flinkops.flink.rest import FlinkClient

JOB = """\
apiVersion: flinkops/v1
kind: SqlJob
metadata: {{name: {name}}}
spec:
  sql: |
    CREATE TABLE s (x INT) WITH ('connector' = 'datagen');
    CREATE TABLE t (x INT) WITH ('connector' = 'blackhole');
    INSERT INTO t SELECT x FROM s;
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "jobs").mkdir()
    (tmp_path / "flinkops.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: Project\njobs: [jobs/]\ndefaultTarget: local\n"
        "targets:\n  local: {url: 'http://localhost:1'}\n  prod: {url: 'http://prod:8081'}\n"
    )
    for name in ("orders", "orders-per-minute", "payments"):
        (tmp_path / "jobs" / f"{name}.yaml").write_text(JOB.format(name=name))

    def no_cluster(*_args: object, **_kw: object) -> None:
        raise AssertionError("completion contacted a cluster")

    monkeypatch.setattr(FlinkClient, "_request", no_cluster)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _complete(args: list[str], incomplete: str) -> list[str]:
    completer = ShellComplete(main, {}, "flinkops", "_FLINKOPS_COMPLETE")
    return [c.value for c in completer.get_completions(args, incomplete)]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_script_for_each_shell_is_generated(shell: str) -> None:
    done = CliRunner().invoke(main, ["completion", shell])
    assert done.exit_code == 0, done.output
    assert "_FLINKOPS_COMPLETE" in done.output and f"{shell}_complete" in done.output


def test_command_names_and_options_complete(project: Path) -> None:
    assert {"import", "init", "show", "status"} <= set(_complete([], ""))
    assert _complete([], "hist") == ["history"]
    assert "--target" in _complete(["plan"], "--t")


@pytest.mark.parametrize(
    "command", ["show", "history", "logs", "restore", "rollback", "savepoint", "diagnose"]
)
def test_job_names_complete_from_the_specs(project: Path, command: str) -> None:
    assert _complete([command], "") == ["orders", "orders-per-minute", "payments"]
    assert _complete([command], "orders-") == ["orders-per-minute"]


def test_target_names_complete_and_project_is_honoured(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _complete(["plan", "--target"], "") == ["local", "prod"]
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    assert _complete(["show", "--project", str(project)], "pay") == ["payments"]
    assert _complete(["show"], "") == []  # no project here: nothing, and no error
