"""Alert channels: a generic JSON webhook, Slack, email (SMTP + STARTTLS), DingTalk,
Feishu/Lark and WeCom robots; delivery with retries and backoff, every attempt recorded.

``payload(channel, transition)`` builds what each endpoint expects (pure);
``send(channel, transition)`` does one attempt and raises ``ChannelError``;
``deliver(...)`` retries (``retries``, ``backoff`` doubled each time, ``timeout``
per attempt), records each attempt through ``record`` and never raises, so a
failed channel never stops monitoring.

Signing: DingTalk appends ``timestamp`` and ``sign`` = base64(HMAC-SHA256(secret,
"<timestamp ms>\\n<secret>")) to the URL; Feishu/Lark puts ``timestamp`` (seconds)
and ``sign`` = base64(HMAC-SHA256(key="<timestamp>\\n<secret>", msg="")) in the body.
WeCom, Slack and the webhook have no signing (their URL is the secret: write it
as ``${env:NAME}``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import smtplib
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote_plus

import httpx

from flinkops.errors import ChannelError
from flinkops.monitor.alerting import Transition
from flinkops.spec import Channel, parse_duration
from flinkops.store import Delivery, iso_ms

__all__ = ["deliver", "dingtalk_sign", "feishu_sign", "payload", "send", "text_of"]

Recorder = Callable[[Delivery], None]


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def text_of(t: Transition) -> tuple[str, str]:
    """(title, body) of a transition in plain text, the same for every channel."""
    a = t.alert
    mark = "FIRING" if t.status == "firing" else "RESOLVED"
    title = f"[{mark}] {a.severity}: {a.summary}"
    lines = [title, f"rule: {a.rule}   target: {a.target}   job: {a.job or '(cluster)'}"]
    lines.append(f"since: {iso_ms(a.fired_ms or a.started_ms)}")
    if a.resolved_ms:
        lines.append(f"resolved: {iso_ms(a.resolved_ms)}")
    for key, value in sorted(a.evidence.items()):
        if value not in (None, "", []):
            lines.append(f"{key}: {value}")
    lines.append(a.link)
    return title, "\n".join(lines)


def _alertmanager(t: Transition) -> dict[str, Any]:
    """The generic webhook body: Alertmanager's webhook format (version 4)."""
    a = t.alert
    labels = {"alertname": a.rule, "severity": a.severity, "target": a.target, "job": a.job}
    return {
        "version": "4",
        "receiver": "flinkops",
        "status": t.status,
        "groupKey": a.fingerprint,
        "externalURL": a.link,
        "alerts": [
            {
                "status": t.status,
                "labels": labels,
                "annotations": {"summary": a.summary, "evidence": a.evidence},
                "startsAt": iso_ms(a.fired_ms or a.started_ms),
                "endsAt": iso_ms(a.resolved_ms) or "0001-01-01T00:00:00Z",
                "generatorURL": a.link,
                "fingerprint": a.fingerprint,
                "id": a.id,
            }
        ],
    }


def payload(channel: Channel, t: Transition, *, now_ms: int | None = None) -> dict[str, Any]:
    """The JSON body ``channel`` gets for ``t`` (email: subject/body). Pure given now_ms."""
    title, body = text_of(t)
    if channel.type == "webhook":
        return _alertmanager(t)
    if channel.type == "slack":
        return {"text": body}
    if channel.type == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": title, "text": body}}
    if channel.type == "wecom":
        return {"msgtype": "text", "text": {"content": body}}
    if channel.type == "feishu":
        data: dict[str, Any] = {"msg_type": "text", "content": {"text": body}}
        if channel.secret:
            ts = (now_ms or int(time.time() * 1000)) // 1000
            data = {"timestamp": str(ts), "sign": feishu_sign(channel.secret, ts), **data}
        return data
    return {"subject": title, "body": body}


def _url(channel: Channel, now_ms: int) -> str:
    assert channel.url is not None
    if channel.type == "dingtalk" and channel.secret:
        sign = quote_plus(dingtalk_sign(channel.secret, now_ms))
        sep = "&" if "?" in channel.url else "?"
        return f"{channel.url}{sep}timestamp={now_ms}&sign={sign}"
    return channel.url


def _timeout(channel: Channel) -> float:
    return parse_duration(channel.timeout) if channel.timeout is not None else 10.0


def send(channel: Channel, t: Transition, *, name: str = "") -> str:
    """One attempt; returns what the endpoint said. Raises ChannelError on failure."""
    now_ms = int(time.time() * 1000)
    body = payload(channel, t, now_ms=now_ms)
    if channel.type == "email":
        return _send_email(channel, body, name)
    try:
        resp = httpx.post(
            _url(channel, now_ms), json=body, headers=channel.headers, timeout=_timeout(channel)
        )
    except httpx.HTTPError as exc:
        raise ChannelError(f"channel {name}: {type(exc).__name__}: {exc}") from exc
    if resp.status_code >= 300:
        raise ChannelError(f"channel {name}: HTTP {resp.status_code}: {resp.text[:200]}")
    if channel.type in ("dingtalk", "wecom", "feishu"):
        _robot_answer(name, resp)
    return f"HTTP {resp.status_code}"


def _robot_answer(name: str, resp: httpx.Response) -> None:
    """The robots answer 200 with an error code in the body."""
    try:
        data = resp.json()
    except ValueError:
        return
    code = data.get("errcode", data.get("code", data.get("StatusCode", 0)))
    if code not in (0, None):
        message = data.get("errmsg") or data.get("msg") or data.get("StatusMessage") or ""
        raise ChannelError(f"channel {name}: robot refused the message: {code} {message}")


def _send_email(channel: Channel, body: dict[str, Any], name: str) -> str:
    msg = EmailMessage()
    msg["Subject"] = body["subject"]
    msg["From"] = channel.from_ or ""
    msg["To"] = ", ".join(channel.to or [])
    msg.set_content(body["body"])
    port = channel.port or 587
    try:
        with smtplib.SMTP(channel.host or "", port, timeout=_timeout(channel)) as smtp:
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
