"""with_alerts: firing alerts on the status rows, and the rows with one first."""

from __future__ import annotations

from flinkops.ops._alerts import with_alerts
from flinkops.store import AlertRecord

NOW = 1_700_000_600_000


def _alert(job: str, rule: str, severity: str, fired_ago_s: int) -> AlertRecord:
    at = NOW - fired_ago_s * 1000
    return AlertRecord(
        id=f"{job}-{rule}", fingerprint=f"{job}-{rule}", target="t", job=job, rule=rule,
        severity=severity, state="firing", started_ms=at, updated_ms=at, fired_ms=at,
        summary=f"{job}: {rule}", link=f"http://c/jobs/{job}",
    )  # fmt: skip


def test_jobs_with_a_firing_alert_come_first_worst_then_longest() -> None:
    status = {"jobs": [{"name": n} for n in ("a", "b", "c", "d")], "counts": {}}
    firing = [
        _alert("d", "lag", "warning", 60),
        _alert("c", "restarts", "warning", 600),
        _alert("b", "failed", "critical", 5),
        _alert("b", "notDesired", "warning", 900),
        _alert("", "unreachable", "critical", 30),
    ]
    out = with_alerts(status, firing, NOW)
    assert [j["name"] for j in out["jobs"]] == ["b", "c", "d", "a"]
    b = out["jobs"][0]["alerts"]
    assert [(a["rule"], a["firing_ms"]) for a in b] == [("failed", 5000), ("notDesired", 900_000)]
    assert b[0]["since"] == "2023-11-14T22:23:15.000Z" and b[0]["link"] == "http://c/jobs/b"
    assert out["jobs"][3]["alerts"] == []
    assert out["alerts"]["firing"] == 5
    assert [a["rule"] for a in out["alerts"]["cluster"]] == ["unreachable"]
    assert status["jobs"][0] == {"name": "a"}  # pure: the input is left as it was


def test_no_alert_keeps_the_order() -> None:
    status = {"jobs": [{"name": "b"}, {"name": "a"}]}
    out = with_alerts(status, [], NOW)
    assert [j["name"] for j in out["jobs"]] == ["b", "a"]
    assert out["alerts"] == {"firing": 0, "cluster": []}
