"""The one door to the metrics history and alert records of `flinkops monitor`.

Every page and API route that wants data curves or alerts calls ``monitor_history``
and nothing else. Until `flinkops monitor` keeps its history in the store, it says
"not available" and the pages show the live values with a line saying where the
history comes from.
"""

from __future__ import annotations

from typing import Any

from flinkops.store import Store

__all__ = ["MONITOR_HINT", "monitor_history"]

MONITOR_HINT = (
    "Data curves and alert records come from `flinkops monitor`, which keeps the "
    "metrics history and alerts in the version store; the values here are live."
)


def monitor_history(store: Store, target: str, job: str) -> dict[str, Any]:
    """``{"available", "reason", "series": {name: [[t_ms, value], ...]}, "alerts": [...]}``.

    ``series`` names: records_in_per_second, records_out_per_second, lag_ms,
    checkpoint_duration_ms, checkpoint_size, restarts. Not available yet: the
    monitoring store is wired here when it lands.
    """
    del store, target, job  # read by `flinkops monitor`'s store module once it exists
    return {"available": False, "reason": MONITOR_HINT, "series": {}, "alerts": []}
