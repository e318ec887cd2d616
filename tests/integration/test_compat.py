"""State compatibility verdicts beside what Flink really does with the savepoint.

Each case compiles the old and the new SQL with the cluster's planner (as ``plan``
does) for flinkops's verdict, then runs the old SQL, stops it with a savepoint and
submits the new SQL from that savepoint, recording Flink's own outcome. Flink
restores all three: the filter change rightly, SUM -> MAX and the rebucketed key
silently, with the old accumulators under keys or functions that now mean something
else. That is why those two are at-risk although Flink accepts them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flinkops.compat import compare_graphs
from flinkops.errors import FlinkError
from flinkops.flink.identity import JobIdentity
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import compile_sql, submit_sql

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
        "GroupAggregate group keys are computed differently: MOD(mid, 7) -> MOD(mid, 5) "
        "(the state is kept under the old meaning)",
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
        "filter before GroupAggregate changed: (v < 100) -> ((v < 100) AND (mid > 2)) "
        "(applies to new rows only)",
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


@pytest.mark.parametrize("case", list(CASES))
def test_verdict_beside_flinks_restore_outcome(
    case: str,
    flink_client: FlinkClient,
    runner_jar_id: str,
    submitted_jobs: list[str],
    wait_for_tasks: Callable[..., None],
    tmp_path: Path,
) -> None:
    old, new, impact, reason = CASES[case]
    before = compile_sql(flink_client, job_name="compat", statements=[*DDL, old])
    after = compile_sql(flink_client, job_name="compat", statements=[*DDL, new])
    verdict = compare_graphs(before, after)
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
