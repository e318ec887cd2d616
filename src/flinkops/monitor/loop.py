"""``Monitor``: sample, store, evaluate the rules, advance alerts, notify channels.

One ``run_once()`` is one pass; ``run()`` repeats it every ``interval`` seconds
until ``stop`` is set. Deliveries run on a small thread pool, so a slow or dead
channel never delays sampling; ``run_once(wait=True)`` (``--once``) waits for them.
Retention (downsampling and pruning) runs on the first pass and then every 10 minutes.
A channel kind with a ``resend`` interval (Alertmanager) gets each still-firing alert
again once per interval, as Prometheus re-sends its alerts; the last failed re-send
is recorded (status ``resend``), a good one is not (the next follows within the interval).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import Any

from flinkops.errors import FlinkopsError
from flinkops.flink.live import Scope, root_cause
from flinkops.flink.rest import FlinkClient
from flinkops.monitor.alerting import Step, Transition, step
from flinkops.monitor.channels import KINDS, deliver, send
from flinkops.monitor.history import history_source
from flinkops.monitor.prometheus import PrometheusHistory
from flinkops.monitor.rules import (
    Condition,
    effective_rules,
    evaluate_cluster,
    evaluate_job,
    history_window,
)
from flinkops.monitor.sampler import Pass, Sampler
from flinkops.plan.scope import project_scope
from flinkops.redact import redact
from flinkops.spec import Channel, JobSpec, Project, parse_duration
from flinkops.store import Delivery, MetricsStore, Sample, Store, VersionRecord

__all__ = ["DEFAULT_CONSOLE_URL", "Monitor", "MonitorSettings", "settings_of"]

DEFAULT_CONSOLE_URL = "http://127.0.0.1:8088"
RETENTION_EVERY = 600.0


@dataclass(frozen=True)
class MonitorSettings:
    interval: float = 15.0
    full: float = 24 * 3600.0
    rollups: float = 30 * 24 * 3600.0
    console_url: str = DEFAULT_CONSOLE_URL
    prometheus: str | None = None
    channels: dict[str, Channel] = field(default_factory=dict)
    send_to: tuple[str, ...] | None = None


def settings_of(project: Project) -> MonitorSettings:
    """The monitor's settings from flinkops.yaml's ``metrics:`` and ``alerts:``."""
    m, a = project.model.metrics, project.model.alerts
    retention = m.retention if m else None

    def dur(value: Any, default: float) -> float:
        return parse_duration(value) if value is not None else default

    return MonitorSettings(
        interval=dur(m.interval if m else None, 15.0),
        full=dur(retention.full if retention else None, 24 * 3600.0),
        rollups=dur(retention.rollups if retention else None, 30 * 24 * 3600.0),
        console_url=((a.console_url if a else None) or DEFAULT_CONSOLE_URL).rstrip("/"),
        prometheus=m.prometheus if m else None,
        channels=dict(a.channels) if a else {},
        send_to=tuple(a.send_to) if a and a.send_to is not None else None,
    )


def checkpointing(spec: JobSpec) -> bool:
    interval = spec.flink_configuration.get("execution.checkpointing.interval", "")
    return interval not in ("", "0", "0s", "0 ms")


class Monitor:
    """Monitors one target of a project; ``record(Delivery)`` hooks are for tests."""

    def __init__(
        self,
        project: Project,
        target: str,
        client: FlinkClient,
        store: Store,
        *,
        url: str,
        settings: MonitorSettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.project = project
        self.target = target
        self.client = client
        self.store = store
        self.settings = settings or settings_of(project)
        self.specs = {s.name: s for s in project.jobs_for(target)}
        # the channels this monitor may send to need their ${env:...} now, not mid-alert
        project.require_channels(n for job in ("", *self.specs) for n in self.channels_for(job))
        self.metrics = MetricsStore(store)
        self.source = history_source(project, store)
        self.sampler = Sampler(client, target=target, url=url, scope=self._scope())
        alerts = project.model.alerts
        self.cluster_rules = effective_rules(alerts.rules if alerts else None)
        self.rules = {
            name: effective_rules(
                alerts.rules if alerts else None,
                spec.model.alerts.rules if spec.model.alerts else None,
            )
            for name, spec in self.specs.items()
        }
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="flinkops-alert")
        self._pending: list[Future[bool]] = []
        self._sleep = sleep
        self._last_retention = 0.0
        self._sent: dict[tuple[str, str], float] = {}  # (alert id, channel) -> last send

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if isinstance(self.source, PrometheusHistory):
            self.source.close()

    # -- one pass -------------------------------------------------------------------

    def _scope(self) -> Scope:
        """The project's jobs on the target (``plan.scope``), read from the store now."""
        return project_scope(self.store, self.target, self.project.project_id, names=self.specs)

    def run_once(
        self, *, now: float | None = None, wait_deliveries: bool = False
    ) -> dict[str, Any]:
        """Sample, store, evaluate and notify once; a JSON-able report of the pass."""
        now = time.time() if now is None else now
        latest: dict[str, VersionRecord] = {}
        for name in self.specs:
            version = self.store.latest_version(self.target, name, outcome=None)
            if version is not None:
                latest[name] = version
        moving = {t.job for t in self.store.open_transitions(self.target)}
        self.sampler.scope = self._scope()  # the store may have recorded a job since
        sampling = self.settings.prometheus is None
        seen = self.sampler.sample(
            list(self.specs.values()), latest, moving, metrics=sampling, now=now
        )
        if sampling and seen.values:
            self.metrics.record_samples(
                self.target, [Sample(job, seen.at, v) for job, v in seen.values.items()]
            )
        result = step(
            self.target,
            self.metrics.open_alerts(self.target),
            self._conditions(seen, now),
            now_ms=int(now * 1000),
            link=self._link,
        )
        self._save(result, seen)
        self._pending = [f for f in self._pending if not f.done()]
        for transition in result.transitions:
            self._notify(transition, now)
        self._resend(now)
        if wait_deliveries:
            self.wait_deliveries()
        savepoints = self._scheduled_savepoints(now) if seen.reachable else None
        retention = None
        if now - self._last_retention >= RETENTION_EVERY:
            retention = self.metrics.downsample(
                int(now), full=self.settings.full, rollups=self.settings.rollups
            )
            self._last_retention = now
        return {**self._report(seen, result, retention), "savepoints": savepoints}

    def _scheduled_savepoints(self, now: float) -> dict[str, Any] | None:
        """The savepoint scheduler's pass (issue: scheduled savepoints and retention), for
        the jobs with a schedule or retention; a failure is reported, monitoring goes on."""
        from datetime import UTC, datetime

        from flinkops.savepoints import run_due_savepoints

        specs = [
            s
            for s in self.specs.values()
            if s.savepoint_policy.schedule is not None or s.savepoint_policy.retain is not None
        ]
        if not specs:
            return None
        try:
            return run_due_savepoints(
                self.client,
                self.store,
                target=self.target,
                specs=specs,
                now=datetime.fromtimestamp(now, UTC),
            )
        except FlinkopsError as exc:
            return {"error": redact(str(exc), self.project.secrets)}

    def _conditions(self, seen: Pass, now: float) -> list[Condition]:
        conditions = evaluate_cluster(
            seen.reachable, seen.error, self.sampler.url, self.cluster_rules
        )
        if not seen.reachable:
            return conditions  # job rules keep their alerts until the cluster answers
        for name, row in seen.rows.items():
            spec = self.specs.get(name)
            if spec is None:
                continue
            rules = self.rules[name]
            since = int(now - history_window(rules, self.settings.interval))
            history = self.source.history(self.target, name, since, int(now))
            conditions += evaluate_job(
                row, history, rules, now=now, checkpointing=checkpointing(spec)
            )
        return conditions

    def _save(self, result: Step, seen: Pass) -> None:
        for alert_id in result.drop:
            self.metrics.delete_alert(alert_id)
        fired = {t.alert.id for t in result.transitions if t.status == "firing"}
        for i, record in enumerate(result.save):
            job_id = record.evidence.get("job_id")
            if record.id in fired and job_id and "root_exception" not in record.evidence:
                cause = root_cause(self.client, str(job_id))
                if cause:
                    record = replace(record, evidence={**record.evidence, "root_exception": cause})
                    result.save[i] = record
                    result.transitions[:] = [
                        Transition(t.status, record) if t.alert.id == record.id else t
                        for t in result.transitions
                    ]
            self.metrics.save_alert(self._redacted(record))

    def _redacted(self, record: Any) -> Any:
        return replace(
            record,
            summary=redact(record.summary, self.project.secrets),
            evidence=redact(record.evidence, self.project.secrets),
        )

    def _link(self, job: str) -> str:
        base = self.settings.console_url
        return f"{base}/jobs/{job}" if job else f"{base}/"

    # -- channels -------------------------------------------------------------------

    def channels_for(self, job: str) -> dict[str, Channel]:
        spec = self.specs.get(job)
        names: tuple[str, ...] | None = None
        if spec is not None and spec.model.alerts and spec.model.alerts.send_to is not None:
            names = tuple(spec.model.alerts.send_to)
        elif self.settings.send_to is not None:
            names = self.settings.send_to
        channels = self.settings.channels
        return {n: c for n, c in channels.items() if names is None or n in names}

    def _record(self, delivery: Delivery) -> None:
        self.metrics.record_delivery(
            replace(delivery, detail=redact(delivery.detail, self.project.secrets))
        )

    def _notify(self, transition: Transition, now: float) -> None:
        transition = Transition(transition.status, self._redacted(transition.alert))
        for name, channel in self.channels_for(transition.alert.job).items():
            self._sent[(transition.alert.id, name)] = now
            self._pending.append(
                self._pool.submit(deliver, name, channel, transition, self._record)
            )

    def _resend(self, now: float) -> None:
        """Send the open firing alerts again to the channels whose kind re-sends them,
        once per the kind's ``resend`` interval."""
        if not any(KINDS[c.type].resend for c in self.settings.channels.values()):
            return
        firing = [a for a in self.metrics.open_alerts(self.target) if a.state == "firing"]
        ids = {a.id for a in firing}
        self._sent = {k: v for k, v in self._sent.items() if k[0] in ids}
        for record in firing:
            for name, channel in self.channels_for(record.job).items():
                every = KINDS[channel.type].resend
                if every is None or now - self._sent.get((record.id, name), 0.0) < every:
                    continue
                self._sent[(record.id, name)] = now
                t = Transition("firing", self._redacted(record))
                self._pending.append(self._pool.submit(self._resend_one, name, channel, t))

    def _resend_one(self, name: str, channel: Channel, t: Transition) -> bool:
        try:
            send(channel, t, name=name)
            return True
        except Exception as exc:  # a channel must never take the monitor down
            at = int(time.time() * 1000)
            self._record(Delivery(t.alert.id, "resend", name, 1, at, False, str(exc)))
            return False

    def wait_deliveries(self) -> None:
        wait(self._pending)
        self._pending = [f for f in self._pending if not f.done()]

    # -- loop -----------------------------------------------------------------------

    def run(
        self,
        stop: threading.Event,
        on_pass: Callable[[dict[str, Any]], None],
        on_error: Callable[[FlinkopsError], None],
    ) -> None:
        """Pass after pass every ``interval`` seconds until ``stop`` is set."""
        while not stop.is_set():
            started = time.monotonic()
            try:
                on_pass(self.run_once())
            except FlinkopsError as exc:  # e.g. a busy store: try again next time
                on_error(exc)
            left = self.settings.interval - (time.monotonic() - started)
            stop.wait(max(0.0, left))
        self.wait_deliveries()

    def _report(self, seen: Pass, result: Step, retention: dict[str, int] | None) -> dict[str, Any]:
        return {
            "target": self.target,
            "at": seen.at,
            "reachable": seen.reachable,
            "error": redact(seen.error, self.project.secrets),
            "jobs": {name: row["current"] for name, row in seen.rows.items() if name in self.specs},
            "series": sum(len(v) for v in seen.values.values()),
            "rest_calls": seen.calls,
            "sample_ms": round(seen.seconds * 1000, 1),
            "transitions": [
                {"status": t.status, "rule": t.alert.rule, "job": t.alert.job, "id": t.alert.id}
                for t in result.transitions
            ],
            "open": [
                {"state": a.state, "rule": a.rule, "job": a.job}
                for a in result.save
                if a.state != "resolved"
            ],
            "retention": retention,
        }
