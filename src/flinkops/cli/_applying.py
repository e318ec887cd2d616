"""What `apply`, `rollback` and `restore` share on the terminal: progress of long waits,
the question before changing the cluster, and the report of what was done."""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from typing import TYPE_CHECKING

import click

from flinkops.cli._common import emit_json
from flinkops.errors import ApplyError
from flinkops.store import TransitionStatus

if TYPE_CHECKING:
    from flinkops.apply import Applier, ApplyResult
    from flinkops.plan import Plan, RehearseSettings
    from flinkops.spec import JobSpec
    from flinkops.workspace import Workspace

__all__ = ["applier_for", "ask_to_apply", "print_plan", "progress", "recover", "report"]


class _Progress:
    """Progress of long waits on stderr: job, step, elapsed; at most every 5 s per job."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.last: dict[str, float] = {}
        self.lock = threading.Lock()

    def __call__(self, job: str, what: str, elapsed: float) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        with self.lock:
            if now - self.last.get(job, 0) < 5:
                return
            self.last[job] = now
        click.echo(f"  {job}: {what} ... {elapsed:.0f}s", err=True)


def progress(quiet: bool) -> _Progress:
    """Progress of long waits on stderr (nothing when ``quiet``)."""
    return _Progress(quiet)


def applier_for(
    ws: Workspace,
    parallelism: int,
    quiet: bool,
    specs: list[JobSpec] | None = None,
    rehearsal: RehearseSettings | None = None,
) -> Applier:
    """The applier of the target's specs (or ``specs``), its progress on stderr;
    ``rehearsal``: its ``rehearse`` steps run on that target's cluster."""
    from flinkops.apply import Applier

    return Applier(
        ws.client,
        ws.store,
        target=ws.target,
        specs=ws.specs if specs is None else specs,
        project=ws.project.project_id,
        progress=_Progress(quiet),
        parallelism=parallelism,
        rehearsal_client=ws.rehearsal_client(rehearsal) if rehearsal else None,
        connect=ws.connect,
        plan_dir=ws.plan_dir,
    )


def ask_to_apply(auto_approve: bool) -> None:
    """Ask on the terminal before changing the cluster; ApplyError to cancel."""
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise ApplyError("not on a terminal: pass --auto-approve to apply without asking")
    if not click.confirm("Apply these changes?", default=False):
        raise ApplyError("cancelled; nothing was changed")


def recover(applier: Applier) -> list[str]:
    """Resume what an interrupted apply left open, saying so on stderr at once (the
    report repeats it); one line per transition."""
    recovered = applier.recover()
    for line in recovered:
        click.echo(f"recovered: {line}", err=True)
    return recovered


def print_plan(ws: Workspace, plan: Plan, fmt: str) -> None:
    """The plan about to be carried out, in text output only (JSON prints the result);
    coloured as `plan` colours it."""
    from flinkops.cli._common import use_colour
    from flinkops.plan.render import plan_text

    if fmt == "text":
        click.echo(plan_text(ws.redact(plan.to_json()), colour=use_colour()), nl=False)


_COLOURS = {
    TransitionStatus.DONE: "green",
    TransitionStatus.ROLLED_BACK: "yellow",
    TransitionStatus.BLOCKED: "yellow",
}


def report(ws: Workspace, result: ApplyResult, fmt: str) -> None:
    """The result of an apply, rollback or restore: JSON, or one block per job and a count
    (nothing when no job changed: ``print_plan`` has said so)."""
    data = ws.redact(result.to_json())
    if fmt == "json":
        emit_json(data)
    else:
        for line in result.recovered:
            click.echo(f"recovered: {line}")
        for r in data["results"]:
            colour = _COLOURS.get(r["status"], "red")
            what = r["status"] if r["action"] == r["status"] else f"{r['action']} {r['status']}"
            head = f"{r['job']}: {what}"
            if r.get("version"):
                head += f" (version {r['version']}"
                head += f", job {r['job_id']})" if r.get("job_id") else ")"
            click.secho(head, fg=colour, bold=r["status"] != TransitionStatus.DONE)
            if r.get("restored_from"):
                click.echo(f"    restored from {r['restored_from']}")
            if r.get("message"):
                click.echo(f"    {r['message']}")
            if r.get("root_cause") and r["root_cause"] not in r.get("message", ""):
                click.echo(f"    root cause: {r['root_cause']}")
        if data["results"]:  # none: the plan printed above said "No changes."
            line = _count_line(Counter(r["status"] for r in data["results"]))
            click.secho(line + ".", bold=True, fg="green" if result.ok else "red")


def _count_line(counts: Counter[str]) -> str:
    """``Apply: 2 done, 1 failed (1 rolled back), 1 blocked``, without the full stop."""
    rolled_back = counts[TransitionStatus.ROLLED_BACK]
    failed = counts[TransitionStatus.FAILED] + rolled_back
    line = f"Apply: {counts[TransitionStatus.DONE]} done, {failed} failed"
    if rolled_back:
        line += f" ({rolled_back} rolled back)"
    if counts[TransitionStatus.BLOCKED]:
        line += f", {counts[TransitionStatus.BLOCKED]} blocked"
    return line
