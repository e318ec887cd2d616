"""Sending an alert: ``send`` makes one attempt through the channel's kind and raises
``ChannelError``; ``deliver`` retries (``retries``, default 3; ``backoff``, default 1s,
doubled each time), records each attempt through ``record`` and never raises, so a
failed channel never stops monitoring."""

from __future__ import annotations

import time
from collections.abc import Callable

from flinkops.errors import ChannelError
from flinkops.monitor.alerting import Transition
from flinkops.monitor.channels.registry import kind_of
from flinkops.spec import Channel, parse_duration
from flinkops.store import Delivery

__all__ = ["Recorder", "deliver", "send"]

Recorder = Callable[[Delivery], None]


def send(channel: Channel, t: Transition, *, name: str = "") -> str:
    """One attempt; returns what the endpoint said. Raises ChannelError on failure."""
    return kind_of(channel).send(t, name=name, now_ms=int(time.time() * 1000))


def deliver(
    name: str,
    channel: Channel,
    t: Transition,
    record: Recorder,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Send with retries and backoff, recording every attempt; True when one succeeded."""
    retries = 3 if channel.retries is None else channel.retries
    wait = parse_duration(channel.backoff) if channel.backoff is not None else 1.0
    for attempt in range(1, retries + 2):
        try:
            detail, ok = send(channel, t, name=name), True
        except ChannelError as exc:
            detail, ok = str(exc), False
        except Exception as exc:  # a channel must never take the monitor down
            detail, ok = f"channel {name}: unexpected {type(exc).__name__}: {exc}", False
        record(Delivery(t.alert.id, t.status, name, attempt, int(time.time() * 1000), ok, detail))
        if ok:
            return True
        if attempt <= retries:
            sleep(wait * 2 ** (attempt - 1))
    return False
