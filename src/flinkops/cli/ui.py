"""`flinkops ui`: serve the ops console for the project's target."""

from __future__ import annotations

from pathlib import Path

import click

from flinkops.cli._common import handle_errors, main, project_option, target_option


@main.command()
@project_option
@target_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8088, show_default=True, type=int, help="Port to serve on.")
@click.option(
    "--allow-actions",
    is_flag=True,
    help="Offer savepoint, restart in place and diagnose (each confirmed, recorded as an event).",
)
@click.option(
    "--token",
    envvar="FLINKOPS_UI_TOKEN",
    default=None,
    help="Token every request must carry (env FLINKOPS_UI_TOKEN); required off 127.0.0.1.",
)
@click.option(
    "--refresh", default=5.0, show_default=True, help="Seconds between overview refreshes."
)
@handle_errors
def ui(
    project_dir: Path | None,
    target: str | None,
    host: str,
    port: int,
    allow_actions: bool,
    token: str | None,
    refresh: float,
) -> None:
    """Serve the ops console: job overview with state counts, job details (DAG,
    checkpoints, exceptions, logs, configuration, SQL, lineage, versions, events),
    cross-job column lineage and version diffs, with a JSON API under /api/.

    It reads the cluster and the version store through the same functions as
    `status`, `show`, `history` and `lineage`, and never edits a spec: suspend,
    resume and rollback are shown as the git change or command to run. It binds to
    127.0.0.1; any other address needs --token (or FLINKOPS_UI_TOKEN), checked on
    every request. Every asset ships in the package (works offline).
    """
    from flinkops.ui import UiConfig, check_binding, serve
    from flinkops.workspace import open_workspace

    check_binding(host, token)
    with open_workspace(project_dir, target) as ws:  # fail now on a bad project or target
        name, url = ws.target, ws.url
    config = UiConfig(
        project_dir=project_dir,
        target=name,
        allow_actions=allow_actions,
        token=token,
        refresh_seconds=refresh,
    )
    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    click.echo(f"flinkops console for target {name} ({url}): http://{shown}:{port}/", err=True)
    if token:
        click.echo("open it with ?token=<your token> once, or send Authorization: Bearer", err=True)
    serve(config, host=host, port=port)


__all__ = ["ui"]
