"""`flinkops local up|down|status`: a Flink cluster on this machine."""

from __future__ import annotations

from pathlib import Path

import click

from flinkops.cli._common import emit_json, format_option, handle_errors, main
from flinkops.flink.local import ClusterInfo, LocalCluster, default_cluster_dir

_dir_option = click.option(
    "--dir",
    "cluster_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Cluster directory (default: <project>/.flinkops/local, else ./.flinkops/local).",
)


def _cluster(cluster_dir: Path | None) -> LocalCluster:
    return LocalCluster(cluster_dir or default_cluster_dir())


def _say(msg: str) -> None:
    click.secho(f"… {msg}", dim=True, err=True)


def _render(info: ClusterInfo, *, logs: bool = False) -> None:
    click.echo(f"Flink {info.version} at {info.url}")
    avail = f" ({info.slots_available} free)" if info.slots_available is not None else ""
    click.echo(f"  slots:  {info.slots}{avail}")
    click.echo("  pids:   " + ", ".join(f"{role} {pid}" for role, pid in info.pids.items()))
    click.echo(f"  dir:    {info.dir}")
    for role, scrape in info.prometheus.items():
        click.echo(f"  prometheus {role}: {scrape}")
    if logs:
        click.echo("  logs:")
        for name, path in info.logs.items():
            click.echo(f"    {name + ':':<17} {path}")


@main.group()
def local() -> None:
    """Run a Flink session cluster on this machine (needs Java 11+)."""


@local.command()
@click.option("--port", default=8081, show_default=True, help="REST port of the JobManager.")
@click.option("--slots", default=4, show_default=True, help="Task slots of the TaskManager.")
@_dir_option
@click.option(
    "--flink-home",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Flink distribution to run (default: $FLINK_HOME, else apache-flink-libraries).",
)
@click.option("--timeout", default=120.0, show_default=True, help="Seconds to wait for it.")
@click.option(
    "--prometheus",
    is_flag=True,
    help="Turn on Flink's Prometheus reporter (JobManager and TaskManager on free ports).",
)
@click.option(
    "--adaptive-scheduler",
    is_flag=True,
    help="Run Flink's adaptive scheduler, which rescales a running job in place when its "
    "parallelism changes (PUT /jobs/:id/resource-requirements), keeping its state.",
)
@click.option(
    "-D",
    "--conf",
    "conf",
    multiple=True,
    metavar="KEY=VALUE",
    help="A Flink configuration entry over the defaults, as Flink's own -D "
    "(e.g. -D heartbeat.interval=2000). Repeatable.",
)
@format_option("text", "json")
@handle_errors
def up(
    port: int,
    slots: int,
    cluster_dir: Path | None,
    flink_home: Path | None,
    timeout: float,
    prometheus: bool,
    adaptive_scheduler: bool,
    conf: tuple[str, ...],
    fmt: str,
) -> None:
    """Start a JobManager and a TaskManager; wait until they are ready.

    A cluster already running from the same directory is reported, not restarted.
    """
    cluster = _cluster(cluster_dir)
    info = cluster.up(
        port=port,
        slots=slots,
        flink_home=flink_home,
        timeout=timeout,
        on_progress=_say,
        prometheus=prometheus,
        adaptive_scheduler=adaptive_scheduler,
        conf=_entries(conf),
    )
    if fmt == "json":
        emit_json(info.to_json())
    else:
        _render(info)


def _entries(pairs: tuple[str, ...]) -> dict[str, str]:
    """``KEY=VALUE`` options as a mapping; a usage error names one without ``=``."""
    entries = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="-D/--conf")
        entries[key.strip()] = value.strip()
    return entries


@local.command()
@_dir_option
@format_option("text", "json")
@handle_errors
def down(cluster_dir: Path | None, fmt: str) -> None:
    """Stop the local cluster: exactly the JVMs it recorded (SIGTERM, then SIGKILL)."""
    cluster = _cluster(cluster_dir)
    stopped = cluster.down()
    if fmt == "json":
        emit_json({"dir": str(cluster.dir), "stopped_pids": stopped})
    elif stopped:
        click.echo(f"Stopped {', '.join(map(str, stopped))} ({cluster.dir}).")
    else:
        click.echo(f"No cluster runs from {cluster.dir}.")


@local.command()
@_dir_option
@format_option("text", "json")
@handle_errors
def status(cluster_dir: Path | None, fmt: str) -> None:
    """Show the local cluster's URL, version, slots, PIDs and log files."""
    cluster = _cluster(cluster_dir)
    info = cluster.status()
    if fmt == "json":
        emit_json(info.to_json() if info else {"dir": str(cluster.dir), "running": False})
        return
    if info is None:
        click.echo(f"No cluster runs from {cluster.dir}. Start one with `flinkops local up`.")
        return
    _render(info, logs=True)
