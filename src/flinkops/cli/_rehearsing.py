"""The rehearsal options `plan` and `apply` share, and the rehearser they wire in
(apply/rehearse/: plan reads, so the CLI hands it the function that runs jobs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from flinkops.cli._applying import progress

if TYPE_CHECKING:
    from flinkops.plan import RehearseSettings
    from flinkops.plan.observe import Rehearse
    from flinkops.workspace import Workspace

__all__ = ["rehearse_options", "rehearser", "settings_from"]

F = TypeVar("F", bound=Callable[..., Any])


def _seconds(_ctx: click.Context, _param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    from flinkops.spec import parse_duration

    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def rehearse_options(what: str) -> Callable[[F], F]:
    """``--rehearse[=savepoint|checkpoint]``, ``--rehearse-timeout``, ``--keep``."""

    def deco(fn: F) -> F:
        fn = click.option(
            "--keep",
            is_flag=True,
            help="Keep the savepoint a rehearsal took (default: disposed of afterwards).",
        )(fn)
        fn = click.option(
            "--rehearse-timeout",
            callback=_seconds,
            metavar="DURATION",
            help="How long a rehearsal may take to restore and complete a checkpoint "
            "(default 120s, or the project's rehearse.timeout).",
        )(fn)
        return click.option(
            "--rehearse",
            "rehearse",
            is_flag=False,
            flag_value="savepoint",
            default=None,
            type=click.Choice(["savepoint", "checkpoint"]),
            help=f"{what} From a new savepoint of the running job (it keeps running), or "
            "with --rehearse=checkpoint its newest retained checkpoint. Default: the "
            "target's or project's `rehearse:` setting.",
        )(fn)

    return deco


def settings_from(
    ws: Workspace, asked: str | None, timeout: float | None, keep: bool, *, applying: bool
) -> RehearseSettings | None:
    """The rehearsal settings of this command, or None when it does not rehearse."""
    return ws.rehearse_settings(asked, timeout=timeout, keep=keep, applying=applying)


def rehearser(ws: Workspace, settings: RehearseSettings, quiet: bool = False) -> Rehearse:
    """What ``make_plan`` calls to rehearse a plan's changes on the rehearsal cluster."""
    from flinkops.apply.rehearse import Rehearser, rehearse_plan

    runner = Rehearser(
        ws.client,
        ws.rehearsal_client(settings),
        settings,
        settings.target or ws.target,
        progress=progress(quiet),
    )
    return lambda plan: rehearse_plan(plan, ws.specs, runner)
