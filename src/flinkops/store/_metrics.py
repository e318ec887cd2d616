"""Metric history and alert records in the store (the tables of the monitoring migration).

``MetricsStore(store)`` shares the Store's connection. Samples are kept compact: a
job's series names are stored once per *layout* (``metric_layouts``), each sample
row holds only the values, comma-separated in that order. ``downsample`` turns raw
samples older than the full-resolution window into 5-minute rollups (the mean of
each series) and prunes what is past retention.

Alert records follow Alertmanager: one record per firing of a rule for a job
(``fingerprint`` = target, job, rule), ``pending`` -> ``firing`` -> ``resolved``;
each delivery attempt to a channel is a row of ``alert_deliveries``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from flinkops.store._store import Store

__all__ = [
    "ALERT_STATES",
    "ROLLUP_SECONDS",
    "AlertRecord",
    "Delivery",
    "MetricsStore",
    "Sample",
    "iso_ms",
]

ROLLUP_SECONDS = 300
ALERT_STATES = ("pending", "firing", "resolved")
Points = list[tuple[int, float]]


def iso_ms(ms: int | None) -> str | None:
    """Epoch milliseconds as ISO 8601 UTC (``2026-12-02T17:20:58.123Z``), None for None."""
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass(frozen=True)
class Sample:
    """One job's values at one time (epoch seconds): series name -> value."""

    job: str
    at: int
    values: dict[str, float | None]  # None: not measured this pass (stored empty)


@dataclass
class AlertRecord:
    """One firing of one rule for one job (``job`` is "" for the cluster itself)."""

    id: str
    fingerprint: str
    target: str
    job: str
    rule: str
    severity: str
    state: str
    started_ms: int
    updated_ms: int
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)
    link: str = ""
    fired_ms: int | None = None
    resolved_ms: int | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("started", "fired", "resolved", "updated"):
            data[f"{key}_at"] = iso_ms(data.pop(f"{key}_ms"))
        return data


@dataclass(frozen=True)
class Delivery:
    """One attempt to send an alert's transition (``status``) to a channel."""

    alert_id: str
    status: str
    channel: str
    attempt: int
    at_ms: int
    ok: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = iso_ms(data.pop("at_ms"))
        return data


def _encode(values: Iterable[float | None]) -> str:
    return ",".join("" if v is None or math.isnan(v) else format(v, ".6g") for v in values)


def _decode(text: str) -> list[float | None]:
    return [float(x) if x else None for x in text.split(",")]


_ALERT_COLUMNS = (
    "id, fingerprint, target, job, rule, severity, state, started_ms, fired_ms, "
    "resolved_ms, updated_ms, summary, evidence, link"
)


def _alert(row: Any) -> AlertRecord:
    return AlertRecord(
        id=row["id"],
        fingerprint=row["fingerprint"],
        target=row["target"],
        job=row["job"],
        rule=row["rule"],
        severity=row["severity"],
        state=row["state"],
        started_ms=row["started_ms"],
        fired_ms=row["fired_ms"],
        resolved_ms=row["resolved_ms"],
        updated_ms=row["updated_ms"],
        summary=row["summary"],
        evidence=json.loads(row["evidence"]),
        link=row["link"],
    )


class MetricsStore:
    """Samples, rollups, alert records and deliveries, in the tables of ``store``."""

    def __init__(self, store: Store) -> None:
        self._db = store.db
        self._layouts: dict[tuple[str, str, tuple[str, ...]], int] = {}

    # -- samples --------------------------------------------------------------------

    def record_samples(self, target: str, samples: Sequence[Sample]) -> None:
        """Write one pass of samples in one transaction."""
        with self._db.write("record_samples") as db:
            for sample in samples:
                names = tuple(sorted(sample.values))
                layout = self._layout(db, target, sample.job, names)
                db.execute(
                    "INSERT INTO metric_samples (layout, resolution, at, vals) VALUES (?, 0, ?, ?)"
                    " ON CONFLICT (layout, resolution, at) DO UPDATE SET vals = excluded.vals",
                    (layout, sample.at, _encode(sample.values[n] for n in names)),
                )

    def _layout(self, db: Any, target: str, job: str, names: tuple[str, ...]) -> int:
        key = (target, job, names)
        if key in self._layouts:
            return self._layouts[key]
        text = json.dumps(list(names), separators=(",", ":"))
        row = db.execute(
            "SELECT id FROM metric_layouts WHERE target = ? AND job = ? AND series = ?",
            (target, job, text),
        ).fetchone()
        if row is None:
            new_id = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM metric_layouts").fetchone()[0]
            db.execute(
                "INSERT INTO metric_layouts (id, target, job, series) VALUES (?, ?, ?, ?)",
                (new_id, target, job, text),
            )
            layout = int(new_id)
        else:
            layout = int(row[0])
        self._layouts[key] = layout
        return layout

    def history(
        self, target: str, job: str, since: int, until: int | None = None
    ) -> dict[str, Points]:
        """Series name -> [(epoch seconds, value)] from ``since`` on, oldest first.

        Raw samples where they are still kept, 5-minute rollups (stamped with their
        bucket's start) before that.
        """
        until = until if until is not None else 2**62
        out: dict[str, Points] = {}
        with self._db.read("history") as db:
            layouts = db.execute(
                "SELECT id, series FROM metric_layouts WHERE target = ? AND job = ?",
                (target, job),
            ).fetchall()
            names = {int(r["id"]): json.loads(r["series"]) for r in layouts}
            if not names:
                return {}
            marks = ",".join("?" for _ in names)
            rows = db.execute(
                f"SELECT layout, resolution, at, vals FROM metric_samples WHERE layout IN ({marks})"
                " AND at >= ? AND at <= ? ORDER BY at, resolution DESC",
                (*names, since, until),
            ).fetchall()
        raw_from = min((r["at"] for r in rows if r["resolution"] == 0), default=None)
        for row in rows:
            if row["resolution"] and raw_from is not None and row["at"] >= raw_from:
                continue  # raw samples cover this bucket
            for name, value in zip(names[int(row["layout"])], _decode(row["vals"]), strict=False):
                if value is not None:
                    out.setdefault(name, []).append((int(row["at"]), value))
        return out

    def jobs_with_history(self, target: str) -> list[str]:
        with self._db.read("jobs_with_history") as db:
            rows = db.execute(
                "SELECT DISTINCT job FROM metric_layouts WHERE target = ? ORDER BY job", (target,)
            ).fetchall()
        return [r["job"] for r in rows]

    def downsample(self, now: int, *, full: float, rollups: float) -> dict[str, int]:
        """Roll raw samples older than ``full`` seconds into 5-minute means; prune.

        Only whole buckets are rolled up (the cutoff is aligned down to 5 minutes),
        so running it often never splits a bucket. Rollups older than ``rollups``
        seconds, layouts left without samples and alerts resolved before that go too.
        """
        cutoff = int(now - full) // ROLLUP_SECONDS * ROLLUP_SECONDS
        oldest = int(now - rollups)
        rolled = 0
        with self._db.write("downsample") as db:
            rows = db.execute(
                "SELECT layout, at, vals FROM metric_samples WHERE resolution = 0 AND at < ?"
                " ORDER BY layout, at",
                (cutoff,),
            ).fetchall()
            for (layout, bucket), values in _buckets(rows).items():
                db.execute(
                    "INSERT INTO metric_samples (layout, resolution, at, vals) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (layout, resolution, at) DO NOTHING",
                    (layout, ROLLUP_SECONDS, bucket, _encode(values)),
                )
                rolled += 1
            raw = db.execute(
                "DELETE FROM metric_samples WHERE resolution = 0 AND at < ?", (cutoff,)
            ).rowcount
            old = db.execute(
                "DELETE FROM metric_samples WHERE resolution > 0 AND at < ?", (oldest,)
            ).rowcount
            db.execute(
                "DELETE FROM metric_layouts WHERE id NOT IN (SELECT DISTINCT layout FROM"
                " metric_samples)"
            )
            db.execute(
                "DELETE FROM alert_deliveries WHERE alert_id IN (SELECT id FROM alerts WHERE"
                " state = 'resolved' AND resolved_ms < ?)",
                (oldest * 1000,),
            )
            db.execute(
                "DELETE FROM alerts WHERE state = 'resolved' AND resolved_ms < ?", (oldest * 1000,)
            )
        self._layouts.clear()
        return {"rollups_written": rolled, "samples_pruned": raw, "rollups_pruned": old}

    # -- alerts ---------------------------------------------------------------------

    def save_alert(self, alert: AlertRecord) -> None:
        values = (
            alert.id,
            alert.fingerprint,
            alert.target,
            alert.job,
            alert.rule,
            alert.severity,
            alert.state,
            alert.started_ms,
            alert.fired_ms,
            alert.resolved_ms,
            alert.updated_ms,
            alert.summary,
            json.dumps(alert.evidence, separators=(",", ":"), default=str),
            alert.link,
        )
        with self._db.write("save_alert") as db:
            db.execute(
                f"INSERT INTO alerts ({_ALERT_COLUMNS}) VALUES ({','.join('?' * 14)})"
                " ON CONFLICT (id) DO UPDATE SET severity = excluded.severity,"
                " state = excluded.state, fired_ms = excluded.fired_ms,"
                " resolved_ms = excluded.resolved_ms, updated_ms = excluded.updated_ms,"
                " summary = excluded.summary, evidence = excluded.evidence, link = excluded.link",
                values,
            )

    def delete_alert(self, alert_id: str) -> None:
        """Forget a pending alert whose condition cleared before it fired."""
        with self._db.write("delete_alert") as db:
            db.execute("DELETE FROM alerts WHERE id = ? AND state = 'pending'", (alert_id,))

    def open_alerts(self, target: str) -> list[AlertRecord]:
        """The target's pending and firing alerts (at most one per fingerprint)."""
        with self._db.read("open_alerts") as db:
            rows = db.execute(
                f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE target = ? AND state IN"
                " ('pending', 'firing') ORDER BY started_ms",
                (target,),
            ).fetchall()
        return [_alert(r) for r in rows]

    def alerts(
        self,
        target: str,
        job: str | None = None,
        *,
        states: Sequence[str] = ("firing", "resolved"),
        limit: int = 200,
    ) -> list[AlertRecord]:
        """Alert records, newest first; ``job`` also includes the cluster's own ("")."""
        sql = f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE target = ?"
        args: list[Any] = [target]
        if job is not None:
            sql += " AND job IN (?, '')"
            args.append(job)
        sql += f" AND state IN ({','.join('?' for _ in states)})"
        args.extend(states)
        sql += " ORDER BY started_ms DESC, id LIMIT ?"
        args.append(limit)
        with self._db.read("alerts") as db:
            rows = db.execute(sql, args).fetchall()
        return [_alert(r) for r in rows]

    def record_delivery(self, delivery: Delivery) -> None:
        with self._db.write("record_delivery") as db:
            db.execute(
                "INSERT INTO alert_deliveries (alert_id, status, channel, attempt, at_ms, ok,"
                " detail) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (alert_id, status, channel,"
                " attempt) DO UPDATE SET at_ms = excluded.at_ms, ok = excluded.ok,"
                " detail = excluded.detail",
                (
                    delivery.alert_id,
                    delivery.status,
                    delivery.channel,
                    delivery.attempt,
                    delivery.at_ms,
                    int(delivery.ok),
                    delivery.detail,
                ),
            )

    def deliveries(self, alert_id: str) -> list[Delivery]:
        with self._db.read("deliveries") as db:
            rows = db.execute(
                "SELECT alert_id, status, channel, attempt, at_ms, ok, detail FROM"
                " alert_deliveries WHERE alert_id = ? ORDER BY at_ms, channel, attempt",
                (alert_id,),
            ).fetchall()
        return [
            Delivery(
                r["alert_id"],
                r["status"],
                r["channel"],
                r["attempt"],
                r["at_ms"],
                bool(r["ok"]),
                r["detail"],
            )
            for r in rows
        ]


def _buckets(rows: Iterable[Any]) -> dict[tuple[int, int], list[float | None]]:
    """(layout, 5-minute bucket start) -> the mean of each value position."""
    sums: dict[tuple[int, int], list[tuple[float, int]]] = {}
    for row in rows:
        key = (int(row["layout"]), int(row["at"]) // ROLLUP_SECONDS * ROLLUP_SECONDS)
        values = _decode(row["vals"])
        acc = sums.setdefault(key, [(0.0, 0)] * len(values))
        for i, v in enumerate(values[: len(acc)]):
            if v is not None:
                total, n = acc[i]
                acc[i] = (total + v, n + 1)
    return {k: [t / n if n else None for t, n in acc] for k, acc in sums.items()}
