"""Jinja2 templates of the console, autoescaped, with the few filters they use."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from flinkops.ops import human_ms
from flinkops.ui._chart import chart, with_unit
from flinkops.ui._diff import human
from flinkops.ui._graphs import dag_graph, lineage_graph, shorten
from flinkops.ui._monitor import MONITOR_HINT

__all__ = ["render_page"]

# current state -> badge colour class
STATE_CLASS = {
    "RUNNING": "ok",
    "FINISHED": "done",
    "SUSPENDED": "paused",
    "CANCELED": "muted",
    "NOT_DEPLOYED": "muted",
    "RESTARTING": "warn",
    "TRANSITIONING": "info",
    "FAILED": "bad",
    "UNKNOWN": "unknown",
}


def _when(ms: int | None) -> str:
    if not ms:
        return "-"
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _num(value: Any, digits: int = 0) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and digits:
        return f"{value:,.{digits}f}"
    return f"{int(value):,}" if isinstance(value, int | float) else str(value)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _size(n: int | None) -> str:
    return "-" if n is None else with_unit(n, "bytes")


def _short(text: str | None, n: int = 38) -> str:
    return shorten(text or "", n)


def _val(value: Any) -> str:
    """A spec value as YAML would write it: ``-`` for none, ``true``/``false``."""
    return "-" if value is None else human(value)


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str)


@cache
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("flinkops.ui", "templates"),
        autoescape=select_autoescape(["html", "svg"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        ms=human_ms,
        when=_when,
        num=_num,
        pct=_pct,
        size=_size,
        short=_short,
        pretty=_pretty,
        val=_val,
    )
    env.globals.update(
        state_class=STATE_CLASS,
        dag_graph=dag_graph,
        lineage_graph=lineage_graph,
        chart=chart,
        monitor_hint=MONITOR_HINT,
    )
    return env


def render_page(template: str, **context: Any) -> str:
    return _env().get_template(template).render(**context)
