"""Feishu/Lark group robot: a text message. With a ``secret`` the body gets
``timestamp`` (seconds) and ``sign`` = base64(HMAC-SHA256(key="<timestamp>\\n<secret>",
msg=""))."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from flinkops.monitor.alerting import Transition
from flinkops.monitor.channels._base import RobotChannel, text_of

__all__ = ["Feishu", "sign"]


def sign(secret: str, timestamp_s: int) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


class Feishu(RobotChannel):
    type = "feishu"
    signed = True

    def payload(self, t: Transition, now_ms: int) -> dict[str, Any]:
        data: dict[str, Any] = {"msg_type": "text", "content": {"text": text_of(t)[1]}}
        if self.channel.secret:
            ts = now_ms // 1000
            data = {"timestamp": str(ts), "sign": sign(self.channel.secret, ts), **data}
        return data
