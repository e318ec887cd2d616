"""DingTalk group robot: a markdown message. With a ``secret`` the URL gets
``timestamp`` (ms) and ``sign`` = base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>"))."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import quote_plus

from flinkops.monitor.alerting import Transition
from flinkops.monitor.channels._base import RobotChannel, text_of

__all__ = ["DingTalk", "sign"]


def sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


class DingTalk(RobotChannel):
    type = "dingtalk"
    signed = True

    def payload(self, t: Transition, now_ms: int) -> dict[str, Any]:
        title, body = text_of(t)
        return {"msgtype": "markdown", "markdown": {"title": title, "text": body}}

    def url(self, now_ms: int) -> str:
        url = super().url(now_ms)
        if not self.channel.secret:
            return url
        signature = quote_plus(sign(self.channel.secret, now_ms))
        sep = "&" if "?" in url else "?"
        return f"{url}{sep}timestamp={now_ms}&sign={signature}"
