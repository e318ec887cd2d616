"""The console's web app: routes, the token and CSRF checks, error pages.

``create_app(UiConfig(...))`` returns a Starlette app. Each page has an HTML route
and a JSON route under ``/api/`` that return the same document (see
``flinkops.ui._read``); the views in ``flinkops.ui.views`` draw the HTML with
Jinja2 templates that escape every value. Every request opens the workspace
afresh, so the page always shows the specs and store as they are now; while the
project files are broken it serves the last good project with the error, located as
`validate` says it, in a banner (``views._open``), and the next request after the fix
reads the fixed files.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from flinkops.ui._security import COOKIE, SECURITY_HEADERS, Guard

__all__ = ["UiConfig", "create_app"]

STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True)
class UiConfig:
    """What ``flinkops ui`` was started with."""

    project_dir: Path | None = None
    target: str | None = None
    allow_actions: bool = False
    token: str | None = None
    refresh_seconds: float = 5.0
    reconnect_timeout: float = 2.0


class _Gate(BaseHTTPMiddleware):
    """The token on every request (401 without it), security headers on every answer."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        super().__init__(app)
        self.guard = guard

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        query = request.query_params.get("token")
        ok = self.guard.allowed(
            request.headers.get("authorization"), request.cookies.get(COOKIE), query
        )
        if not self.guard.host_ok(request.headers.get("host")):
            response: Response = PlainTextResponse(
                "403 Forbidden: this console answers only to localhost / 127.0.0.1 (start it "
                "with --host and --token to serve it under another name)",
                status_code=403,
            )
        elif not ok:
            response = _unauthorized(request)
        elif query and self.guard.token and request.method == "GET":
            # the token from a link: keep it in a cookie and drop it from the address bar
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            url = request.url.replace_query_params(**dict(rest))
            response = RedirectResponse(str(url).rstrip("?"), status_code=303)
            response.set_cookie(COOKIE, query, httponly=True, samesite="strict")
        else:
            response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response


def _unauthorized(request: Request) -> Response:
    message = (
        "401 Unauthorized: this flinkops console needs its token. Open it as "
        "/?token=TOKEN or send `Authorization: Bearer TOKEN` (the token is what "
        "`flinkops ui` was started with: --token or FLINKOPS_UI_TOKEN)."
    )
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=401)
    return PlainTextResponse(message, status_code=401)


def create_app(config: UiConfig) -> Starlette:
    """The console for ``config``; nothing is read until a request comes."""
    from flinkops.ui import views

    guard = Guard(config.token)
    routes = [
        Route("/", views.overview_page),
        Route("/api/status", views.overview_api),
        Route("/lineage", views.lineage_view),
        Route("/api/lineage", views.lineage_api),
        Route("/jobs/{name}", views.job_view),
        Route("/api/jobs/{name}", views.job_api),
        Route("/api/jobs/{name}/logs", views.logs_api),
        Route("/api/jobs/{name}/events", views.events_api),
        Route("/jobs/{name}/versions", views.versions_view),
        Route("/api/jobs/{name}/versions", views.versions_api),
        Route("/jobs/{name}/actions/{action}", views.action_view, methods=["GET", "POST"]),
        Route("/api/jobs/{name}/actions/{action}", views.action_api, methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(_Gate, guard=guard)],
        exception_handlers=views.EXCEPTION_HANDLERS,
    )
    app.state.config = config
    app.state.guard = guard
    app.state.last_good = None  # (project, target, url) of the last request that loaded
    return app
