"""`history --diff`'s JSON form (ops/_history.py): SQL, configuration and, for pinned
versions, their compiled plans. Pure."""

from __future__ import annotations

from flinkops.ops import version_diff
from flinkops.store import PinnedPlan, VersionRecord


def _version(n: int, sql: str) -> VersionRecord:
    return VersionRecord(
        "local", "orders", n, "h", "s", "c", {"parallelism": 1}, sql, outcome="applied"
    )


def test_compiled_plans_are_diffed_when_kept() -> None:
    old, new = _version(1, "INSERT INTO a SELECT 1"), _version(2, "INSERT INTO a SELECT 2")
    assert version_diff("orders", old, new)["plan_diff"] is None  # neither pinned
    plans = (
        PinnedPlan(1, "s1", "1.20.5", '{"nodes": [{"id": 1, "type": "stream-exec-calc"}]}'),
        PinnedPlan(2, "s2", "2.3.0", '{"nodes": [{"id": 1, "type": "stream-exec-rank"}]}'),
    )
    diff = version_diff("orders", old, new, plans)["plan_diff"]
    assert "--- orders v1 compiled plan" in diff and "+++ orders v2 compiled plan" in diff
    assert '-      "type": "stream-exec-calc"' in diff
    assert '+      "type": "stream-exec-rank"' in diff
    assert version_diff("orders", old, new, (plans[0], plans[0]))["plan_diff"] == ""
    only = version_diff("orders", old, new, (None, plans[1]))["plan_diff"]
    assert "orders v1 compiled plan (none kept)" in only
