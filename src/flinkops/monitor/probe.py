"""``flinkops alerts test CHANNEL``: one test message, one attempt, no retries."""

from __future__ import annotations

import time

from flinkops.monitor.alerting import Transition
from flinkops.monitor.channels import send
from flinkops.spec import Channel
from flinkops.store import AlertRecord

__all__ = ["send_test"]


def send_test(name: str, channel: Channel, *, target: str, link: str) -> str:
    """Send a test alert through ``channel``; what the endpoint said, or ChannelError."""
    now = int(time.time() * 1000)
    record = AlertRecord(
        id=f"test-{now}",
        fingerprint="test",
        target=target,
        job="",
        rule="test",
        severity="info",
        state="firing",
        started_ms=now,
        updated_ms=now,
        fired_ms=now,
        summary=f"flinkops test message for channel {name}",
        evidence={"note": "sent by `flinkops alerts test`; nothing is wrong"},
        link=link,
    )
    return send(channel, Transition("firing", record), name=name)
