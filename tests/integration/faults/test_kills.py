"""The fault suite (issue 23), processes killed: kill -9 of the JobManager once Flink
accepted the stop of a savepoint update, or of the TaskManager in the new version's
health window, then the cluster started again on the same port and directory (no HA:
it forgot its jobs). The next apply must find the savepoint or the newest retained
checkpoint on disk and never start the job empty. The cluster is the module's own.
"""

from __future__ import annotations

import pytest

from flinkops.flink.snapshots import local_path
from tests.integration.faults._cases import MARKS, converged, faulted, first_line, start_v1
from tests.integration.faults.conftest import FAULT_TABLE, FaultWorld
from tests.integration.faults.proxy import Action, Rule


# Each case restarts the cluster and applies three times: more than the suite's 300 s
# when the machine is loaded.
@pytest.mark.timeout(600)
def test_a_jobmanager_killed_during_the_stop_restarts_from_the_retained_checkpoint(
    world: FaultWorld,
) -> None:
    """kill -9 of the JobManager as soon as Flink accepted the stop, the cluster started
    again on the same port and directory (no HA: the job is gone): the next apply finds
    the old job's savepoint or newest retained checkpoint on disk and restores it."""
    old = start_v1(world)
    world.proxy.add(
        Rule("POST", r"^/jobs/\w+/stop$", Action.WATCH,
             on_answer=lambda status, body: world.cluster.kill("jobmanager"))
    )  # fmt: skip
    first = faulted(world)
    assert first[0] == 1, first
    world.proxy.rules.clear()
    world.cluster.restart()
    assert world.runs() == []  # the cluster forgot every job
    converged(world, old, "JobManager kill -9", "after Flink accepted the stop", first,
              restored_kind="checkpoint")  # fmt: skip


@pytest.mark.timeout(600)
def test_a_taskmanager_killed_in_the_health_window_never_starts_the_job_empty(
    world: FaultWorld,
) -> None:
    """kill -9 of the TaskManager as soon as version 2 was submitted (its health window):
    the update fails (whether it is blocked as a failed version or taken for the
    infrastructure's failure is another issue's), the cluster is started again, and the
    apply that puts the job back runs exactly one job, restored from a snapshot of it —
    never empty."""
    old = start_v1(world)
    world.proxy.add(
        Rule("POST", r"^/jars/[^/]+/run$", Action.WATCH,
             on_answer=lambda status, body: world.cluster.kill("taskmanager"))
    )  # fmt: skip
    code, out = world.apply()
    assert code == 1, out
    world.proxy.rules.clear()
    world.cluster.restart()
    again, out2 = world.apply("--retry-failed")
    assert again == 0, out2
    [run] = world.running()
    restored = world.client.checkpoints(run.job_id).latest.restored
    assert restored is not None and restored.external_path, f"started empty: {out2}"
    local = local_path(restored.external_path)
    assert local is not None and (local / "_metadata").is_file()
    # each version recorded once: history appends the version a rollback put back
    # ("rollback"), every other row is a version's own transition
    versions = [v["version"] for v in world.history() if v["action"] != "rollback"]
    assert versions == sorted(set(versions)), versions
    FAULT_TABLE.append(
        {
            "fault": "TaskManager kill -9",
            "where": "after the submit of version 2 (health window)",
            "apply": f"exit {code}: {first_line(out, *MARKS)[:300]}",
            "next apply": f"exit {again} (--retry-failed, after a cluster restart): "
            + first_line(out2, "agg:")[:200],
            "restored": restored.external_path.rsplit("/", 2)[-2]
            + "/"
            + restored.external_path.rsplit("/", 1)[-1]
            + f" (old job {old[:6]})",
            "duplicates": str(len(world.running()) - 1),
        }
    )
