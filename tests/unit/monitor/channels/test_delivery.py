"""What each channel kind puts on the wire, through ``send`` and ``deliver`` with
``httpx.post`` recorded (the real endpoints: tests/integration/monitor/test_channels.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from flinkops.errors import ChannelError
from flinkops.monitor.alerting import Transition
from flinkops.monitor.channels import deliver, send
from flinkops.spec import Channel
from flinkops.store import AlertRecord, Delivery

NOW = 1_700_000_123.456
ALERT = AlertRecord(
    id="fp-1",
    fingerprint="fp",
    target="prod",
    job="orders",
    rule="failed",
    severity="critical",
    state="firing",
    started_ms=1_700_000_000_000,
    updated_ms=1_700_000_000_000,
    fired_ms=1_700_000_000_000,
    summary="orders: job is FAILED",
    evidence={"state": "FAILED", "empty": ""},
    link="http://127.0.0.1:8088/jobs/orders",
)
FIRING = Transition("firing", ALERT)
TEXT = (
    "[FIRING] critical: orders: job is FAILED\n"
    "rule: failed   target: prod   job: orders\n"
    "since: 2023-11-14T22:13:20.000Z\n"
    "state: FAILED\n"
    "http://127.0.0.1:8088/jobs/orders"
)


class Wire:
    """Every POST (``calls``), answered by the next of ``answers``, else 200 ``{}``."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.answers: list[httpx.Response] = []

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        self.calls.append({"url": url, **kwargs})
        return self.answers.pop(0) if self.answers else httpx.Response(200, json={})


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Wire:
    recorder = Wire()
    monkeypatch.setattr(httpx, "post", recorder.post)
    monkeypatch.setattr("time.time", lambda: NOW)
    return recorder


def _hmac(key: str, msg: str) -> str:
    digest = hmac.new(key.encode(), msg.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def test_webhook_slack_and_wecom_bodies(wire: Wire):
    hook = Channel(type="webhook", url="http://h/hook", headers={"X-Team": "data"}, timeout="3s")
    assert send(hook, FIRING, name="hook") == "HTTP 200"
    send(Channel(type="slack", url="http://h/slack"), FIRING)
    send(Channel(type="wecom", url="http://h/wecom"), FIRING)
    webhook, slack, wecom = wire.calls
    assert webhook["headers"] == {"X-Team": "data"} and webhook["timeout"] == 3.0
    assert webhook["json"]["alerts"][0]["endsAt"] == "0001-01-01T00:00:00Z"
    assert list(webhook["json"]) == [
        *("version", "receiver", "status", "groupKey", "externalURL", "alerts")
    ]
    assert slack["json"] == {"text": TEXT} and slack["timeout"] == 10.0
    assert wecom["json"] == {"msgtype": "text", "text": {"content": TEXT}}


def test_alertmanager_gets_v2_alerts_with_string_annotations(wire: Wire):
    am = Channel(type="alertmanager", url="http://am:9093/")
    send(am, FIRING, name="am")
    send(am, Transition("resolved", replace(ALERT, resolved_ms=1_700_000_060_000)), name="am")
    firing, resolved = wire.calls
    assert firing["url"] == resolved["url"] == "http://am:9093/api/v2/alerts"
    [alert] = firing["json"]
    labels = {"alertname": "failed", "severity": "critical", "target": "prod", "job": "orders"}
    assert alert == {
        "labels": labels,
        "annotations": {
            "summary": "orders: job is FAILED",
            "description": TEXT,
            "evidence": '{"state":"FAILED"}',
            "console": "http://127.0.0.1:8088/jobs/orders",
        },
        "startsAt": "2023-11-14T22:13:20.000Z",
        # active until 4 re-send intervals past now: a sender that died resolves by itself
        "endsAt": "2023-11-14T22:19:23.456Z",
        "generatorURL": "http://127.0.0.1:8088/jobs/orders",
    }
    assert resolved["json"][0]["endsAt"] == "2023-11-14T22:14:20.000Z"


def test_a_cluster_alert_has_no_job_label(wire: Wire):
    cluster = Transition("firing", replace(ALERT, job=""))
    send(Channel(type="alertmanager", url="http://am"), cluster)
    assert "job" not in wire.calls[0]["json"][0]["labels"]


def test_dingtalk_signs_its_url_and_feishu_its_body(wire: Wire):
    send(Channel(type="dingtalk", url="http://h/d?access_token=t", secret="S"), FIRING)
    send(Channel(type="feishu", url="http://h/f", secret="S"), FIRING)
    ding, feishu = wire.calls
    query = parse_qs(urlsplit(ding["url"]).query)
    assert query == {
        "access_token": ["t"],
        "timestamp": ["1700000123456"],
        "sign": [_hmac("S", "1700000123456\nS")],
    }
    title = "[FIRING] critical: orders: job is FAILED"
    assert ding["json"] == {"msgtype": "markdown", "markdown": {"title": title, "text": TEXT}}
    assert feishu["json"] == {
        "timestamp": "1700000123",
        "sign": _hmac("1700000123\nS", ""),
        "msg_type": "text",
        "content": {"text": TEXT},
    }


def test_a_robot_refusal_and_an_http_error_are_channel_errors(wire: Wire):
    wire.answers.extend(
        [
            httpx.Response(200, json={"code": 19021, "msg": "sign match fail"}),
            httpx.Response(200, json={"code": 19021}),
            httpx.Response(500, text="boom"),
        ]
    )
    robot = Channel(type="feishu", url="http://h/f", secret="S")
    with pytest.raises(ChannelError, match="channel fs: robot refused the message: 19021 sign"):
        send(robot, FIRING, name="fs")
    assert send(Channel(type="slack", url="http://h/s"), FIRING) == "HTTP 200"  # not a robot
    with pytest.raises(ChannelError, match="channel s: HTTP 500: boom"):
        send(Channel(type="slack", url="http://h/s"), FIRING, name="s")


def test_deliver_retries_with_backoff_and_records_every_attempt(wire: Wire):
    wire.answers.extend([httpx.Response(500), httpx.Response(502)])
    attempts: list[Delivery] = []
    waits: list[float] = []
    channel = Channel(type="webhook", url="http://h/hook", retries=3, backoff="0.5s")
    assert deliver("hook", channel, FIRING, attempts.append, sleep=waits.append)
    assert [(d.attempt, d.ok, d.detail) for d in attempts] == [
        (1, False, "channel hook: HTTP 500: "),
        (2, False, "channel hook: HTTP 502: "),
        (3, True, "HTTP 200"),
    ]
    assert waits == [0.5, 1.0] and attempts[0].at_ms == int(NOW * 1000)
