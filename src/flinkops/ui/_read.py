"""What each page shows, read through the same functions as the CLI.

Every function takes an open Workspace and returns the page's JSON (the API
route returns it as is, the HTML route draws it): ``overview`` is
``status --format json``, ``job_page`` is ``show --format json`` plus the DAG's
edges, logs, monitoring history and the git hints, ``lineage_page`` is
``lineage --format json``, ``versions_page`` is the versions, ``history --format
json`` (one row per transition) and ``history --diff`` of two versions. Secrets are
redacted as in the CLI.
"""

from __future__ import annotations

from typing import Any

from flinkops.errors import FlinkError
from flinkops.ops import (
    collect_show,
    collect_status,
    filter_status,
    job_logs,
    render_logs,
    version_diff,
    version_pair,
)
from flinkops.spec import relative_path
from flinkops.sql.lineage import ColumnLineage, Lineage, TableLineage, project_lineage
from flinkops.ui._actions import gitops_hints
from flinkops.ui._graphs import dag_edges
from flinkops.ui._monitor import monitor_history
from flinkops.workspace import Workspace

__all__ = [
    "KINDS",
    "filter_kind",
    "job_logs_view",
    "job_page",
    "lineage_page",
    "overview",
    "versions_page",
]

KINDS = ("batch", "streaming")


def filter_kind(status: dict[str, Any], kind: str | None) -> dict[str, Any]:
    """Only the rows (managed and unmanaged) whose run has job type ``kind``; counts kept."""
    if not kind:
        return status
    keep = [r for r in status["jobs"] if (r.get("job_type") or "").lower() == kind]
    others = [r for r in status["unmanaged"] if (r.get("job_type") or "").lower() == kind]
    return {**status, "jobs": keep, "unmanaged": others}


def overview(
    ws: Workspace, *, state: str | None = None, kind: str | None = None, reconnect: float = 2.0
) -> dict[str, Any]:
    """``status --format json`` (redacted), filtered by current state or job type."""
    status = collect_status(
        ws.client,
        ws.store,
        target=ws.target,
        url=ws.url,
        specs=ws.specs,
        reconnect_timeout=reconnect,
        scope=ws.scope,
    )
    status = filter_status(ws.redact(status), state=state)
    return filter_kind(status, kind)


def _edges(ws: Workspace, show: dict[str, Any]) -> list[dict[str, str]]:
    live = show.get("live")
    if not live or not show.get("reachable"):
        return []
    try:
        return dag_edges(ws.client.job(live["job_id"]).plan)
    except FlinkError:
        return []


def job_logs_view(ws: Workspace, name: str, stdout: bool = False) -> dict[str, Any]:
    """``logs --format json`` of job ``name`` plus ``text`` (drawn as the CLI draws it)
    and ``error``: why there are no lines, or None."""
    out: dict[str, Any] = {"job": name, "job_ids": [], "stdout": stdout, "sources": []}
    out["error"] = None
    try:
        out.update(
            job_logs(
                ws.client, target=ws.target, name=name, stdout=stdout, store=ws.store,
                scope=ws.scope,
            )
        )  # fmt: skip
    except FlinkError as exc:
        out["error"] = str(exc)
    out = ws.redact(out)
    out["text"] = render_logs(out)
    return out


def job_page(
    ws: Workspace, name: str, stdout: bool = False, window: float = 3600.0
) -> dict[str, Any]:
    """``show`` of job ``name`` plus ``edges``, ``logs``, ``monitor`` (the curves of the
    last ``window`` seconds) and ``gitops``."""
    spec = ws.spec(name)
    show = ws.redact(
        collect_show(
            ws.client,
            ws.store,
            target=ws.target,
            url=ws.url,
            name=name,
            spec=spec,
            redact=ws.redact,
            events=50,
            scope=ws.scope,
        )
    )
    job = show["name"]
    show["edges"] = _edges(ws, show)
    show["logs"] = (
        job_logs_view(ws, name, stdout)
        if show["reachable"]
        else {"error": show["message"], "text": "", "sources": [], "stdout": stdout}
    )
    show["impact"] = impact_map(_lineage_of(show["lineage"])) if show["lineage"] else {}
    show["monitor"] = monitor_history(ws.store, ws.target, job, ws.project, since=window)
    spec_path = relative_path(spec.path, ws.project.root) if spec else None
    show["gitops"] = gitops_hints(job, spec_path, [v["version"] for v in show["versions"]])
    return show


def lineage_page(ws: Workspace, impact: str | None = None) -> dict[str, Any]:
    """``lineage --format json`` of the project's jobs, with each column's downstream."""
    result = project_lineage([(j.name, j.sql) for j in ws.project.jobs])
    if impact:
        return {"column": impact, "impact": result.impact(impact)}
    data: dict[str, Any] = result.to_json()
    data["impact"] = impact_map(result)
    return data


def impact_map(result: Lineage) -> dict[str, list[str]]:
    """``{"job: table.col": [every downstream "job: table.col"]}`` for each drawn column."""
    columns = {f"{c.job}: {c.sink}" for c in result.columns}
    columns |= {f"{c.job}: {s}" for c in result.columns for s in c.sources}
    return {key: result.impact(key) for key in sorted(columns)}


def _lineage_of(data: dict[str, Any]) -> Lineage:
    """A Lineage back from its JSON form (``show``'s ``lineage``), to ask it for impact."""
    return Lineage(
        tuple(TableLineage(t["job"], t["sink"], tuple(t["sources"])) for t in data["tables"]),
        tuple(ColumnLineage(c["job"], c["sink"], tuple(c["sources"])) for c in data["columns"]),
    )


def versions_page(
    ws: Workspace, name: str, a: int | None = None, b: int | None = None
) -> dict[str, Any]:
    """The versions of ``name``, its ``history --format json`` (one row per transition),
    and the diff of versions a and b (default: the last two)."""
    versions = ws.store.versions(ws.target, name)
    numbers = [v.version for v in versions]
    if a is None or b is None:
        a, b = (numbers[-2], numbers[-1]) if len(numbers) > 1 else (None, None)
    data: dict[str, Any] = {
        "job": name,
        "versions": [v.to_json() for v in versions],
        "history": [h.to_json() for h in ws.store.history(ws.target, name)],
    }
    data["diff"] = None
    if a is not None and b is not None:
        old, new = version_pair(ws.store, ws.target, name, a, b)
        data["diff"] = {
            **version_diff(name, old, new),
            "from_sql": old.sql,
            "to_sql": new.sql,
            "from_spec": {k: v for k, v in old.spec.items() if k != "sql"},
            "to_spec": {k: v for k, v in new.spec.items() if k != "sql"},
        }
    return ws.redact(data)
