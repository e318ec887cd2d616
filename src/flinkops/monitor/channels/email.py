"""Email over SMTP: STARTTLS unless ``starttls: false`` (``FLINKOPS_SMTP_CAFILE`` adds a
CA, a private or test server's), login when a username is given; the transition's text
as the message."""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from typing import Any

from flinkops.errors import ChannelError
from flinkops.monitor.alerting import Transition
from flinkops.monitor.channels._base import ChannelKind, text_of

__all__ = ["Email"]


class Email(ChannelKind):
    type = "email"

    def payload(self, t: Transition, now_ms: int) -> dict[str, Any]:
        title, body = text_of(t)
        return {"subject": title, "body": body}

    def send(self, t: Transition, *, name: str, now_ms: int) -> str:
        channel, body = self.channel, self.payload(t, now_ms)
        msg = EmailMessage()
        msg["Subject"] = body["subject"]
        msg["From"] = channel.from_ or ""
        msg["To"] = ", ".join(channel.to or [])
        msg.set_content(body["body"])
        port = channel.port or 587
        try:
            with smtplib.SMTP(channel.host or "", port, timeout=self.timeout) as smtp:
                if channel.starttls is not False:
                    smtp.starttls(context=_tls_context())
                if channel.username:
                    smtp.login(channel.username, channel.password or "")
                refused = smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise ChannelError(f"channel {name}: SMTP {channel.host}:{port}: {exc}") from exc
        if refused:
            raise ChannelError(f"channel {name}: recipients refused: {sorted(refused)}")
        return f"sent to {len(channel.to or [])} recipient(s)"


def _tls_context() -> ssl.SSLContext:
    """The default context; FLINKOPS_SMTP_CAFILE adds a CA (a private or test server's)."""
    cafile = os.environ.get("FLINKOPS_SMTP_CAFILE")
    return ssl.create_default_context(cafile=cafile or None)
