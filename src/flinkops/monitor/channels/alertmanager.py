"""Alertmanager: flinkops's alerts posted to Alertmanager's v2 API
(``POST {url}/api/v2/alerts``), so a team's routing, silences, inhibition and
deduplication apply to them as to Prometheus's.

Alertmanager treats an alert as Prometheus sends it: a firing alert carries an
``endsAt`` a little in the future and is sent again before then (``resend``, every
minute: the monitor re-sends its open firing alerts), so an alert whose sender died
resolves by itself after 4 minutes; a resolved alert carries its ``endsAt``.
``url`` is Alertmanager's base URL (``http://alertmanager:9093``); ``headers`` carry
any credential of a proxy in front of it."""

from __future__ import annotations

from typing import Any

from flinkops.monitor.alerting import Transition
from flinkops.monitor.channels._base import HttpChannel, annotations_of, labels_of
from flinkops.store import iso_ms

__all__ = ["Alertmanager"]

#: how long past the last send a firing alert stays active in Alertmanager
VALID_FOR_RESENDS = 4


class Alertmanager(HttpChannel):
    type = "alertmanager"
    resend = 60.0

    def url(self, now_ms: int) -> str:
        base = super().url(now_ms).rstrip("/")
        return base if base.endswith("/api/v2/alerts") else f"{base}/api/v2/alerts"

    def payload(self, t: Transition, now_ms: int) -> Any:
        a = t.alert
        if t.status == "resolved":
            ends = iso_ms(a.resolved_ms or now_ms)
        else:
            ends = iso_ms(now_ms + int(VALID_FOR_RESENDS * self.resend * 1000))
        return [
            {
                "labels": labels_of(t),
                "annotations": annotations_of(t),
                "startsAt": iso_ms(a.fired_ms or a.started_ms),
                "endsAt": ends,
                "generatorURL": a.link,
            }
        ]
