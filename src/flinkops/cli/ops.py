"""`flinkops status|show|savepoint|logs|diagnose`: the ops center in the terminal.

Wiring only: open the workspace, call one function of flinkops.ops, render its
JSON form as text or print it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from flinkops.cli._common import (
    emit_json,
    format_option,
    handle_errors,
    job_argument,
    main,
    project_option,
    target_option,
)
from flinkops.errors import FlinkUnreachable

if TYPE_CHECKING:
    from flinkops.workspace import Workspace


def _labels(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{value!r} is not k=v", param_hint="--label")
        out[key] = val
    return out


def _status_once(
    ws: Workspace, fmt: str, state: str | None, labels: dict[str, str], reconnect: float
) -> dict[str, Any]:
    from flinkops.ops import collect_status, filter_status

    def reconnecting(elapsed: float, exc: FlinkUnreachable) -> None:
        if fmt == "text":
            click.secho(
                f"RECONNECTING to {ws.url} ({elapsed:.0f}s of {reconnect:g}s)…", dim=True, err=True
            )

    status = collect_status(
        ws.client,
        ws.store,
        target=ws.target,
        url=ws.url,
        specs=ws.specs,
        reconnect_timeout=reconnect,
        on_reconnect=reconnecting,
        scope=ws.scope,
    )
    return filter_status(ws.redact(status), state=state, labels=labels)


@main.command()
@project_option
@target_option
@click.option("--state", "state", default=None, help="Only jobs in this current state.")
@click.option("--label", "labels", multiple=True, help="Only jobs with this label (k=v; repeat).")
@format_option("text", "json")
@click.option("--watch", is_flag=True, help="Refresh in place until Ctrl-C.")
@click.option(
    "--interval", default=5.0, show_default=True, help="Seconds between refreshes (--watch)."
)
@click.option(
    "--reconnect-timeout",
    default=10.0,
    show_default=True,
    help="Seconds to keep retrying an unreachable cluster before showing UNKNOWN.",
)
@handle_errors
def status(
    project_dir: Path | None,
    target: str | None,
    state: str | None,
    labels: tuple[str, ...],
    fmt: str,
    watch: bool,
    interval: float,
    reconnect_timeout: float,
) -> None:
    """Desired and current state of every job on a target, with state counts.

    Current is RUNNING, RESTARTING, FAILED, FINISHED, CANCELED, SUSPENDED (stopped
    by flinkops with a savepoint), TRANSITIONING (an apply is working on it),
    NOT_DEPLOYED or UNKNOWN. ALERTS shows the alerts `flinkops monitor` has firing
    for a job (worst first: severity, rule, for how long); those jobs come first.
    When the cluster does not answer within
    --reconnect-timeout, every job is shown UNKNOWN with the reason and the exit
    code is 1, so scripts notice. Never changes a job.
    """
    from flinkops.ops import render_status
    from flinkops.workspace import open_workspace

    wanted = _labels(labels)
    with open_workspace(project_dir, target) as ws:
        if not watch:
            data = _status_once(ws, fmt, state, wanted, reconnect_timeout)
            emit_json(data) if fmt == "json" else click.echo(render_status(data))
            sys.exit(0 if data["reachable"] else 1)
        try:
            while True:
                data = _status_once(ws, fmt, state, wanted, reconnect_timeout)
                if fmt == "json":
                    import json

                    click.echo(json.dumps(data, default=str))
                else:
                    click.clear()
                    click.echo(render_status(data))
                    click.secho(
                        f"\nrefreshing every {interval:g}s — Ctrl-C to stop", dim=True, err=True
                    )
                time.sleep(interval)
        except KeyboardInterrupt:
            pass


@main.command()
@job_argument()
@project_option
@target_option
@format_option("text", "json")
@handle_errors
def show(job: str, project_dir: Path | None, target: str | None, fmt: str) -> None:
    """A job's overview, configuration as applied, vertices, checkpoints, exceptions,
    versions and events (JOB: a spec name or a Flink job id). Never changes a job.

    When the cluster does not answer, what the store knows is shown and the exit
    code is 1."""
    from flinkops.ops import collect_show, render_show
    from flinkops.workspace import open_workspace

    with open_workspace(project_dir, target) as ws:
        data = collect_show(
            ws.client,
            ws.store,
            target=ws.target,
            url=ws.url,
            name=job,
            spec=ws.spec(job),
            redact=ws.redact,
            scope=ws.scope,
        )
        data = ws.redact(data)
    emit_json(data) if fmt == "json" else click.echo(render_show(data))
    if not data["reachable"]:
        sys.exit(1)


@main.command()
@job_argument()
@project_option
@target_option
@click.option("--dir", "directory", default=None, help="Savepoint directory (default: spec's).")
@click.option("--timeout", default=300.0, show_default=True, help="Seconds to wait for it.")
@format_option("text", "json")
@handle_errors
def savepoint(
    job: str,
    project_dir: Path | None,
    target: str | None,
    directory: str | None,
    timeout: float,
    fmt: str,
) -> None:
    """Take a savepoint of a running job without stopping it; record it in the store."""
    from flinkops.ops import take_savepoint
    from flinkops.workspace import open_workspace

    with open_workspace(project_dir, target) as ws:

        def progress(elapsed: float) -> None:
            if fmt == "text" and int(elapsed * 2) % 10 == 0:
                click.secho(f"… savepoint in progress ({elapsed:.0f}s)", dim=True, err=True)

        data = take_savepoint(
            ws.client,
            ws.store,
            target=ws.target,
            name=job,
            spec=ws.spec(job),
            directory=directory,
            timeout=timeout,
            on_progress=progress,
            scope=ws.scope,
        )
    if fmt == "json":
        emit_json(data)
    else:
        click.echo(f"Savepoint of {data['job']} ({data['job_id']}): {data['location']}")


@main.command()
@job_argument()
@project_option
@target_option
@click.option(
    "--stdout", "stdout", is_flag=True, help="The .out files of the job's TaskManagers instead."
)
@click.option("--tail", default=200, show_default=True, help="Last N lines per source (0: all).")
@format_option("text", "json")
@handle_errors
def logs(
    job: str, project_dir: Path | None, target: str | None, stdout: bool, tail: int, fmt: str
) -> None:
    """JOB's log lines from the JobManager and the TaskManagers running its tasks.

    The JobManager's lines that name the job, and the TaskManagers' lines that name it or
    its tasks, each tagged with its source; stack traces stay with their line. --stdout:
    what those TaskManagers printed (a print sink's rows), not filtered by job."""
    from flinkops.ops import job_logs, render_logs
    from flinkops.workspace import open_workspace

    with open_workspace(project_dir, target) as ws:
        data = ws.redact(
            job_logs(
                ws.client,
                target=ws.target,
                name=job,
                stdout=stdout,
                tail=tail or None,
                store=ws.store,
                scope=ws.scope,
            )
        )
    if fmt == "json":
        emit_json(data)
        return
    click.secho(
        f"# {data['job']} ran as {', '.join(data['job_ids'])}; {len(data['sources'])} source(s)",
        dim=True,
        err=True,
    )
    click.echo(render_logs(data))


@main.command(name="diagnose")
@job_argument()
@project_option
@target_option
@format_option("text", "json")
@handle_errors
def diagnose_cmd(job: str, project_dir: Path | None, target: str | None, fmt: str) -> None:
    """Rule-based advice about a job: restarts, checkpoints, back pressure, records,
    known root causes; each finding with evidence and a next step. Never changes a job."""
    from flinkops.ops import diagnose_job, render_findings
    from flinkops.workspace import open_workspace

    with open_workspace(project_dir, target) as ws:
        data = ws.redact(
            diagnose_job(
                ws.client, target=ws.target, url=ws.url, name=job, store=ws.store, scope=ws.scope
            )
        )
    emit_json(data) if fmt == "json" else click.echo(render_findings(data))
