"""State compatibility verdicts beside what Flink really does with the savepoint.

Each case compiles the old and the new SQL with the cluster's planner (as ``plan``
does) for flinkops's verdict. The rebucketed key is also run for real: the old SQL
runs, stops with a savepoint, and the new SQL is submitted from it, recording Flink's
own outcome. Flink restores it, silently, with the old accumulators under keys that
now mean something else: that is why it is at-risk although Flink accepts it. (Run
the same way, Flink also restored SUM -> MAX and the filter change; only the verdicts
of those two are checked here, to keep the suite short.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flinkops.errors import FlinkError
from flinkops.flink.identity import JobIdentity
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import compile_sql, submit_sql
from flinkops.plan import Compat
from flinkops.plan.compat import compare_graphs

DDL = [
    "CREATE TABLE src (mid INT, v BIGINT) WITH ('connector' = 'datagen', "
    "'rows-per-second' = '50', 'fields.mid.min' = '1', 'fields.mid.max' = '100')",
    "CREATE TABLE snk (b INT, total BIGINT) WITH ('connector' = 'blackhole')",
]
CASES = {
    "rebucketed-key": (
        "INSERT INTO snk SELECT mid % 7, SUM(v) FROM src GROUP BY mid % 7",
        "INSERT INTO snk SELECT mid % 5, SUM(v) FROM src GROUP BY mid % 5",
        "at-risk",
        "GroupAggregate group keys are computed differently: MOD(src.mid, 7) -> "
        "MOD(src.mid, 5) (the state is kept under the old meaning)",
    ),
    "sum-to-max": (
        "INSERT INTO snk SELECT mid, SUM(v) FROM src GROUP BY mid",
        "INSERT INTO snk SELECT mid, MAX(v) FROM src GROUP BY mid",
        "at-risk",
        "GroupAggregate select list changed: SUM(v) -> MAX(v)",
    ),
    "filter-changed": (
        "INSERT INTO snk SELECT mid, SUM(v) FROM src WHERE v < 100 GROUP BY mid",
        "INSERT INTO snk SELECT mid, SUM(v) FROM src WHERE v < 100 AND mid > 2 GROUP BY mid",
        "preserved",
        "filter before GroupAggregate narrowed on its keys only: (v < 100) -> ((v < 100) AND "
        "(mid > 2)) (each key it keeps had all its rows counted before; keys it drops stop "
        "updating)",
    ),
}


def restore_outcome(
    client: FlinkClient,
    old: str,
    new: str,
    *,
    savepoints: Path,
    submitted: list[str],
    wait_for_tasks: Callable[..., None],
) -> str:
    """Run ``old``, stop it with a savepoint, submit ``new`` from it: what Flink did."""
    identity = JobIdentity("compat", 1, "0" * 12, "compat-restore")
    job = submit_sql(
        client, job_name="compat", statements=[*DDL, old], identity=identity, parallelism=1
    )
    submitted.append(job)
    wait_for_tasks(job)
    savepoint = client.wait_savepoint(
        job, client.stop_with_savepoint(job, f"file://{savepoints}"), timeout=120
    )
    try:
        restored = submit_sql(
            client,
            job_name="compat",
            statements=[*DDL, new],
            identity=identity,
            parallelism=1,
            savepoint_path=savepoint,
        )
    except FlinkError as exc:
        return f"refused: {exc}"
    submitted.append(restored)
    try:
        wait_for_tasks(restored)
    except AssertionError as exc:
        return f"failed after submit: {exc}"
    latest = client.checkpoints(restored).latest.restored
    path = latest.external_path if latest else None
    return "restored" if path == savepoint else f"started without the savepoint ({path})"


def verdict_of(client: FlinkClient, old: str, new: str) -> Compat:
    before = compile_sql(client, job_name="compat", statements=[*DDL, old])
    after = compile_sql(client, job_name="compat", statements=[*DDL, new])
    return compare_graphs(before, after)


@pytest.mark.parametrize("case", list(CASES))
def test_verdict(case: str, flink_client: FlinkClient, runner_jar_id: str) -> None:
    old, new, impact, reason = CASES[case]
    verdict = verdict_of(flink_client, old, new)
    assert (verdict.impact.value, reason in verdict.reasons) == (impact, True), verdict


def test_rebucketed_key_verdict_beside_flinks_restore_outcome(
    flink_client: FlinkClient,
    runner_jar_id: str,
    submitted_jobs: list[str],
    wait_for_tasks: Callable[..., None],
    tmp_path: Path,
) -> None:
    case = "rebucketed-key"
    old, new, impact, reason = CASES[case]
    verdict = verdict_of(flink_client, old, new)
    outcome = restore_outcome(
        flink_client,
        old,
        new,
        savepoints=tmp_path / "savepoints",
        submitted=submitted_jobs,
        wait_for_tasks=wait_for_tasks,
    )
    print(
        f"{case}: flinkops {verdict.impact.value} ({'; '.join(verdict.reasons)}); Flink {outcome}"
    )
    assert (verdict.impact.value, reason in verdict.reasons) == (impact, True), verdict
    assert outcome == "restored"
