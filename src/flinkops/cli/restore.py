"""`flinkops restore JOB --from PATH|latest-checkpoint|ID`: wiring for flinkops.restore."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from flinkops.cli._common import format_option, handle_errors, main, project_option, target_option


@main.command()
@click.argument("job")
@click.option(
    "--from",
    "source",
    required=True,
    help="A savepoint or checkpoint path (file://, s3://, ...), latest-checkpoint, or the id "
    "of a completed checkpoint of the job's newest run (as `flinkops show` lists them).",
)
@project_option
@target_option
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@format_option("text", "json")
@handle_errors
def restore(
    job: str,
    source: str,
    project_dir: Path | None,
    target: str | None,
    auto_approve: bool,
    fmt: str,
) -> None:
    """Restart JOB's current spec from a chosen savepoint or checkpoint.

    The running job is cancelled (its latest checkpoint kept, to roll back to), the
    spec is submitted as a new version from the snapshot, and apply waits until it is
    healthy, as for any transition: journaled, rolled back on failure, recorded in the
    version history with the snapshot it restored from.
    """
    from flinkops.cli.apply import _applier, _confirm, _report
    from flinkops.errors import PlanError
    from flinkops.health import latest_checkpoint
    from flinkops.live import newest_run
    from flinkops.observe import applied_from_store, read_live
    from flinkops.plan import Plan
    from flinkops.render import plan_text
    from flinkops.restore import resolve_snapshot, restore_change
    from flinkops.workspace import open_workspace

    with open_workspace(project_dir, target) as ws:
        spec = ws.spec(job)
        if spec is None:
            raise PlanError(
                f"{job} has no spec on target {ws.target}; `flinkops status` lists jobs"
            )
        lock = ws.store.acquire_lock(ws.target)
        try:
            applier = _applier(ws, 1, fmt == "json")
            recovered = applier.recover()
            run = newest_run(
                j for j in read_live(ws.client, ws.target, name=job) if j.managed_name == job
            )
            snapshot = resolve_snapshot(ws.client, job, run, source)
            applied = applied_from_store(ws.store, ws.target, job)
            version = max(
                ws.store.next_version(ws.target, job), (run.version or 0) + 1 if run else 1
            )
            active = run is not None and run.active
            change = restore_change(
                spec,
                live=run,
                applied_version=applied.version if applied else None,
                version=version,
                snapshot=snapshot,
                keep_checkpoint=active and latest_checkpoint(ws.client, run.job_id) is not None,
            )
            plan = Plan(target=ws.target, url=ws.url, changes=(change,))
            if fmt == "text":
                click.echo(plan_text(ws.redact(plan.to_json())), nl=False)
            _confirm(auto_approve)
            result = applier.apply(plan)
            result.recovered = recovered
            _report(ws, result, fmt)
        finally:
            lock.release()
    sys.exit(0 if result.ok else 1)
