"""How long the console's overview of 500 jobs takes to build and render.

Run: ``.venv/bin/python bench/bench_ui.py [--jobs 500] [--repeat 5]``. The status
JSON is built by ``flinkops.ops.build_status`` (the pure half of
``collect_status``, what the CLI's ``status`` uses) from 500 synthetic runs
carrying flinkops's identity, then drawn by the overview template exactly as
``GET /`` draws it. Reading the cluster is left out: it is Flink's REST API's
time (one ``/jobs/overview`` plus one ``/config`` per job), not the page's.

Prints the median milliseconds of each half and of both, and that total as a
share of the one-second budget the issue sets (below 1.0 is within it).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from flinkops.flink.live import LiveJob  # noqa: E402
from flinkops.ops import build_status  # noqa: E402
from flinkops.ui._render import render_page  # noqa: E402

STATES = ["RUNNING"] * 6 + ["FAILED", "RESTARTING", "FINISHED", "CANCELED"]


def live_rows(n: int, now_ms: int) -> list[LiveJob]:
    """``n`` runs as ``flinkops.flink.live.read_jobs`` returns them, each managed on "bench"."""
    return [
        LiveJob(
            job_id=f"{i:032x}",
            name=f"job-{i:04d}",
            state=STATES[i % len(STATES)],
            start_time=now_ms - 60_000 * i,
            managed_name=f"job-{i:04d}",
            version=1,
            spec_hash="h",
            job_type="BATCH" if i % 7 == 0 else "STREAMING",
        )
        for i in range(n)
    ]


def once(n: int) -> tuple[float, float, int]:
    now_ms = int(time.time() * 1000)
    live = live_rows(n, now_ms)
    t0 = time.perf_counter()
    status = build_status(
        target="bench", url="http://flink:8081", specs=[], live=live, latest={},
        savepoints={}, now_ms=now_ms, flink_version="2.3.0",
    )  # fmt: skip
    status["filter"] = {"state": None, "type": None}
    t1 = time.perf_counter()
    html = render_page(
        "overview.html", data=status, csrf="x", allow_actions=False, refresh_seconds=5, path="/"
    )
    t2 = time.perf_counter()
    assert html.count('data-job="job-') == n, "every job is a row"
    return (t1 - t0) * 1000, (t2 - t1) * 1000, len(html)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    once(args.jobs)  # warm up: template compilation
    runs = [once(args.jobs) for _ in range(args.repeat)]
    build = statistics.median(r[0] for r in runs)
    render = statistics.median(r[1] for r in runs)
    total = statistics.median(r[0] + r[1] for r in runs)
    print(f"overview of {args.jobs} jobs, median of {args.repeat} runs:")
    print(f"  build_status  {build:8.1f} ms")
    print(f"  render HTML   {render:8.1f} ms  ({runs[0][2] / 1024:.0f} KB)")
    print(f"  total         {total:8.1f} ms  = {total / 1000:.3f} of the 1 s budget")


if __name__ == "__main__":
    main()
