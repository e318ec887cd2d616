"""`flinkops restore JOB --from PATH|latest-checkpoint|ID`: wiring for flinkops.apply.restore."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

import click

from flinkops.cli._common import (
    allow_behind_option,
    format_option,
    handle_errors,
    job_argument,
    main,
    project_option,
    target_option,
)


@main.command()
@job_argument()
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
@allow_behind_option
@format_option("text", "json")
@handle_errors
def restore(
    job: str,
    source: str,
    project_dir: Path | None,
    target: str | None,
    auto_approve: bool,
    allow_behind: bool,
    fmt: str,
) -> None:
    """Restart JOB's current spec from a chosen savepoint or checkpoint.

    The running job is cancelled (its latest checkpoint kept, to roll back to), the
    spec is submitted as a new version from the snapshot, and apply waits until it is
    healthy, as for any transition: journaled, rolled back on failure, recorded in the
    version history with the snapshot it restored from. From a checkout behind the
    cluster (the job's newest transition came from a commit it lacks) it is blocked,
    as apply is, unless --allow-behind; so is a snapshot the store recorded as written
    by a newer Flink than the target runs (Flink refuses it), before anything stops.
    """
    from flinkops.apply import carry_out
    from flinkops.apply.restore import restorable_spec, restore_plan
    from flinkops.cli._applying import applier_for, ask_to_apply, print_plan, recover, report
    from flinkops.workspace import open_workspace

    with open_workspace(project_dir, target) as ws:
        spec = restorable_spec(ws.spec(job), job, ws.target)
        with ws.store.acquire_lock(ws.target):
            applier = applier_for(ws, 1, fmt == "json")
            recovered = recover(applier)
            plan = restore_plan(
                ws.client, ws.store, target=ws.scope, url=ws.url, spec=spec, source=source,
                checkout=ws.project.root, allow_behind=allow_behind,
            )  # fmt: skip
            print_plan(ws, plan, fmt)
            ask = partial(ask_to_apply, auto_approve)
            result = carry_out(applier, plan, recovered=recovered, confirm=ask, requested="restore")
            report(ws, result, fmt)
    sys.exit(0 if result.ok else 1)
