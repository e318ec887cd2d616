"""Slack (an incoming webhook): the transition's text as ``{"text": ...}``. No signing:
the URL is the secret."""

from __future__ import annotations

from typing import Any

from flinkops.monitor.alerting import Transition
from flinkops.monitor.channels._base import HttpChannel, text_of

__all__ = ["Slack"]


class Slack(HttpChannel):
    type = "slack"

    def payload(self, t: Transition, now_ms: int) -> dict[str, Any]:
        return {"text": text_of(t)[1]}
