"""WeCom (企业微信) group robot: a text message. No signing: the URL's key is the secret."""

from __future__ import annotations

from typing import Any

from flinkops.monitor.alerting import Transition
from flinkops.monitor.channels._base import RobotChannel, text_of

__all__ = ["WeCom"]


class WeCom(RobotChannel):
    type = "wecom"

    def payload(self, t: Transition, now_ms: int) -> dict[str, Any]:
        return {"msgtype": "text", "text": {"content": text_of(t)[1]}}
