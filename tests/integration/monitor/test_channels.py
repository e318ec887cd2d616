"""Alert channels against real endpoints on loopback: an HTTP receiver that checks
payload shape and signatures (webhook, Slack, DingTalk, Feishu, WeCom) and a real
SMTP server (aiosmtpd) with STARTTLS and a self-signed certificate made here; a real
Alertmanager (Debian's ``prometheus-alertmanager``) on loopback for its channel."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from flinkops.errors import ChannelError
from flinkops.monitor.alerting import Transition
from flinkops.monitor.channels import deliver, send
from flinkops.spec import Channel
from flinkops.store import AlertRecord, Delivery
from tests.integration._wait import wait_until
from tests.integration.monitor.alertmanager import alerts_in, running_alertmanager, silence
from tests.integration.monitor.receivers import Receiver

SECRET = "SEC-robot-secret-123"


def _transition(status: str = "firing") -> Transition:
    alert = AlertRecord(
        id="fp-1",
        fingerprint="fp",
        target="prod",
        job="orders",
        rule="failed",
        severity="critical",
        state=status,
        started_ms=1_700_000_000_000,
        updated_ms=1_700_000_000_000,
        fired_ms=1_700_000_000_000,
        resolved_ms=1_700_000_060_000 if status == "resolved" else None,
        summary="orders: job is FAILED (desired running)",
        evidence={"state": "FAILED", "root_exception": "NumberFormatException: For input"},
        link="http://127.0.0.1:8088/jobs/orders",
    )
    return Transition(status, alert)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    rec = Receiver(secret=SECRET)
    url = rec.start()
    yield rec, url
    rec.stop()


def test_webhook_gets_alertmanager_shaped_json(receiver: tuple[Receiver, str]) -> None:
    rec, url = receiver
    said = send(Channel(type="webhook", url=f"{url}/hook"), _transition("resolved"), name="hook")
    assert said == "HTTP 200"
    [req] = rec.requests
    assert req.body["status"] == "resolved" and req.body["version"] == "4"
    [alert] = req.body["alerts"]
    assert alert["labels"] == {
        "alertname": "failed",
        "severity": "critical",
        "target": "prod",
        "job": "orders",
    }
    assert alert["startsAt"] == "2023-11-14T22:13:20.000Z"
    assert alert["endsAt"] == "2023-11-14T22:14:20.000Z"
    assert alert["generatorURL"] == "http://127.0.0.1:8088/jobs/orders"
    annotations = alert["annotations"]
    assert all(isinstance(v, str) for v in annotations.values()), annotations
    assert json.loads(annotations["evidence"])["root_exception"].startswith("NumberFormat")
    assert annotations["console"] == "http://127.0.0.1:8088/jobs/orders"
    assert "root_exception: NumberFormatException" in annotations["description"]


def test_alertmanager_takes_the_alert_silences_it_and_resolves_it(tmp_path: Path) -> None:
    with running_alertmanager(tmp_path / "am") as am:
        channel = Channel(type="alertmanager", url=am)
        firing = _transition()
        firing = Transition("firing", replace(firing.alert, fired_ms=int(time.time() * 1000)))
        assert send(channel, firing, name="am") == "HTTP 200"
        [alert] = wait_until(
            lambda: alerts_in(am, job="orders"), what="the alert is in Alertmanager's API"
        )
        assert alert["labels"] == {
            "alertname": "failed",
            "severity": "critical",
            "target": "prod",
            "job": "orders",
        }
        assert alert["status"]["state"] == "active"
        assert alert["annotations"]["console"] == "http://127.0.0.1:8088/jobs/orders"
        assert json.loads(alert["annotations"]["evidence"])["state"] == "FAILED"
        assert alert["generatorURL"] == "http://127.0.0.1:8088/jobs/orders"

        silence_id = silence(am, job="orders", alertname="failed")
        silenced = wait_until(
            lambda: [a for a in alerts_in(am, job="orders") if a["status"]["silencedBy"]],
            what="the silence suppresses the alert",
        )
        assert silenced[0]["status"] == {
            "state": "suppressed",
            "silencedBy": [silence_id],
            "inhibitedBy": [],
        }

        ended = replace(firing.alert, state="resolved", resolved_ms=int(time.time() * 1000))
        send(channel, Transition("resolved", ended), name="am")
        wait_until(
            lambda: alerts_in(am, job="orders") == [],
            what="the resolved alert leaves Alertmanager's active alerts",
        )


def test_slack_and_wecom_get_their_text_messages(receiver: tuple[Receiver, str]) -> None:
    rec, url = receiver
    send(Channel(type="slack", url=f"{url}/slack"), _transition(), name="slack")
    send(Channel(type="wecom", url=f"{url}/wecom"), _transition(), name="wecom")
    slack, wecom = rec.requests
    assert set(slack.body) == {"text"} and slack.body["text"].startswith("[FIRING] critical:")
    assert "http://127.0.0.1:8088/jobs/orders" in slack.body["text"]
    assert wecom.body["msgtype"] == "text" and "root_exception" in wecom.body["text"]["content"]


def test_dingtalk_and_feishu_are_signed_and_a_wrong_secret_is_refused(
    receiver: tuple[Receiver, str],
) -> None:
    rec, url = receiver
    ding = Channel(type="dingtalk", url=f"{url}/dingtalk?access_token=t0k", secret=SECRET)
    send(ding, _transition(), name="ding")
    req = rec.requests[-1]
    assert req.query["access_token"] == "t0k" and req.query["timestamp"] and req.query["sign"]
    assert req.body["msgtype"] == "markdown" and req.body["markdown"]["title"].startswith(
        "[FIRING]"
    )
    send(Channel(type="feishu", url=f"{url}/feishu", secret=SECRET), _transition(), name="fs")
    body = rec.requests[-1].body
    assert body["msg_type"] == "text" and body["timestamp"] and body["sign"]
    for kind in ("dingtalk", "feishu"):
        bad = Channel(type=kind, url=f"{url}/{kind}", secret="not-the-secret")
        with pytest.raises(ChannelError, match="robot refused"):
            send(bad, _transition(), name=kind)


def test_a_500_is_retried_with_backoff_and_every_attempt_recorded(
    receiver: tuple[Receiver, str],
) -> None:
    rec, url = receiver
    rec.fail["/hook"] = 2
    attempts: list[Delivery] = []
    waits: list[float] = []
    channel = Channel(type="webhook", url=f"{url}/hook", retries=3, backoff="0.5s")
    ok = deliver("hook", channel, _transition(), attempts.append, sleep=waits.append)
    assert ok and [(d.attempt, d.ok) for d in attempts] == [(1, False), (2, False), (3, True)]
    assert "HTTP 500" in attempts[0].detail and waits == [0.5, 1.0]
    assert len(rec.requests) == 3


def test_a_timeout_is_retried_then_given_up_without_raising(
    receiver: tuple[Receiver, str],
) -> None:
    rec, url = receiver
    rec.hang["/slow"] = 1.5
    attempts: list[Delivery] = []
    channel = Channel(type="slack", url=f"{url}/slow", retries=1, backoff=0, timeout="300ms")
    assert deliver("slow", channel, _transition(), attempts.append) is False
    assert [(d.attempt, d.ok) for d in attempts] == [(1, False), (2, False)]
    assert all("ReadTimeout" in d.detail for d in attempts)


# ---------------------------------------------------------------- email


@pytest.fixture
def smtp_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, list]]:
    aiosmtpd = pytest.importorskip("aiosmtpd.controller", reason="pip install aiosmtpd (dev)")
    from aiosmtpd.smtp import AuthResult, LoginPassword

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make the SMTP server's certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    received: list = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((session.authenticated, envelope))
            return "250 OK"

    def auth(server, session, envelope, mechanism, data):  # type: ignore[no-untyped-def]
        ok = isinstance(data, LoginPassword) and data.password == b"mail-pass-123"
        return AuthResult(success=ok)

    from flinkops.flink.local import free_port

    port = free_port()
    controller = aiosmtpd.Controller(
        Handler(),
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=auth,
        auth_required=True,
    )
    controller.start()
    monkeypatch.setenv("FLINKOPS_SMTP_CAFILE", str(cert))
    yield port, received
    controller.stop()


def test_email_over_starttls_with_login(smtp_server: tuple[int, list]) -> None:
    port, received = smtp_server
    channel = Channel.model_validate(
        {
            "type": "email",
            "host": "127.0.0.1",
            "port": port,
            "username": "flinkops",
            "password": "mail-pass-123",
            "from": "flinkops@example.org",
            "to": ["oncall@example.org"],
        }
    )
    assert send(channel, _transition(), name="mail") == "sent to 1 recipient(s)"
    [(authenticated, envelope)] = received
    assert authenticated and envelope.rcpt_tos == ["oncall@example.org"]
    text = envelope.content.decode()
    assert "Subject: [FIRING] critical: orders: job is FAILED" in text
    assert "http://127.0.0.1:8088/jobs/orders" in text
    wrong = channel.model_copy(update={"password": "nope"})
    with pytest.raises(ChannelError, match=r"SMTP 127\.0\.0\.1"):
        send(wrong, _transition(), name="mail")


def test_alerts_test_cli_sends_through_a_named_channel_and_hides_secrets(
    receiver: tuple[Receiver, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from flinkops.cli import main

    rec, url = receiver
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "a.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: SqlJob\nmetadata: {name: a}\n"
        "spec: {sql: 'INSERT INTO x SELECT 1'}\n"
    )
    (tmp_path / "flinkops.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: Project\ntargets: {t: {url: 'http://127.0.0.1:1'}}\n"
        "alerts:\n  channels:\n"
        f"    ding: {{type: dingtalk, url: '{url}/dingtalk', secret: '${{env:DING_SECRET}}'}}\n"
        "    gone: {type: slack, url: '${env:GONE_URL}', timeout: 2s}\n"
    )
    monkeypatch.setenv("DING_SECRET", SECRET)
    monkeypatch.setenv("GONE_URL", "http://127.0.0.1:9/hooks/T0KEN-in-url")
    runner = CliRunner()
    out = runner.invoke(main, ["alerts", "test", "ding", "--project", str(tmp_path)])
    assert out.exit_code == 0, out.output
    assert "Sent a test message through ding: HTTP 200." in out.output
    assert rec.requests[-1].body["markdown"]["title"].startswith("[FIRING] info: flinkops test")
    failed = runner.invoke(main, ["alerts", "--project", str(tmp_path), "test", "gone"])
    assert failed.exit_code == 1 and "channel gone:" in failed.output
    assert "T0KEN-in-url" not in failed.output
    unknown = runner.invoke(main, ["alerts", "test", "nope", "--project", str(tmp_path)])
    assert unknown.exit_code == 1 and "no channel 'nope' (channels: ding, gone)" in unknown.output
