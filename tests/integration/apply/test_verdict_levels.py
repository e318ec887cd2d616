"""Verdict levels on the real cluster: each one beside what Flink does with the savepoint,
and the way to accept losing state on purpose.

``test_verdict_beside_flinks_restore`` runs the old program, stops it with a savepoint and
submits the new one from it, recording Flink's outcome beside flinkops's verdict (as
``plan`` computes it: both graphs from the cluster's planner, compared, with the
configuration's own rules). Every Flink fact of DESIGN.md's rule table that these cases
name is measured here. The workflow test is the user's: an incompatible change refused
without touching the job, the same change with ``upgradeMode: stateless`` starting fresh,
and ``upgradeMode`` set back recorded on the running job without a restart.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from flinkops.errors import FlinkError
from flinkops.flink.identity import JobIdentity
from flinkops.flink.live import root_cause
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import compile_sql, submit_sql
from flinkops.plan import Compat
from flinkops.plan._config_rules import ConfigChange, config_findings
from flinkops.plan.compat import compare_graphs, with_config
from tests.integration._wait import wait_until
from tests.integration.apply.conftest import Project, stateful_sql

DDL = [
    "CREATE TABLE src (mid INT, v BIGINT) WITH ('connector' = 'datagen', "
    "'rows-per-second' = '50', 'fields.mid.min' = '1', 'fields.mid.max' = '100')",
    "CREATE TABLE snk (b INT, total BIGINT) WITH ('connector' = 'blackhole')",
    "CREATE TABLE snk2 (b INT, total BIGINT, n BIGINT) WITH ('connector' = 'blackhole')",
]
AGG = "INSERT INTO snk SELECT mid, SUM(v) FROM src GROUP BY mid"
MINI_BATCH = {
    "table.exec.mini-batch.enabled": "true",
    "table.exec.mini-batch.allow-latency": "1s",
    "table.exec.mini-batch.size": "100",
}
# case: (old SQL, old configuration, new SQL, new configuration, verdict, Flink's outcome)
CASES = {
    "count-added": (
        AGG,
        {},
        "INSERT INTO snk2 SELECT mid, SUM(v), COUNT(*) FROM src GROUP BY mid",
        {},
        "incompatible",
        "failed",
    ),
    "sum-to-max": (AGG, {}, AGG.replace("SUM", "MAX"), {}, "at-risk", "restored"),
    "mini-batch-on": (AGG, {}, AGG, MINI_BATCH, "incompatible", "refused"),
    "max-parallelism": (
        AGG,
        {"pipeline.max-parallelism": "128"},
        AGG,
        {"pipeline.max-parallelism": "256"},
        "incompatible",
        "refused",
    ),
    # unset before: Flink's default (128 here) was refused too, but flinkops cannot be
    # sure of the running job's (a savepoint it restored may have brought another)
    "max-parallelism-set": (
        AGG,
        {},
        AGG,
        {"pipeline.max-parallelism": "256"},
        "at-risk",
        "refused",
    ),
    "time-zone": (AGG, {}, AGG, {"table.local-time-zone": "Asia/Tokyo"}, "at-risk", "restored"),
    "state-ttl": (AGG, {}, AGG, {"table.exec.state.ttl": "1 h"}, "at-risk", "restored"),
    "checkpoint-interval": (
        AGG,
        {},
        AGG,
        {"execution.checkpointing.interval": "7s"},
        "preserved",
        "restored",
    ),
}


def verdict_of(client: FlinkClient, case: str) -> Compat:
    """flinkops's verdict, as ``plan/_verdicts.py`` makes it."""
    old, old_conf, new, new_conf, _, _ = CASES[case]
    before = compile_sql(
        client, job_name="levels", statements=[*DDL, old], flink_configuration=old_conf,
        parallelism=1,
    )  # fmt: skip
    after = compile_sql(
        client, job_name="levels", statements=[*DDL, new], flink_configuration=new_conf,
        parallelism=1,
    )  # fmt: skip
    config = config_findings(ConfigChange(old_conf, new_conf))
    return with_config(compare_graphs(before, after), config)


def restore_outcome(
    client: FlinkClient, case: str, savepoints: Path, submitted: list[str]
) -> tuple[str, str]:
    """Run the case's old program, stop it with a savepoint, submit the new one from it."""
    old, old_conf, new, new_conf, _, _ = CASES[case]
    return run_and_restore(
        client, "levels", ([*DDL, old], old_conf), ([*DDL, new], new_conf), savepoints, submitted
    )


def run_and_restore(
    client: FlinkClient,
    name: str,
    old: tuple[list[str], dict[str, str]],
    new: tuple[list[str], dict[str, str]],
    savepoints: Path,
    submitted: list[str],
) -> tuple[str, str]:
    """Run the old statements (and configuration), stop with a savepoint, submit the new
    ones from it: what Flink did (restored, refused at submission, or failed after it)
    and its words. The corpus (``tests/integration/test_compat_corpus.py``) calls it too."""
    identity = JobIdentity(name, 1, "0" * 12, name)
    job = submit_sql(
        client, job_name=name, statements=old[0], identity=identity, parallelism=1,
        flink_configuration=old[1],
    )  # fmt: skip
    submitted.append(job)
    wait_until(lambda: _all_running(client, job), what=f"{job} runs every task")
    savepoint = client.wait_savepoint(
        job, client.stop_with_savepoint(job, f"file://{savepoints}"), timeout=120
    )
    try:
        restored = submit_sql(
            client, job_name=name, statements=new[0], identity=identity,
            parallelism=1, flink_configuration=new[1], savepoint_path=savepoint,
        )  # fmt: skip
    except FlinkError as exc:
        return "refused", str(exc)
    submitted.append(restored)
    state = wait_until(
        lambda: "RUNNING" if _all_running(client, restored) else _ended(client, restored),
        what=f"{restored} runs every task or ends",
        timeout=90,
    )
    if state != "RUNNING":
        return "failed", root_cause(client, restored)
    latest = client.checkpoints(restored).latest.restored
    path = latest.external_path if latest else None
    return ("restored", path or "") if path == savepoint else ("started empty", str(path))


def _all_running(client: FlinkClient, job: str) -> bool:
    details = client.job(job)
    return details.state == "RUNNING" and all(v.status == "RUNNING" for v in details.vertices)


def _ended(client: FlinkClient, job: str) -> str | None:
    state = client.job(job).state
    return state if state in ("FAILED", "CANCELED", "FINISHED") else None


@pytest.mark.parametrize("case", list(CASES))
def test_verdict_beside_flinks_restore(
    case: str,
    flink_client: FlinkClient,
    runner_jar_id: str,
    submitted_jobs: list[str],
    tmp_path: Path,
) -> None:
    *_, impact, expected = CASES[case]
    verdict = verdict_of(flink_client, case)
    outcome, words = restore_outcome(flink_client, case, tmp_path / "sp", submitted_jobs)
    print(f"{case}: flinkops {verdict.impact} {verdict.reasons}; Flink {outcome}: {words[:400]}")
    assert (verdict.impact.value, outcome) == (impact, expected), (verdict, words)


def _plan(project: Project) -> dict:
    done = project.run("plan", "--format", "json")
    return json.loads(done.stdout)


def test_incompatible_is_refused_stateless_starts_fresh_and_switching_back_keeps_the_job(
    project: Project, restored_from: Callable[[str], str | None]
) -> None:
    """The user's path of issue 22: accept losing state on purpose, in git."""
    count = stateful_sql().replace("SUM(CAST(v AS BIGINT))", "SUM(CAST(v AS BIGINT)), COUNT(*)")
    count = count.replace("total BIGINT", "total BIGINT, n BIGINT")
    project.write_job("agg", stateful_sql())
    done = project.apply()
    assert done.returncode == 0, done.stdout + done.stderr
    [v1] = project.active("agg")

    # COUNT(*) added: incompatible, and apply refuses it without touching the job
    project.write_job("agg", count)
    [change] = _plan(project)["changes"]
    assert (change["action"], change["state"]) == ("update", "incompatible"), change
    assert change["state_reasons"][0].startswith("GroupAggregate aggregate calls added (COUNT(*))")
    refused = project.apply()
    said = refused.stdout + refused.stderr
    assert refused.returncode == 1, said
    assert "refusing to apply: Flink would refuse to restore the state of agg" in said
    assert "upgradeMode: stateless" in said
    [still] = project.active("agg")
    assert (still.job_id, still.state) == (v1.job_id, "RUNNING")
    assert [h["outcome"] for h in project.history("agg")] == ["applied"]  # nothing recorded

    # the same change with upgradeMode: stateless starts fresh and is recorded so
    project.write_job("agg", count, extra="  upgradeMode: stateless\n")
    [change] = _plan(project)["changes"]
    assert (change["action"], change["state"]) == ("update", "lost"), change
    done = project.apply()
    assert done.returncode == 0, done.stdout + done.stderr
    [v2] = project.active("agg")
    assert v2.job_id != v1.job_id
    assert restored_from(v2.job_id) is None  # Flink restored nothing: it started empty
    history = project.history("agg")
    assert [h["outcome"] for h in history] == ["applied", "applied"]
    assert "starts without state (upgradeMode: stateless)" in history[-1]["message"]

    # upgradeMode back to savepoint alone: recorded on the running job, no restart
    project.write_job("agg", count)
    [change] = _plan(project)["changes"]
    assert (change["action"], change["state"]) == ("record", "none"), change
    assert [s["kind"] for s in change["steps"]] == ["record"]
    done = project.apply()
    assert done.returncode == 0, done.stdout + done.stderr
    [v3] = project.active("agg")
    assert v3.job_id == v2.job_id  # the same job, never stopped
    history = project.history("agg")
    assert [(h["version"], h["outcome"]) for h in history][-1] == (3, "applied")
    assert history[-1]["job_id"] == v2.job_id
    [change] = _plan(project)["changes"]
    assert change["action"] == "noop", change  # in sync: the store speaks for the job
