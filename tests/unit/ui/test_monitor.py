"""The console's door to monitoring: curves and alert records from the monitor's store."""

from __future__ import annotations

import time

from flinkops.store import AlertRecord, MetricsStore, Sample, Store
from flinkops.ui._monitor import MONITOR_HINT, monitor_history


def test_nothing_kept_yet_says_where_history_comes_from() -> None:
    data = monitor_history(Store(":memory:"), "local", "orders")
    assert data == {
        "available": False,
        "reason": MONITOR_HINT,
        "series": {},
        "alerts": [],
        "alert_counts": {"firing": 0, "resolved": 0},
    }


def test_curves_sum_vertices_per_time_and_alerts_are_listed() -> None:
    store = Store(":memory:")
    metrics = MetricsStore(store)
    now = int(time.time())
    metrics.record_samples(
        "local",
        [
            Sample(
                "orders",
                t,
                {
                    "records_in_per_s[Source: a]": 1.0,
                    "records_in_per_s[Agg]": 2.0,
                    "lag_max_s": 1.5,
                },
            )
            for t in (now - 30, now - 15)
        ],
    )
    metrics.save_alert(
        AlertRecord("f-1", "f", "local", "orders", "lag", "warning", "firing", 5, 5, "orders: lag")
    )
    data = monitor_history(store, "local", "orders")
    assert data["available"] and data["reason"] is None
    assert data["series"]["records_in_per_second"] == [
        [(now - 30) * 1000, 3.0],
        [(now - 15) * 1000, 3.0],
    ]
    assert data["series"]["lag_ms"][0][1] == 1500.0
    [alert] = data["alerts"]
    assert (alert["rule"], alert["state"], alert["message"]) == ("lag", "firing", "orders: lag")
    assert alert["resolved_at"] is None
    assert data["alert_counts"] == {"firing": 1, "resolved": 0}
