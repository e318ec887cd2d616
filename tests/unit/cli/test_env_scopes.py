"""Each command resolves only the ``${env:...}`` it uses (issue 22 item 7): an unset
channel secret fails `monitor` and `alerts test`, and no read-only or plan command."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import flinkops.ui
from flinkops.cli import main as cli_main
from flinkops.spec import load_project
from tests.conftest import job_yaml
from tests.unit.plan.fakes import fake_flink, write_project

__all__ = ["fake_flink"]  # the fixture

CHANNELS = """\
alerts:
  channels:
    hook:
      type: webhook
      url: "${env:HOOK_URL}"
      headers: {Authorization: "Bearer ${env:HOOK_TOKEN}"}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose only unset variable is a channel's token."""
    monkeypatch.setenv("HOOK_URL", "https://hooks.example.com/x")
    monkeypatch.delenv("HOOK_TOKEN", raising=False)
    root = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    with (root / "flinkops.yaml").open("a") as f:
        f.write(CHANNELS)
    return root


def run(project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli_main, [*args, "--project", str(project)])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "args",
    [
        ("status",),
        ("show", "job-a"),
        ("diagnose", "job-a"),
        ("logs", "job-a"),
        ("lineage",),
        ("validate",),
        ("plan", "--no-compat"),
        ("apply", "--auto-approve"),
        ("history", "job-a"),
    ],
)
def test_commands_that_send_no_alert_need_no_channel_secret(
    project: Path, fake_flink, args: tuple[str, ...]
) -> None:
    _code, output = run(project, *args)
    assert "HOOK_TOKEN" not in output
    assert "Usage:" not in output  # the command ran


def test_ui_needs_no_channel_secret(project: Path, fake_flink, monkeypatch) -> None:
    served: list[object] = []
    monkeypatch.setattr(flinkops.ui, "serve", lambda config, **kw: served.append(config))
    code, output = run(project, "ui")
    assert code == 0 and served, output
    assert "HOOK_TOKEN" not in output


@pytest.mark.parametrize("args", [("monitor", "--once"), ("alerts", "test", "hook")])
def test_sending_alerts_names_the_unset_variable_and_where(
    project: Path, fake_flink, args: tuple[str, ...]
) -> None:
    code, output = run(project, *args)
    assert code == 1
    line = next(
        n
        for n, text in enumerate((project / "flinkops.yaml").read_text().splitlines(), 1)
        if "HOOK_TOKEN" in text
    )
    lines = [t for t in output.splitlines() if t.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith(f"flinkops.yaml:{line}:"), output
    assert "environment variable HOOK_TOKEN is not set" in lines[0]
    assert "/alerts/channels/hook/headers/Authorization" in lines[0]


def test_store_and_target_variables_are_needed_where_they_are_used(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (project / "flinkops.yaml").read_text()
    text = text.replace("http://flink.test:8081", "http://flink.test:8081/${env:FLINK_PATH}")
    (project / "flinkops.yaml").write_text(text + "store: ${env:STORE_URL}\n")
    monkeypatch.delenv("FLINK_PATH", raising=False)
    monkeypatch.delenv("STORE_URL", raising=False)
    loaded = load_project(project)  # loads: nothing has used them yet
    with pytest.raises(Exception, match="FLINK_PATH is not set"):
        loaded.target("local")
    with pytest.raises(Exception, match="STORE_URL is not set"):
        _ = loaded.store_location
    code, output = run(project, "validate")
    assert code == 0, output
