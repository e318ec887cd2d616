"""Alert channels, one class per kind (the way httpx has one module per transport):
a generic JSON webhook, Slack, email (SMTP + STARTTLS), DingTalk, Feishu/Lark and WeCom
robots; and delivery with retries and backoff, every attempt recorded. Part of monitor.

``_base`` says what a kind is (``ChannelKind``: ``payload`` and ``send``; most kinds are
an ``HttpChannel`` or a ``RobotChannel``); each kind is its own module, named by its
``type`` (``webhook``, ``slack``, ``email``, ``dingtalk``, ``feishu``, ``wecom``: what
it sends, and its signing); ``registry`` maps types to kinds (``KINDS``);
``delivery`` sends (``send``: one attempt) and retries (``deliver``).
"""

from flinkops.monitor.channels._base import ChannelKind
from flinkops.monitor.channels.delivery import deliver, send
from flinkops.monitor.channels.registry import KINDS, kind_of

__all__ = ["KINDS", "ChannelKind", "deliver", "kind_of", "send"]
