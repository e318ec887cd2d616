"""Store size of metric history, and the cost of sampling a job through Flink's REST API.

Run: ``.venv/bin/python bench/bench_monitor.py [--jobs 100] [--series 27]
[--project DIR --target NAME --passes 5]``.

Size: one day of 15 s samples (5,760 per job) for ``--jobs`` jobs of ``--series``
series each (27: the 11 job series, 4 for each of 3 vertices, 4 source metrics) is
written to a fresh SQLite store through ``MetricsStore.record_samples``; the file
is measured, then the day is rolled up into 5-minute means and measured again.
The steady state under the default retention (24 h full, 30 days of rollups) is
one raw day plus 30 rolled-up days, computed from those two figures.

Sampling cost (with ``--project``): ``--passes`` monitor passes over the project's
running jobs on the target's cluster (first pass reported apart: it reads each
job's identity and each vertex's metric list once); REST calls and milliseconds
per pass and per sampled job.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from flinkops.store import MetricsStore, Sample, Store  # noqa: E402

DAY = 24 * 3600
STEP = 15


def _series(n: int) -> list[str]:
    from flinkops.monitor.sampler import JOB_SERIES

    names = list(JOB_SERIES)
    vertices = ["Source: orders[1]", "GroupAggregate[3]", "Sink: totals[4]"]
    for v in vertices:
        names += [f"{m}[{v}]" for m in ("records_in_per_s", "records_out_per_s")]
        names += [f"{m}[{v}]" for m in ("busy_ms_per_s", "backpressured_ms_per_s")]
    names += [f"{m}[{vertices[0]}]" for m in ("emit_event_time_lag_ms", "watermark_lag_ms")]
    names += [f"{m}[{vertices[0]}]" for m in ("source_idle_ms", "pending_records")]
    return names[:n]


def _size(path: Path) -> int:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    conn.close()
    return path.stat().st_size


def bench_size(jobs: int, series: int) -> None:
    names = _series(series)
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "state.db"
        store = Store(path)
        metrics = MetricsStore(store)
        empty = _size(path)
        start = 1_800_000_000 // DAY * DAY
        t0 = time.perf_counter()
        for hour in range(24):
            batch = []
            for t in range(start + hour * 3600, start + (hour + 1) * 3600, STEP):
                for j in range(jobs):
                    values = {n: round(rng.uniform(0, 2000), rng.choice((0, 1, 3))) for n in names}
                    values["running"], values["restarts"] = 1.0, float(j % 3)
                    batch.append(Sample(f"job-{j:03d}", t, values))
            metrics.record_samples("prod", batch)
        write_s = time.perf_counter() - t0
        store.close()
        raw = _size(path) - empty
        store = Store(path)
        metrics = MetricsStore(store)
        t0 = time.perf_counter()
        counts = metrics.downsample(start + DAY + 300, full=0, rollups=30 * DAY)
        roll_s = time.perf_counter() - t0
        store.close()
        rolled = _size(path) - empty
    per_job_day = raw / jobs
    steady = raw + 30 * rolled
    print(f"store size, {jobs} jobs x {len(names)} series, 15 s samples (SQLite, after VACUUM):")
    print(f"  one day full resolution: {raw / 1e6:.1f} MB ({per_job_day / 1e6:.2f} MB per job-day)")
    print(f"  the same day as 5-minute rollups: {rolled / 1e6:.2f} MB")
    print(f"  steady state, 24 h full + 30 days rollups: {steady / 1e6:.0f} MB (computed)")
    print(f"  writing the day: {write_s:.1f} s (24 transactions of an hour each)")
    print(f"  rolling it up: {roll_s:.1f} s, {counts['rollups_written']} rollups")


def bench_sampling(project: Path, target: str | None, passes: int) -> None:
    from flinkops.monitor.sampler import Sampler
    from flinkops.workspace import open_workspace

    with open_workspace(project, target) as ws:
        sampler = Sampler(ws.client, target=ws.target, url=ws.url)
        specs = ws.specs
        results = [sampler.sample(specs, {}) for _ in range(passes)]
    first, rest = results[0], results[1:] or results
    sampled = [name for name, values in first.values.items() if len(values) > 1]
    n = max(1, len(sampled))
    calls = sum(r.calls for r in rest) / len(rest)
    ms = sum(r.seconds for r in rest) / len(rest) * 1000
    print(f"sampling {ws.target} ({len(sampled)} running jobs: {', '.join(sampled)}):")
    print(f"  first pass: {first.calls} REST calls, {first.seconds * 1000:.0f} ms")
    print(f"  later passes: {calls:.1f} REST calls, {ms:.0f} ms (mean of {len(rest)})")
    print(f"  per job: {calls / n:.1f} REST calls, {ms / n:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--series", type=int, default=27)
    parser.add_argument("--project", type=Path, default=None)
    parser.add_argument("--target", default=None)
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    bench_size(args.jobs, args.series)
    if args.project is not None:
        bench_sampling(args.project, args.target, args.passes)
    else:
        print("sampling cost: pass --project DIR (a project whose target runs jobs)")


if __name__ == "__main__":
    main()
