"""What every command shares: the root group, common options, error handling.

A command is wiring (docs/style.md §12): parse options, build adapters, call one
function, render. ``handle_errors`` turns a ``FlinkopsError`` into one red line and
exit 1; tracebacks only with ``--debug``.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import click

from flinkops.errors import FlinkopsError, SpecError

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "LazyGroup",
    "allow_behind_option",
    "complete_job",
    "complete_target",
    "debug_enabled",
    "emit_json",
    "format_option",
    "from_url_option",
    "handle_errors",
    "job_argument",
    "main",
    "project_option",
    "target_option",
]


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``; the version is looked up only when asked for."""
    if not value or ctx.resilient_parsing:
        return
    from flinkops import __version__

    click.echo(f"flinkops, version {__version__}")
    ctx.exit()


class LazyGroup(click.Group):
    """A group whose commands are imported when one is run, not when the CLI starts.

    ``lazy`` maps a command name to ``("package.module:attribute", "short help")``
    (the table is in ``flinkops/cli/__init__.py``). ``--help`` lists the names and
    short helps from the table without importing a command module; running or
    asking ``NAME --help`` imports only NAME's module (click's LazyGroup pattern).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, tuple[str, str]] = {}

    def add_lazy(self, commands: Mapping[str, tuple[str, str]]) -> None:
        self.lazy.update(commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.commands[cmd_name] = self._load(cmd_name)
        return self.commands.get(cmd_name)

    def _load(self, name: str) -> click.Command:
        module_name, _, attribute = self.lazy[name][0].partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.lazy[name][0]} (command {name!r}) is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Like click's, with the table's short help for commands not imported yet."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            command = self.commands.get(name)
            if command is not None:
                if command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                placeholder = click.Command(name, help=self.lazy[name][1])
                rows.append((name, placeholder.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Terraform for Flink SQL jobs.

    Keep Flink SQL jobs in git as YAML specs; `validate` them, `plan` what will
    change on the cluster and what happens to each job's state, and `apply` it with
    savepoint-safe transitions. `local up` starts a Flink cluster on this machine.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def use_colour() -> bool:
    """Colour on a terminal, unless NO_COLOR is set (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def debug_enabled() -> bool:
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if ctx.obj and ctx.obj.get("debug"):
            return True
        ctx = ctx.parent
    return False


def handle_errors(fn: F) -> F:
    """Print a FlinkopsError as one red line (every problem for a SpecError), exit 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except FlinkopsError as exc:
            if debug_enabled():
                raise
            if isinstance(exc, SpecError):
                for problem in exc.problems:
                    click.secho(str(problem), fg="red", err=True)
            else:
                click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]  # wraps(fn): fn's own signature, an F


def _project_for_completion(ctx: click.Context) -> Any:
    """The project a command line being completed names (``--project``, else found upward
    from here), read from disk only (no cluster, no store); None when it cannot be read."""
    from flinkops.spec import inspect_project

    try:
        project, _ = inspect_project(ctx.params.get("project_dir"), allow_empty=True)
    except Exception:  # completing must never fail: no project here, a broken file...
        return None
    return project


def complete_job(
    ctx: click.Context, _param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """Job names from the project's specs (shell completion; never contacts a cluster)."""
    from click.shell_completion import CompletionItem

    project = _project_for_completion(ctx)
    names = sorted({j.name for j in project.jobs}) if project is not None else []
    return [CompletionItem(n) for n in names if n.startswith(incomplete)]


def complete_target(
    ctx: click.Context, _param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """Target names from flinkops.yaml (shell completion)."""
    from click.shell_completion import CompletionItem

    project = _project_for_completion(ctx)
    names = sorted(project.targets) if project is not None else []
    return [CompletionItem(n) for n in names if n.startswith(incomplete)]


def job_argument(*, required: bool = True) -> Callable[[F], F]:
    """The JOB argument (a spec name), completed from the project's specs."""
    return click.argument("job", required=required, shell_complete=complete_job)


def project_option(fn: F) -> F:
    from pathlib import Path  # here: `flinkops --help` does not need pathlib

    return click.option(
        "--project",
        "project_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Project directory holding flinkops.yaml (default: search upward from here).",
    )(fn)


def target_option(fn: F) -> F:
    return click.option(
        "--target",
        "-t",
        default=None,
        help="Named target (cluster) from flinkops.yaml (default: defaultTarget).",
        shell_complete=complete_target,
    )(fn)


def from_url_option(fn: F) -> F:
    return click.option(
        "--from-url",
        metavar="URL",
        default=None,
        help="The cluster the target's jobs ran on before its url changed, for versions "
        "applied before flinkops recorded each version's cluster: its running jobs are "
        "planned as a migration to the target's cluster (stop with a savepoint there, "
        "submit here from it).",
    )(fn)


def allow_behind_option(fn: F) -> F:
    return click.option(
        "--allow-behind",
        is_flag=True,
        help="Act on a job even when its newest transition on the cluster came from a "
        "commit this checkout's history lacks (a colleague's apply not pulled yet), "
        "undoing it. Otherwise such a job is blocked: pull first.",
    )(fn)


def format_option(*choices: str) -> Callable[[F], F]:
    def deco(fn: F) -> F:
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(list(choices)),
            default=choices[0],
            show_default=True,
            help="Output format.",
        )(fn)

    return deco


def emit_json(data: Any) -> None:
    import json

    click.echo(json.dumps(data, indent=2, sort_keys=False, default=str))
