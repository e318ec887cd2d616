"""`flinkops ui`: the ops console as web pages, read through the same functions as the CLI.
May import monitor, apply, savepoints, ops, workspace, plan, spec, sql and below; only
cli is above it.

``create_app`` builds the app (routes in ``app``, views in ``views``, page data in
``_read``, pictures in ``_graphs``, actions in ``_actions``, the token and CSRF in
``_security``); ``serve`` runs it with uvicorn. Templates and static assets ship
inside this package, so the console works without network access.
"""

from flinkops.ui._security import check_binding
from flinkops.ui.app import UiConfig, create_app

__all__ = ["UiConfig", "check_binding", "create_app", "serve"]


def serve(config: UiConfig, *, host: str = "127.0.0.1", port: int = 8088) -> None:
    """Serve the console until interrupted (Ctrl-C / SIGTERM)."""
    import uvicorn

    check_binding(host, config.token)
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")
