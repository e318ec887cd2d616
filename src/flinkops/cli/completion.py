"""`flinkops completion SHELL`: the shell completion script (click's), printed.

Completion goes through click's own machinery (``_FLINKOPS_COMPLETE``): command names
from the lazy table, options, job names from the project's specs (``complete_job``) and
target names from flinkops.yaml (``complete_target``), read from disk, never a cluster.
"""

from __future__ import annotations

import click

from flinkops.cli._common import handle_errors, main

SHELLS = ("bash", "zsh", "fish")


@main.command()
@click.argument("shell", type=click.Choice(SHELLS))
@handle_errors
def completion(shell: str) -> None:
    """Print the completion script for SHELL (bash, zsh, fish).

    \b
    Commands, options, job names (from the project's specs) and target names
    (from flinkops.yaml) complete; nothing contacts a cluster. Install it:
      bash:  flinkops completion bash > ~/.local/share/bash-completion/completions/flinkops
      zsh:   flinkops completion zsh > "${fpath[1]}/_flinkops"
      fish:  flinkops completion fish > ~/.config/fish/completions/flinkops.fish
    """
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    assert cls is not None, shell  # the three SHELLS are click's own
    root = click.get_current_context().find_root()
    click.echo(cls(root.command, {}, "flinkops", "_FLINKOPS_COMPLETE").source())
