"""What every alert channel kind is: ``ChannelKind``, and the two shapes most kinds
share: ``HttpChannel`` (POST JSON to the channel's URL) and ``RobotChannel`` (a chat
robot that answers 200 with its verdict in the body). ``text_of`` is the plain text
of a transition, the same for every channel; ``annotations_of`` its Alertmanager
annotations (string -> string), the same for the webhook and Alertmanager kinds."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import httpx

from flinkops.errors import ChannelError
from flinkops.monitor.alerting import Transition
from flinkops.spec import Channel, parse_duration
from flinkops.store import iso_ms

__all__ = ["ChannelKind", "HttpChannel", "RobotChannel", "annotations_of", "labels_of", "text_of"]


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


def labels_of(t: Transition) -> dict[str, str]:
    """Alertmanager labels of an alert: ``alertname`` (the rule), ``severity``,
    ``target`` and ``job`` (absent for a cluster's own alert: Alertmanager drops empty
    labels anyway)."""
    a = t.alert
    labels = {"alertname": a.rule, "severity": a.severity, "target": a.target, "job": a.job}
    return {k: v for k, v in labels.items() if v}


def annotations_of(t: Transition) -> dict[str, str]:
    """Alertmanager annotations of an alert, every value a string: ``summary``,
    ``description`` (the plain text of ``text_of``), ``evidence`` (the evidence as
    compact JSON text) and ``console`` (the job's page)."""
    a = t.alert
    evidence = {k: v for k, v in a.evidence.items() if v not in (None, "", [])}
    return {
        "summary": a.summary,
        "description": text_of(t)[1],
        "evidence": json.dumps(evidence, sort_keys=True, default=str, separators=(",", ":")),
        "console": a.link,
    }


class ChannelKind(ABC):
    """One kind of alert channel, made per channel from its spec (``channel.type``
    names the kind: ``registry.KINDS``): what it sends for a transition, and how."""

    #: the spec's ``channel.type`` for this kind
    type: ClassVar[str]
    #: whether the kind takes a signing ``secret`` (the spec allows one only then)
    signed: ClassVar[bool] = False
    #: seconds between re-sends of a still-firing alert (None: sent on transitions only)
    resend: ClassVar[float | None] = None

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    @property
    def timeout(self) -> float:
        """Seconds per attempt: the channel's ``timeout``, else 10."""
        timeout = self.channel.timeout
        return parse_duration(timeout) if timeout is not None else 10.0

    @abstractmethod
    def payload(self, t: Transition, now_ms: int) -> Any:
        """What the endpoint gets for ``t`` (email: subject and body). Pure."""

    @abstractmethod
    def send(self, t: Transition, *, name: str, now_ms: int) -> str:
        """One attempt; what the endpoint said. Raises ChannelError naming ``name``."""


class HttpChannel(ChannelKind):
    """A channel that POSTs its payload as JSON to its URL (usually the secret itself:
    write it as ``${env:NAME}``), with the channel's headers."""

    def url(self, now_ms: int) -> str:
        assert self.channel.url is not None
        return self.channel.url

    def send(self, t: Transition, *, name: str, now_ms: int) -> str:
        body = self.payload(t, now_ms)
        try:
            resp = httpx.post(
                self.url(now_ms), json=body, headers=self.channel.headers, timeout=self.timeout
            )
        except httpx.HTTPError as exc:
            raise ChannelError(f"channel {name}: {type(exc).__name__}: {exc}") from exc
        if resp.status_code >= 300:
            raise ChannelError(f"channel {name}: HTTP {resp.status_code}: {resp.text[:200]}")
        self.check_answer(name, resp)
        return f"HTTP {resp.status_code}"

    def check_answer(self, name: str, resp: httpx.Response) -> None:
        """Raise ChannelError when a 2xx answer still refuses the message; any 2xx does not."""


class RobotChannel(HttpChannel):
    """A chat robot (DingTalk, Feishu/Lark, WeCom): it answers 200 with an error code in
    the body when it refuses a message."""

    def check_answer(self, name: str, resp: httpx.Response) -> None:
        try:
            data = resp.json()
        except ValueError:
            return
        code = data.get("errcode", data.get("code", data.get("StatusCode", 0)))
        if code not in (0, None):
            message = data.get("errmsg") or data.get("msg") or data.get("StatusMessage") or ""
            raise ChannelError(f"channel {name}: robot refused the message: {code} {message}")
