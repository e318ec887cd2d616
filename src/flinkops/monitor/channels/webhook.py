"""The generic webhook: Alertmanager's webhook body (version 4), so any receiver of
Alertmanager's alerts takes flinkops's too (annotations are strings, as
Alertmanager's are: ``annotations_of``). No signing: the URL and headers carry any
credential."""

from __future__ import annotations

from typing import Any

from flinkops.monitor.alerting import Transition
from flinkops.monitor.channels._base import HttpChannel, annotations_of, labels_of
from flinkops.store import iso_ms

__all__ = ["Webhook"]


class Webhook(HttpChannel):
    type = "webhook"

    def payload(self, t: Transition, now_ms: int) -> dict[str, Any]:
        a = t.alert
        return {
            "version": "4",
            "receiver": "flinkops",
            "status": t.status,
            "groupKey": a.fingerprint,
            "externalURL": a.link,
            "alerts": [
                {
                    "status": t.status,
                    "labels": labels_of(t),
                    "annotations": annotations_of(t),
                    "startsAt": iso_ms(a.fired_ms or a.started_ms),
                    "endsAt": iso_ms(a.resolved_ms) or "0001-01-01T00:00:00Z",
                    "generatorURL": a.link,
                    "fingerprint": a.fingerprint,
                    "id": a.id,
                }
            ],
        }
