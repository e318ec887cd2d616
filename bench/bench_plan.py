"""Plan at scale and CLI start-up, against a real local Flink cluster, as ratios.

Run: ``.venv/bin/python bench/bench_plan.py [--sizes 50,500] [--sweep]``. It starts
its own local Flink cluster (apache-flink-libraries) on free ports in a temporary
directory, writes a project of N specs (4 statements each, one windowed
aggregate, every spec different), runs the real ``flinkops`` command in a
subprocess for each case, and stops the cluster by PID at the end (also on
Ctrl-C or SIGTERM). Nothing is deployed: every spec is a create, so plan
compiles each one it has no cached graph for.

Cases, per size N:

- ``no-compat``: ``plan --no-compat`` (no compiles: the floor);
- ``cold before``: an empty store, ``--no-compile-cache --compile-concurrency 1``
  (the old behaviour: every spec compiled, one after another);
- ``cold after``: an empty store, default settings (compiles in parallel, fills
  the cache);
- ``unchanged``: ``plan`` again (every graph cached);
- ``10 changed``: 10 specs' SQL edited, then ``plan`` (10 compiles);
- ``old code`` (with ``--before-rev REV``; ``make bench`` passes the commit before the
  compile cache, 382a781): a cold plan by the package as it was at REV, run the same
  way against the same cluster, so "before" is the old code itself and not only
  today's code with the cache and the parallelism turned off.

The machine may be shared, and the JobManager's JIT goes on warming up over the
first thousand compiles, so the cases run interleaved and each reports its fastest
round: the cold ones in two rounds of cold before / old code / cold after, the cheap
ones in three rounds of no-compat / unchanged / 10 changed (each round edits the 10
specs anew). ``cpu`` is the flinkops process's own CPU time (the
cluster's compiles are not in it).

Ratios reported, with the issue's goals: unchanged / no-compat (<= 1.5x),
10 changed / no-compat (<= 2x), cold after / cold before and / old code (<= 0.5x),
``flinkops --help`` / ``python -c pass`` (<= 5x, medians of 9, interleaved), and each case's
growth from the smallest to the largest size (linear: at most sizes' ratio).
``--sweep`` also times cold plans of the smallest size at several concurrencies.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from flinkops.flink.local import LocalCluster, free_port  # noqa: E402
from flinkops.store import Store, count_graphs  # noqa: E402

FLINKOPS = Path(sys.executable).with_name("flinkops")
CHANGED = 10
COLD_ROUNDS = 2
SPEC = """\
apiVersion: flinkops/v1
kind: SqlJob
metadata:
  name: orders-{i}
spec:
  parallelism: 1
  sql: |
    CREATE TABLE orders_{i} (
      id BIGINT, customer INT, amount DOUBLE, ts TIMESTAMP(3),
      WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
    ) WITH ('connector' = 'datagen', 'rows-per-second' = '10');
    CREATE TABLE totals_{i} (
      customer INT, window_start TIMESTAMP(3), total DOUBLE, n BIGINT
    ) WITH ('connector' = 'blackhole');
    CREATE VIEW big_orders_{i} AS SELECT * FROM orders_{i} WHERE amount > {i};
    INSERT INTO totals_{i}
    SELECT customer, window_start, {agg}(amount), COUNT(*)
    FROM TABLE(TUMBLE(TABLE big_orders_{i}, DESCRIPTOR(ts), INTERVAL '1' MINUTES))
    GROUP BY customer, window_start, window_end;
"""


def write_project(root: Path, url: str, n: int) -> Path:
    """A project of ``n`` specs on target ``bench``; its store under root/.flinkops."""
    if root.exists():
        shutil.rmtree(root)
    (root / "jobs").mkdir(parents=True)
    (root / "flinkops.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: Project\njobs: [jobs/]\n"
        f"defaultTarget: bench\ntargets:\n  bench:\n    url: {url}\n"
    )
    for i in range(n):
        write_spec(root, i, "SUM")
    return root


def write_spec(root: Path, i: int, agg: str) -> None:
    (root / "jobs" / f"orders-{i}.yaml").write_text(SPEC.format(i=i, agg=agg))


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLINKOPS_COMPILE")}
    env["NO_COLOR"] = "1"
    return {**env, **extra}


#: CPU seconds (user + system) of each command run() ran, by its wall-clock seconds.
CPU: dict[float, float] = {}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], **env: str) -> float:
    """Seconds one command takes; it must succeed (plan: exit 0 or 2)."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=clean_env(**env), check=False)
    took = time.perf_counter() - start
    CPU[took] = _children_cpu() - cpu
    if done.returncode not in (0, 2):
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    if "Flink rejects" in done.stdout:
        raise SystemExit(f"{' '.join(cmd)}: Flink rejected a bench spec:\n{done.stdout[-3000:]}")
    return took


def plan(project: Path, *args: str) -> float:
    return run([str(FLINKOPS), "plan", "--project", str(project), *args])


def old_code(rev: str, work: Path) -> Path:
    """The package as it was at ``rev`` (git archive of its src/), to run beside today's."""
    dest = work / "before"
    dest.mkdir()
    done = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], capture_output=True)
    if done.returncode != 0:
        raise SystemExit(f"--before-rev {rev}: {done.stderr.decode().strip()} (a full clone?)")
    subprocess.run(["tar", "-x", "-C", str(dest)], input=done.stdout, check=True)
    return dest / "src"


def plan_old(project: Path, src: Path) -> float:
    """A cold plan by the package in ``src`` (--before-rev's; same interpreter and
    dependencies)."""
    cmd = [sys.executable, "-m", "flinkops", "plan", "--project", str(project)]
    return run(cmd, PYTHONPATH=str(src))


def reset_store(project: Path) -> None:
    shutil.rmtree(project / ".flinkops", ignore_errors=True)


def cached_graphs(project: Path) -> int:
    with Store(project / ".flinkops" / "state.db") as store:
        return count_graphs(store)


def measure_size(project: Path, n: int, before: Path | None) -> dict[str, float]:
    """Seconds per case (for the interleaved ones, the fastest of their rounds)."""
    rounds: dict[str, list[float]] = {"no-compat": [plan(project, "--no-compat")]}
    cold = {
        "cold before": lambda: plan(project, "--no-compile-cache", "--compile-concurrency", "1"),
        **({"old code": lambda: plan_old(project, before)} if before else {}),
        "cold after": lambda: plan(project),
    }
    for _ in range(COLD_ROUNDS):  # the JobManager's JIT still warms up: interleave
        for case, run_case in cold.items():
            reset_store(project)
            rounds.setdefault(case, []).append(run_case())
    if cached_graphs(project) != n:
        raise SystemExit(
            f"expected {n} cached graphs after a cold plan, found {cached_graphs(project)}"
        )
    rounds["unchanged"], rounds["10 changed"] = [], []
    for agg in ("MAX", "MIN", "AVG"):
        rounds["no-compat"].append(plan(project, "--no-compat"))
        rounds["unchanged"].append(plan(project))
        for i in range(CHANGED):
            write_spec(project, i * (n // CHANGED), agg)
        rounds["10 changed"].append(plan(project))
    for i in range(CHANGED):  # back to the project the next size starts from
        write_spec(project, i * (n // CHANGED), "SUM")
    return {case: min(times) for case, times in rounds.items()}


def startup() -> tuple[float, float]:
    """Median seconds of ``flinkops --help`` and ``python -c pass`` (9 each, interleaved)."""
    help_times, bare = [], []
    for _ in range(9):
        help_times.append(run([str(FLINKOPS), "--help"]))
        bare.append(run([sys.executable, "-c", "pass"]))
    return statistics.median(help_times), statistics.median(bare)


@contextmanager
def local_cluster(work: Path) -> Iterator[str]:
    """A local Flink cluster on free ports, stopped by PID however this ends."""
    cluster = LocalCluster(work / "cluster")

    def interrupt(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        info = cluster.up(port=free_port(), slots=1, timeout=180)
        yield info.url
    finally:
        cluster.down()
        signal.signal(signal.SIGTERM, previous)


def report(
    sizes: list[int], results: dict[int, dict[str, float]], help_s: float, bare_s: float
) -> None:
    print(f"\n{'case (wall / cpu)':<18}" + "".join(f"{f'{n} specs':>20}" for n in sizes))
    for case in results[sizes[0]]:
        cells = (f"{results[n][case]:.2f}s / {CPU[results[n][case]]:.2f}s" for n in sizes)
        print(f"{case:<18}" + "".join(f"{c:>20}" for c in cells))
    big, small = results[sizes[-1]], results[sizes[0]]
    rows = [
        (f"unchanged / no-compat ({sizes[-1]})", big["unchanged"] / big["no-compat"], 1.5),
        (f"10 changed / no-compat ({sizes[-1]})", big["10 changed"] / big["no-compat"], 2.0),
        (f"cold after / cold before ({sizes[-1]})", big["cold after"] / big["cold before"], 0.5),
        *(
            [(f"cold after / old code ({sizes[-1]})", big["cold after"] / big["old code"], 0.5)]
            if "old code" in big
            else []
        ),
        ("flinkops --help / python -c pass", help_s / bare_s, 5.0),
    ]
    scale = sizes[-1] / sizes[0]
    rows += [
        (f"growth {sizes[0]} -> {sizes[-1]}: {case}", big[case] / small[case], scale)
        for case in big
    ]
    print(f"\n--help {help_s * 1000:.0f} ms, python -c pass {bare_s * 1000:.0f} ms (medians of 9)")
    print(f"\n{'ratio':<44}{'value':>8}{'goal':>9}")
    for name, value, goal in rows:
        verdict = "ok" if value <= goal else "MISSED"
        print(f"{name:<44}{value:>7.2f}x{f'<= {goal:g}x':>9}  {verdict}")


def sweep(project: Path) -> None:
    print("\ncold plan of the smallest size by --compile-concurrency (no cache):")
    for conc in (1, 2, 3, 4, 6, 8):
        took = plan(project, "--no-compile-cache", "--compile-concurrency", str(conc))
        print(f"  concurrency {conc}: {took:6.2f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,500", help="comma-separated spec counts")
    parser.add_argument("--sweep", action="store_true", help="also time cold plans by concurrency")
    parser.add_argument(
        "--before-rev",
        metavar="REV",
        help="also time a cold plan by the code of git revision REV (e.g. the commit before "
        "the compile cache), the same way, as the case 'old code'",
    )
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    work = Path(tempfile.mkdtemp(prefix="flinkops-bench-"))
    try:
        before = old_code(args.before_rev, work) if args.before_rev else None
        with local_cluster(work) as url:
            print(f"cluster {url}; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}")
            project = write_project(work / "project", url, sizes[0])
            plan(project, "--no-compile-cache")  # warm the JobManager's JIT up first
            results = {}
            for n in sizes:
                project = write_project(work / "project", url, n)
                results[n] = measure_size(project, n, before)
                print(f"{n} specs: " + ", ".join(f"{k} {v:.2f}s" for k, v in results[n].items()))
            help_s, bare_s = startup()
            report(sizes, results, help_s, bare_s)
            if args.sweep:
                sweep(write_project(work / "project", url, sizes[0]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
