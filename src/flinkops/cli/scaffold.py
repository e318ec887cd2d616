"""`flinkops init` and `flinkops schema`: a team's repository and its schemas.

Wiring only: parse the options, call ``flinkops.scaffold``, print what was written.
"""

from __future__ import annotations

from pathlib import Path

import click

from flinkops.cli._common import emit_json, format_option, handle_errors, main


def _targets(values: tuple[str, ...]) -> dict[str, str]:
    from flinkops.scaffold import LOCAL_URL

    targets = {"local": LOCAL_URL}
    for value in values:
        name, sep, url = value.partition("=")
        if not sep or not name or "://" not in url:
            raise click.BadParameter(f"{value!r} is not NAME=URL", param_hint="--target")
        targets[name] = url
    return targets


@main.command()
@click.argument(
    "directory", required=False, type=click.Path(file_okay=False, path_type=Path), default="."
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="NAME=URL",
    help="A target besides `local` (repeat); `local=URL` moves the local one.",
)
@format_option("text", "json")
@handle_errors
def init(directory: Path, targets: tuple[str, ...], fmt: str) -> None:
    """Start a flinkops project in DIRECTORY (default: here); never overwrites a file.

    \b
    Writes flinkops.yaml (a `local` target for `flinkops local up`, and each --target),
    jobs/example.yaml (a job that runs on the local cluster), the GitHub workflows
    (.github/workflows/flinkops-plan.yml comments the plan on pull requests,
    flinkops-apply.yml applies on merge; the version store's URL comes from the
    FLINKOPS_STORE_URL secret), .pre-commit-config.yaml (flinkops validate), .gitignore
    and schemas/ (for the YAML language server; `flinkops schema --write schemas`
    refreshes them after an upgrade). Then: `flinkops validate`, `flinkops local up`,
    `flinkops plan`, `flinkops apply`.
    """
    from flinkops import __version__
    from flinkops.scaffold import scaffold

    written = scaffold(directory, _targets(targets), pip_spec=f"flinkops=={__version__}")
    if fmt == "json":
        emit_json({"directory": str(directory.resolve()), "files": [w.to_json() for w in written]})
        return
    for w in written:
        click.echo(f"{'wrote' if w.written else 'kept '} {w.path}")
    click.echo("\nNext: flinkops validate && flinkops local up && flinkops plan")


@main.command()
@click.option("--path", "show_path", is_flag=True, help="Print where the schemas are installed.")
@click.option(
    "--write",
    "write_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Copy the job and project schemas into this directory.",
)
@handle_errors
def schema(show_path: bool, write_dir: Path | None) -> None:
    """The JSON schemas of job specs and flinkops.yaml, for editors and the YAML language
    server: `--path` prints the installed directory, `--write DIR` copies them into your
    repository (modeline `# yaml-language-server: $schema=../schemas/job.schema.json`)."""
    from flinkops.scaffold import schema_dir, write_schemas

    if not show_path and write_dir is None:
        raise click.UsageError("give --path or --write DIR")
    if show_path:
        click.echo(str(schema_dir()))
    if write_dir is not None:
        for w in write_schemas(write_dir):
            click.echo(f"{'wrote' if w.written else 'unchanged'} {w.path}")
