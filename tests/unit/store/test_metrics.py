"""The store's metric history: compact samples, 5-minute rollups, retention; alert records."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from flinkops.store import AlertRecord, Delivery, MetricsStore, Sample, Store

DAY = 24 * 3600


@pytest.fixture(params=["sqlite", "postgresql"])
def metrics(request: pytest.FixtureRequest) -> Iterator[MetricsStore]:
    """On both backends: PostgreSQL through the ``pg_url`` fixture where the tree has one."""
    if request.param == "sqlite":
        store = Store(":memory:")
    else:
        try:
            url = request.getfixturevalue("pg_url")
        except pytest.FixtureLookupError:
            pytest.skip("this tree has no PostgreSQL store fixture (pg_url) yet")
        store = Store(url)
    yield MetricsStore(store)
    store.close()


def _generate(metrics: MetricsStore, start: int, end: int, step: int = 15) -> None:
    rng = random.Random(7)
    samples = [
        Sample("orders", t, {"records_per_s": 100 + rng.random(), "restarts": t // 3600})
        for t in range(start, end, step)
    ]
    metrics.record_samples("prod", samples)


def test_history_round_trips_values_and_skips_missing_ones(metrics: MetricsStore) -> None:
    metrics.record_samples(
        "prod",
        [
            Sample("orders", 1000, {"a": 1.5, "b[Source: x, y]": 2.0}),
            Sample("orders", 1015, {"a": 0.25, "b[Source: x, y]": None}),
            Sample("other", 1015, {"a": 9.0}),
        ],
    )
    assert metrics.history("prod", "orders", 0) == {
        "a": [(1000, 1.5), (1015, 0.25)],
        "b[Source: x, y]": [(1000, 2.0)],
    }
    assert metrics.history("prod", "orders", 1001) == {"a": [(1015, 0.25)]}
    assert metrics.history("dev", "orders", 0) == {}
    assert metrics.jobs_with_history("prod") == ["orders", "other"]


def test_downsampling_keeps_24h_raw_and_5_minute_means_before(metrics: MetricsStore) -> None:
    now = 10 * DAY
    _generate(metrics, now - 2 * DAY, now)
    counts = metrics.downsample(now, full=DAY, rollups=30 * DAY)
    history = metrics.history("prod", "orders", now - 2 * DAY)["records_per_s"]
    raw = [t for t, _ in history if t >= now - DAY]
    old = [t for t, _ in history if t < now - DAY]
    assert len(raw) == DAY // 15  # one a sample
    assert old == list(range(now - 2 * DAY, now - DAY, 300))  # one a 5 minutes
    assert counts["samples_pruned"] == DAY // 15
    assert counts["rollups_written"] == DAY // 300
    assert all(100 <= v <= 101 for _, v in history)  # means of values in [100, 101]
    # running it again changes nothing
    again = metrics.downsample(now, full=DAY, rollups=30 * DAY)
    assert again == {"rollups_written": 0, "samples_pruned": 0, "rollups_pruned": 0}


def test_rollups_past_retention_are_pruned(metrics: MetricsStore) -> None:
    now = 40 * DAY
    _generate(metrics, now - 35 * DAY, now - 34 * DAY, step=60)
    _generate(metrics, now - 3 * DAY, now - 3 * DAY + 3600, step=60)
    metrics.downsample(now, full=DAY, rollups=30 * DAY)
    points = metrics.history("prod", "orders", 0)["records_per_s"]
    assert points and min(t for t, _ in points) >= now - 30 * DAY
    assert len(points) == 12  # the recent hour, as 5-minute rollups


def test_alert_records_upsert_list_and_deliveries(metrics: MetricsStore) -> None:
    alert = AlertRecord(
        id="fp-1",
        fingerprint="fp",
        target="prod",
        job="orders",
        rule="failed",
        severity="critical",
        state="pending",
        started_ms=1000,
        updated_ms=1000,
        summary="orders: FAILED",
        evidence={"state": "FAILED"},
        link="http://ui/jobs/orders",
    )
    metrics.save_alert(alert)
    assert metrics.alerts("prod") == []  # pending is not listed by default
    assert [a.id for a in metrics.open_alerts("prod")] == ["fp-1"]
    alert.state, alert.fired_ms = "firing", 2000
    metrics.save_alert(alert)
    cluster = AlertRecord("c-1", "c", "prod", "", "unreachable", "critical", "firing", 5, 5, "x")
    metrics.save_alert(cluster)
    assert [a.id for a in metrics.alerts("prod", "orders")] == ["fp-1", "c-1"]
    assert metrics.alerts("prod", "orders")[0].to_json()["fired_at"] == "1970-01-01T00:00:02.000Z"
    metrics.record_delivery(Delivery("fp-1", "firing", "hook", 1, 2100, False, "HTTP 500"))
    metrics.record_delivery(Delivery("fp-1", "firing", "hook", 2, 2200, True, "HTTP 200"))
    assert [(d.attempt, d.ok) for d in metrics.deliveries("fp-1")] == [(1, False), (2, True)]
    metrics.delete_alert("fp-1")  # only pending ones are ever deleted
    assert metrics.open_alerts("prod")[0].id == "c-1" and len(metrics.open_alerts("prod")) == 2
