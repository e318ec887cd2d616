"""The alert state machine: pending, firing once, resolved; like Alertmanager."""

from __future__ import annotations

from flinkops.monitor.alerting import fingerprint, step
from flinkops.monitor.rules import Condition
from flinkops.store import AlertRecord


def _cond(active: bool, for_s: float = 0.0, value: float = 1.0) -> Condition:
    return Condition("orders", "failed", active, "critical", for_s, "orders: FAILED", {"v": value})


def _run(conds: list[tuple[int, Condition]]) -> tuple[list[str], dict[str, AlertRecord]]:
    """Feed conditions in order as the monitor does (open alerts in, records saved and
    dropped); returns the transitions seen and every record kept, by id."""
    records: dict[str, AlertRecord] = {}
    seen = []
    for now_ms, cond in conds:
        open_ = [a for a in records.values() if a.state in ("pending", "firing")]
        out = step("t", open_, [cond], now_ms=now_ms, link=lambda j: f"http://ui/jobs/{j}")
        for alert_id in out.drop:
            del records[alert_id]
        records.update({r.id: r for r in out.save})
        seen += [f"{t.status}@{now_ms}" for t in out.transitions]
    return seen, records


def test_fires_once_while_true_and_resolves_once() -> None:
    seen, store = _run(
        [
            (1000, _cond(True)),
            (2000, _cond(True, value=2)),
            (3000, _cond(True)),
            (4000, _cond(False)),
        ]
    )
    assert seen == ["firing@1000", "resolved@4000"]
    [done] = store.values()
    assert done.state == "resolved" and done.fired_ms == 1000 and done.resolved_ms == 4000
    assert done.link == "http://ui/jobs/orders" and done.fingerprint == fingerprint(
        "t", "orders", "failed"
    )


def test_for_keeps_it_pending_and_a_short_blip_never_fires() -> None:
    seen, store = _run([(0, _cond(True, 10)), (5000, _cond(True, 10)), (6000, _cond(False, 10))])
    assert seen == [] and store == {}
    seen, store = _run([(0, _cond(True, 10)), (5000, _cond(True, 10)), (10_000, _cond(True, 10))])
    assert seen == ["firing@10000"]
    [alert] = store.values()
    assert alert.started_ms == 0 and alert.fired_ms == 10_000


def test_evidence_is_refreshed_while_firing() -> None:
    _, store = _run([(0, _cond(True, value=1)), (1000, _cond(True, value=7))])
    [alert] = store.values()
    assert alert.evidence == {"v": 7} and alert.updated_ms == 1000


def test_absent_conditions_leave_open_alerts_alone() -> None:
    _, store = _run([(0, _cond(True))])
    out = step("t", store.values(), [], now_ms=5000, link=str)
    assert out.save == [] and out.transitions == [] and out.drop == []


def test_a_new_firing_after_resolution_is_a_new_record() -> None:
    seen, store = _run([(0, _cond(True)), (1000, _cond(False)), (2000, _cond(True))])
    assert seen == ["firing@0", "resolved@1000", "firing@2000"]
    assert len({a.id for a in store.values()}) == 2
