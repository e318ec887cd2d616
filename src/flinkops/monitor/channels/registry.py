"""Which class sends for which ``channel.type``: ``KINDS``, one entry per kind.

A new channel kind is one module here (a ``ChannelKind`` subclass naming its ``type``),
one entry below, and its type in the spec (``ChannelType`` in
``spec/_pydantic_monitor.py``) and the project schema's enum;
``tests/unit/monitor/channels/test_registry.py`` holds the registry, the spec and the
schema equal.
"""

from __future__ import annotations

from flinkops.monitor.channels._base import ChannelKind
from flinkops.monitor.channels.alertmanager import Alertmanager
from flinkops.monitor.channels.dingtalk import DingTalk
from flinkops.monitor.channels.email import Email
from flinkops.monitor.channels.feishu import Feishu
from flinkops.monitor.channels.slack import Slack
from flinkops.monitor.channels.webhook import Webhook
from flinkops.monitor.channels.wecom import WeCom
from flinkops.spec import Channel

__all__ = ["KINDS", "kind_of"]

KINDS: dict[str, type[ChannelKind]] = {
    kind.type: kind for kind in (Webhook, Slack, Email, DingTalk, Feishu, WeCom, Alertmanager)
}


def kind_of(channel: Channel) -> ChannelKind:
    """The sender of ``channel``, by its type."""
    return KINDS[channel.type](channel)
