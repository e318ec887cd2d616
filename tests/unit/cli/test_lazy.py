"""The CLI's lazy command table: `--help` imports no command module, and no heavy library.

Import checks run in a fresh interpreter and assert on ``sys.modules`` (which
modules got imported), never on timings; bench/bench_plan.py measures the time.
"""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from flinkops.cli import COMMANDS, main

#: What a light command must not load: the SQL stack, the HTTP client, the models.
HEAVY = ("sqlglot", "flinkops.sql", "httpx", "pydantic", "jsonschema", "yaml")

PROBE = """
import json, sys
from flinkops.cli import main
found = {}
for args in json.loads(sys.argv[1]):
    try:
        main(args, prog_name="flinkops", standalone_mode=False)
    except SystemExit:
        pass
    found[" ".join(args)] = sorted(sys.modules)
print(json.dumps(found))
"""


def modules_after(*runs: list[str]) -> dict[str, list[str]]:
    """For each command line run in turn in one fresh interpreter: the modules loaded."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(runs)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def test_root_help_and_version_import_no_command_module_and_nothing_heavy():
    found = modules_after(["--help"], ["--version"])
    for line, modules in found.items():
        assert heavy(modules) == [], line
        assert not [
            m for m in modules if m.startswith("flinkops.cli.") and m != "flinkops.cli._common"
        ], line


def test_every_commands_help_and_local_down_load_nothing_heavy(tmp_path):
    runs = [[name, "--help"] for name in sorted(COMMANDS)]
    runs += [["local", sub, "--help"] for sub in ("up", "down", "status")]
    runs += [["local", "down", "--dir", str(tmp_path / "cluster")]]
    for line, modules in modules_after(*runs).items():
        assert heavy(modules) == [], line


def test_the_probe_sees_heavy_imports():
    """The check above can fail: running a real command loads the SQL stack."""
    found = modules_after(["lineage", "--help"], ["validate", "--project", "/nonexistent"])
    assert "sqlglot" in found["validate --project /nonexistent"]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_table_entry_loads_its_command_with_its_short_help(name):
    command = main.get_command(click.Context(main), name)
    assert isinstance(command, click.Command)
    assert command.name == name
    assert COMMANDS[name][1] == command.get_short_help_str(limit=1000)


def test_help_lists_every_command_once_with_its_short_help():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    listed = [
        line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()
    ]
    assert listed == sorted(COMMANDS)
    assert "Carry the plan out on the cluster, savepoint-safe." in result.output


def test_an_unknown_command_is_clicks_usual_error():
    result = CliRunner().invoke(main, ["plna"])
    assert result.exit_code == 2
    assert "No such command 'plna'" in result.output


def test_version_is_the_installed_one():
    from importlib.metadata import version

    result = CliRunner().invoke(main, ["--version"])
    assert (result.exit_code, result.output) == (0, f"flinkops, version {version('flinkops')}\n")
