"""`flinkops monitor`, `flinkops metrics JOB`, `flinkops alerts [JOB] | test | export`."""

from __future__ import annotations

import json
import signal
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

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
from flinkops.errors import FlinkopsError, Problem, SpecError

# The monitor, the store and the models load when a command runs, not for `--help`
# (flinkops.cli's command table keeps `--help` light).


def _seconds(value: str, what: str) -> float:
    from flinkops.spec import parse_duration

    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=what) from exc


@main.command()
@project_option
@target_option
@click.option("--once", is_flag=True, help="One pass (sample, evaluate, notify), then exit.")
@click.option(
    "--interval", default=None, help="Time between passes, e.g. 15s (default: metrics.interval)."
)
@format_option("text", "json")
@handle_errors
def monitor(
    project_dir: Path | None, target: str | None, once: bool, interval: str | None, fmt: str
) -> None:
    """Watch the target's managed jobs: sample metrics, raise and resolve alerts.

    Every pass reads each job's state, restarts, per-vertex records in/out, busy and
    back-pressured time, source lag and checkpoints from Flink's REST API, stores
    them (full resolution for 24h, 5-minute rollups for 30 days), evaluates the alert
    rules and sends alerts that fire or resolve to the channels of flinkops.yaml.
    With `metrics: {prometheus: URL}` history is read from Prometheus instead.
    Stop it with Ctrl-C.
    """
    from flinkops.monitor import Monitor, settings_of
    from flinkops.workspace import open_workspace

    with open_workspace(project_dir, target) as ws:
        settings = settings_of(ws.project)
        if interval is not None:
            settings = replace(settings, interval=_seconds(interval, "--interval"))
        mon = Monitor(ws.project, ws.target, ws.client, ws.store, url=ws.url, settings=settings)
        try:
            if once:
                _show(mon.run_once(wait_deliveries=True), fmt)
                return
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            click.secho(
                f"monitoring {ws.target} ({ws.url}) every {settings.interval:g}s; Ctrl-C stops",
                dim=True,
                err=True,
            )
            try:
                mon.run(stop, lambda r: _show(r, fmt), _warn)
            except KeyboardInterrupt:
                stop.set()
        finally:
            mon.close()


def _show(report: dict[str, Any], fmt: str) -> None:
    from flinkops.monitor.render import render_pass

    if fmt == "json":
        click.echo(json.dumps(report, default=str))
    else:
        click.echo(render_pass(report))
    sys.stdout.flush()


def _warn(exc: FlinkopsError) -> None:
    click.secho(f"warning: {exc}", fg="yellow", err=True)


@main.command()
@job_argument()
@project_option
@target_option
@click.option("--since", default="1h", show_default=True, help="How far back, e.g. 15min, 6h.")
@format_option("text", "json")
@handle_errors
def metrics(project_dir: Path | None, target: str | None, job: str, since: str, fmt: str) -> None:
    """Show a job's metric history: a sparkline per series, or the points in JSON.

    History comes from the store (written by `flinkops monitor`) or from Prometheus
    when flinkops.yaml sets `metrics: {prometheus: URL}`.
    """
    from flinkops.monitor import metrics_history
    from flinkops.monitor.render import render_history
    from flinkops.workspace import open_workspace

    with open_workspace(project_dir, target) as ws:
        data = metrics_history(
            ws.project, ws.store, ws.target, job, since=_seconds(since, "--since")
        )
        if fmt == "json":
            emit_json(data)
        else:
            click.echo(render_history(data))


class _AlertsGroup(click.Group):
    """`alerts [JOB]` lists; `alerts test|export` are subcommands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            ctx.meta["alerts_job"] = args.pop(0)
        return super().parse_args(ctx, args)


@main.group(cls=_AlertsGroup, invoke_without_command=True)
@project_option
@target_option
@click.option(
    "--state",
    type=click.Choice(["firing", "resolved", "pending"]),
    default=None,
    help="Only alerts in this state (default: firing and resolved).",
)
@click.option("--limit", default=50, show_default=True, help="At most this many records.")
@format_option("text", "json")
@click.pass_context
@handle_errors
def alerts(
    ctx: click.Context,
    project_dir: Path | None,
    target: str | None,
    state: str | None,
    limit: int,
    fmt: str,
) -> None:
    """List alert records (newest first): `flinkops alerts [JOB] [--state firing]`.

    Each record says what fired and when it resolved, its evidence (metric values,
    Flink's root exception), a link to the job's console page and every delivery
    attempt. `alerts test CHANNEL` sends a test message; `alerts export` writes the
    rules for Prometheus.
    """
    from flinkops.monitor import alert_records
    from flinkops.monitor.render import render_alerts
    from flinkops.workspace import open_workspace

    ctx.obj["alerts"] = (project_dir, target)
    if ctx.invoked_subcommand is not None:
        return
    job = ctx.meta.get("alerts_job")
    with open_workspace(project_dir, target) as ws:
        records = alert_records(ws.store, ws.target, job, state=state, limit=limit)
        records = ws.redact(records)
        if fmt == "json":
            emit_json({"target": ws.target, "job": job, "alerts": records})
        else:
            click.echo(render_alerts(records))


def _where(ctx: click.Context, project_dir: Path | None, target: str | None) -> tuple[Any, Any]:
    """--project/--target given to the subcommand, else to `alerts`."""
    outer_dir, outer_target = ctx.obj["alerts"]
    return project_dir or outer_dir, target or outer_target


@alerts.command("test")
@click.argument("channel")
@project_option
@target_option
@click.pass_context
@handle_errors
def alerts_test(
    ctx: click.Context, channel: str, project_dir: Path | None, target: str | None
) -> None:
    """Send one test message through CHANNEL (a name under alerts.channels)."""
    from flinkops.monitor import send_test, settings_of
    from flinkops.redact import redact
    from flinkops.workspace import open_workspace

    project_dir, target = _where(ctx, project_dir, target)
    with open_workspace(project_dir, target) as ws:
        settings = settings_of(ws.project)
        if channel not in settings.channels:
            known = ", ".join(sorted(settings.channels)) or "none defined"
            raise SpecError(
                [Problem(str(ws.project.path), 1, 1, f"no channel {channel!r} (channels: {known})")]
            )
        ws.project.require_channels([channel])
        try:
            said = send_test(
                channel, settings.channels[channel], target=ws.target, link=settings.console_url
            )
        except FlinkopsError as exc:
            raise type(exc)(redact(str(exc), ws.project.secrets)) from None
        click.echo(f"Sent a test message through {channel}: {said}.")


@alerts.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["prometheus"]), default="prometheus", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the rule file here (default: standard output).",
)
@project_option
@target_option
@click.pass_context
@handle_errors
def alerts_export(
    ctx: click.Context,
    fmt: str,
    output: Path | None,
    project_dir: Path | None,
    target: str | None,
) -> None:
    """Write the alert rules as Prometheus alerting rules, for the target's running jobs.

    Uses Flink's Prometheus reporter's metric names (label job_name). Check them
    with `promtool check rules FILE`.
    """
    from flinkops.monitor import export_rules, settings_of
    from flinkops.monitor.loop import checkpointing
    from flinkops.monitor.rules import effective_rules
    from flinkops.workspace import open_workspace

    project_dir, target = _where(ctx, project_dir, target)
    with open_workspace(project_dir, target) as ws:
        alerts_model = ws.project.model.alerts
        base = alerts_model.rules if alerts_model else None
        jobs = [
            (
                s.name,
                effective_rules(base, s.model.alerts.rules if s.model.alerts else None),
                checkpointing(s),
            )
            for s in ws.specs
            if s.state == "running"
        ]
        text = export_rules(
            ws.target, jobs, effective_rules(base), interval=settings_of(ws.project).interval
        )
        if output is None:
            click.echo(text, nl=False)
        else:
            output.write_text(text)
            click.echo(f"Wrote {len(jobs)} job(s)' rules to {output}.", err=True)
