"""The console's views: each reads one page's JSON (``_read``) and answers HTML or JSON.

Wiring only, like the CLI's commands: open the workspace, call one function,
render. Errors of flinkops become an error page (or ``{"error": ...}``) that says
what failed, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from flinkops.errors import ActionRefused, FlinkError, FlinkopsError, PlanError, SpecError
from flinkops.ui import _read
from flinkops.ui._actions import ACTIONS, run_action
from flinkops.ui._render import render_page
from flinkops.workspace import Workspace, open_workspace

__all__ = ["EXCEPTION_HANDLERS"]


def _open(request: Request) -> Workspace:
    """The workspace as the files are now; while they are broken (a SpecError, located as
    `validate` says it), the last good one, with the error kept for the page's banner.
    Nothing is cached but that: the first request after the fix reads the fixed files."""
    config, state = request.app.state.config, request.app.state
    try:
        ws = open_workspace(config.project_dir, config.target)
        # what the pages need that is read lazily: the store's and the target's ${env:...}
        ws.project.store_location  # noqa: B018
        ws.project.headers(ws.target)
    except SpecError as exc:
        request.state.project_error = str(exc)
        if state.last_good is None:
            raise
        request.state.project_stale = True
        project, target, url = state.last_good
        return Workspace(project=project, target=target, raw_url=url)
    state.last_good = (ws.project, ws.target, ws.raw_url)
    return ws


@contextmanager
def _workspace(request: Request) -> Iterator[Workspace]:
    with _open(request) as ws:
        yield ws


def _project_error(request: Request) -> str | None:
    """What is wrong with the project files now, or None."""
    return getattr(request.state, "project_error", None)


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    config = request.app.state.config
    html = render_page(
        template,
        csrf=request.app.state.guard.csrf_token(),
        allow_actions=config.allow_actions,
        refresh_seconds=config.refresh_seconds,
        path=request.url.path,
        project_error=_project_error(request),
        project_stale=getattr(request.state, "project_stale", False),
        **context,
    )
    return HTMLResponse(html, status_code=status)


def _json(request: Request, data: Any) -> JSONResponse:
    """An API answer; ``project_error`` is added while the project files are broken."""
    error = _project_error(request)
    if error is not None and isinstance(data, dict):
        data = {**data, "project_error": error}
    return JSONResponse(data)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


# ---------------------------------------------------------------- overview


def _overview(request: Request) -> dict[str, Any]:
    q = request.query_params
    state = q.get("state") or None
    kind = q.get("type") if q.get("type") in _read.KINDS else None
    with _workspace(request) as ws:
        data = _read.overview(
            ws, state=state, kind=kind, reconnect=request.app.state.config.reconnect_timeout
        )
    if q.get("sort") == "name":  # else the status order: jobs with a firing alert first
        data["jobs"] = sorted(data["jobs"], key=lambda j: j["name"])
    data["filter"] = {"state": state, "type": kind}
    data["sort"] = "name" if q.get("sort") == "name" else "alerts"
    return data


def overview_page(request: Request) -> Response:
    data = _overview(request)
    template = "_overview_body.html" if request.query_params.get("partial") else "overview.html"
    return _page(request, template, data=data)


def overview_api(request: Request) -> Response:
    data = _overview(request)
    data.pop("filter")
    data.pop("sort")
    return _json(request, data)


# ---------------------------------------------------------------- job


def _stdout(request: Request) -> bool:
    """``?stdout=1``: the Logs tab shows the TaskManagers' ``.out`` files."""
    return request.query_params.get("stdout") not in (None, "", "0")


def _window(request: Request) -> str:
    """``?window=``: the data curves' span (15m, 1h, 24h, 7d; default 1h)."""
    from flinkops.ui._chart import WINDOWS

    window = request.query_params.get("window") or "1h"
    return window if window in WINDOWS else "1h"


def job_view(request: Request) -> Response:
    from flinkops.ui._chart import WINDOWS

    name, window = request.path_params["name"], _window(request)
    with _workspace(request) as ws:
        data = _read.job_page(ws, name, _stdout(request), WINDOWS[window])
    return _page(request, "job.html", job=data, actions=ACTIONS, window=window, windows=WINDOWS)


def job_api(request: Request) -> Response:
    from flinkops.ui._chart import WINDOWS

    window = WINDOWS[_window(request)]
    with _workspace(request) as ws:
        data = _read.job_page(ws, request.path_params["name"], _stdout(request), window)
    return _json(request, data)


def logs_api(request: Request) -> Response:
    with _workspace(request) as ws:
        data = _read.job_logs_view(ws, request.path_params["name"], _stdout(request))
    return _json(request, data)


def events_api(request: Request) -> Response:
    limit = _int(request.query_params.get("limit")) or 50
    with _workspace(request) as ws:
        events = ws.store.events(ws.target, request.path_params["name"], limit)
        data = ws.redact([e.to_json() for e in events])
    return JSONResponse(data)


# ---------------------------------------------------------------- versions


def _versions(request: Request) -> dict[str, Any]:
    q = request.query_params
    with _workspace(request) as ws:
        return _read.versions_page(
            ws, request.path_params["name"], _int(q.get("a")), _int(q.get("b"))
        )


def versions_view(request: Request) -> Response:
    from flinkops.ui._diff import config_rows, side_by_side

    data = _versions(request)
    rows, config = [], []
    if data["diff"]:
        diff = data["diff"]
        rows = side_by_side(diff["from_sql"] or "", diff["to_sql"] or "")
        config = config_rows(diff["from_spec"], diff["to_spec"])
    view = "unified" if request.query_params.get("view") == "unified" else "split"
    return _page(request, "versions.html", data=data, sql_rows=rows, config_rows=config, view=view)


def versions_api(request: Request) -> Response:
    return _json(request, _versions(request))


# ---------------------------------------------------------------- lineage


def lineage_view(request: Request) -> Response:
    with _workspace(request) as ws:
        data = _read.lineage_page(ws)
    return _page(request, "lineage.html", lineage=data)


def lineage_api(request: Request) -> Response:
    impact = request.query_params.get("impact")
    with _workspace(request) as ws:
        data = _read.lineage_page(ws, impact=impact)
    if not impact:
        data.pop("impact")
    return _json(request, data)


# ---------------------------------------------------------------- actions


def _refuse(request: Request, action: str) -> str | None:
    if not request.app.state.config.allow_actions:
        return "actions are off: start the console with `flinkops ui --allow-actions`"
    if action not in ACTIONS:
        return f"no action {action!r} (actions: {', '.join(ACTIONS)})"
    return None


def _act(request: Request, action: str, csrf: str | None) -> dict[str, Any]:
    guard = request.app.state.guard
    if not guard.csrf_ok(csrf, request.headers.get("origin"), request.headers.get("host")):
        raise ActionRefused("the form's CSRF token is missing or wrong: reload the page and retry")
    who = request.client.host if request.client else "unknown"
    with _workspace(request) as ws:
        if _project_error(request) is not None:
            raise ActionRefused("the project files are broken: fix them (flinkops validate)")
        return run_action(ws, action, request.path_params["name"], f"a browser at {who}")


async def action_view(request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    action, name = request.path_params["action"], request.path_params["name"]
    why = _refuse(request, action)
    if why:
        raise ActionRefused(why)
    if request.method == "GET":
        return _page(request, "confirm.html", name=name, action=action, what=ACTIONS[action])
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    csrf = form["csrf"][0] if form.get("csrf") else None
    result = await run_in_threadpool(_act, request, action, csrf)
    return _page(request, "action_done.html", name=name, action=action, result=result)


async def action_api(request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    why = _refuse(request, request.path_params["action"])
    if why:
        raise ActionRefused(why)
    csrf = request.headers.get("x-csrf-token")
    return JSONResponse(await run_in_threadpool(_act, request, request.path_params["action"], csrf))


# ---------------------------------------------------------------- errors


def _status_of(exc: Exception) -> int:
    if isinstance(exc, ActionRefused):
        return 403
    text = str(exc)
    if isinstance(exc, PlanError) or (isinstance(exc, FlinkError) and text.startswith("no job")):
        return 404
    return 502 if isinstance(exc, FlinkError) else 400


async def _flinkops_error(request: Request, exc: Exception) -> Response:
    status = _status_of(exc)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": str(exc)}, status_code=status)
    if isinstance(exc, SpecError) and _project_error(request) is not None:
        return _page(request, "error.html", status=status, message=None, code=status)
    return _page(request, "error.html", status=status, message=str(exc), code=status)


EXCEPTION_HANDLERS: dict[Any, Callable[..., Any]] = {FlinkopsError: _flinkops_error}
