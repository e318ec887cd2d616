"""Localhost for a local cluster: free ports, and the one HTTP probe (``GET /overview``)."""

from __future__ import annotations

import socket
from typing import Any

from flinkops.errors import LocalClusterError

__all__ = ["ensure_port_free", "free_port", "get_json"]


def free_port() -> int:
    """A TCP port free on localhost right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_port_free(port: int) -> None:
    """LocalClusterError if something listens on ``port`` on localhost."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        in_use = s.connect_ex(("127.0.0.1", port)) == 0
    if in_use:
        raise LocalClusterError(
            f"port {port} is in use on localhost; pass another with --port "
            "(or stop what listens there)"
        )


def get_json(url: str, *, timeout: float) -> dict[str, Any] | None:
    """The JSON object at ``url``, or None on any error (no answer, not 200, not an object)."""
    import httpx  # here, so `flinkops local down` and --help do not load it

    try:
        r = httpx.get(url, timeout=timeout)
        if r.status_code != 200:
            return None
        data = r.json()
    except (httpx.HTTPError, ValueError):
        return None
    return data if isinstance(data, dict) else None
