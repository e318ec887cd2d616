"""Who may use the console: the token, CSRF tokens for POSTs, and response headers.

Binding to a loopback address needs no token; binding anywhere else does
(``check_binding``), and then only requests naming a loopback host are served
(no DNS rebinding). With a token every request must carry it: an
``Authorization: Bearer`` header, the ``flinkops_ui_token`` cookie, or once a
``?token=`` query (which sets the cookie). POSTs also carry a CSRF token tied to
this server process, and a cross-site Origin is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets

from flinkops.errors import UiError

__all__ = [
    "COOKIE",
    "SECURITY_HEADERS",
    "Guard",
    "check_binding",
    "is_loopback",
]

COOKIE = "flinkops_ui_token"
# Scripts and styles only from the console itself: an injected <script> or
# onerror= attribute would not run even if escaping ever missed one.
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",  # no-referrer would make a form POST's Origin "null"
    "x-frame-options": "DENY",
}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_binding(host: str, token: str | None) -> None:
    """Refuse to serve on a non-loopback address without a token."""
    if not is_loopback(host) and not token:
        raise UiError(
            f"refusing to serve the console on {host} without a token: anyone who can reach "
            "it could read job details; pass --token or set FLINKOPS_UI_TOKEN "
            "(or bind to 127.0.0.1)"
        )


class Guard:
    """The token (optional) and this process's CSRF secret."""

    def __init__(self, token: str | None) -> None:
        self.token = token or None
        self._secret = secrets.token_bytes(32)

    def allowed(self, header: str | None, cookie: str | None, query: str | None) -> bool:
        """Whether a request carrying these credentials may proceed."""
        if self.token is None:
            return True
        given = (header or "").removeprefix("Bearer ").strip() or cookie or query or ""
        return hmac.compare_digest(given.encode(), self.token.encode())

    def host_ok(self, host_header: str | None) -> bool:
        """Without a token only loopback names may be in ``Host``: a page on another site
        that rebinds its DNS name to 127.0.0.1 cannot read the console."""
        if self.token is not None:
            return True
        host = (host_header or "").strip()
        name = host[1:].partition("]")[0] if host.startswith("[") else host.partition(":")[0]
        return is_loopback(name)

    def csrf_token(self) -> str:
        return hmac.new(self._secret, b"flinkops-ui-csrf", hashlib.sha256).hexdigest()

    def csrf_ok(self, given: str | None, origin: str | None, host: str | None) -> bool:
        """The POST's CSRF token is this server's, and its Origin (if sent) is this host."""
        if origin and host and origin.split("://", 1)[-1] != host:
            return False
        return hmac.compare_digest((given or "").encode(), self.csrf_token().encode())
