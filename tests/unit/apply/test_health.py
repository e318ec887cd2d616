"""wait_healthy's decisions, on a scripted client (no Flink: pure logic and timings)."""

from __future__ import annotations

from types import SimpleNamespace as NS

import pytest

from flinkops.apply.health import wait_healthy
from flinkops.errors import Unhealthy
from flinkops.flink.models import ExceptionEntry, Exceptions, root_line
from flinkops.plan.steps import WaitHealthy

TRACE = (
    "org.apache.flink.runtime.JobException: Recovery is suppressed\n\tat x.y(Z.java:1)\n"
    "Caused by: java.lang.IllegalStateException: Failed to rollback to checkpoint\n"
    "Caused by: org.apache.flink.util.StateMigrationException: The new state serializer "
    "is incompatible\n\tat a.b(C.java:2)"
)


class ScriptedClient:
    """Answers job()/exceptions()/checkpoints() from a list of (state, vertex states, errors)."""

    def __init__(self, script: list[tuple[str, list[str], list[str]]], completed: int = 0):
        self.script = script
        self.calls = 0
        self.completed = completed

    def _now(self):
        return self.script[min(self.calls, len(self.script) - 1)]

    def job(self, job_id: str):
        state, vertices, _ = self._now()
        return NS(
            state=state, vertices=[NS(status=v, name=f"v{i}") for i, v in enumerate(vertices)]
        )

    def exceptions(self, job_id: str):
        _, _, errors = self._now()
        self.calls += 1
        return Exceptions(
            root_exception=None,
            timestamp=None,
            history=[
                ExceptionEntry(exception_name="", stacktrace=e, timestamp=None) for e in errors
            ],
        )

    def checkpoints(self, job_id: str):
        return NS(counts={"completed": self.completed})


def wait(client, **kw) -> list[str]:
    seen: list[str] = []
    step = WaitHealthy(kw.pop("window", 0.0), kw.pop("timeout", 5.0), **kw)
    wait_healthy(client, "agg", "j1", step, progress=lambda j, what, t: seen.append(what), poll=0.0)
    return seen


def test_healthy_once_every_task_runs_for_the_window() -> None:
    client = ScriptedClient([("RUNNING", ["INITIALIZING"], []), ("RUNNING", ["RUNNING"], [])])
    seen = wait(client, window=0.0)
    assert seen == ["starting (RUNNING)"]


def test_a_restart_during_the_window_is_unhealthy_with_the_root_cause() -> None:
    client = ScriptedClient([("RUNNING", ["RUNNING"], []), ("RUNNING", ["RUNNING"], [TRACE])])
    with pytest.raises(Unhealthy) as info:
        wait(client, window=60)
    assert "The new state serializer is incompatible" in info.value.root_cause


@pytest.mark.parametrize("state", ["FAILED", "CANCELED"])
def test_a_job_that_ends_is_unhealthy(state: str) -> None:
    client = ScriptedClient([(state, ["FAILED"], [])])
    with pytest.raises(Unhealthy, match=f"went {state}") as info:
        wait(client)
    assert not info.value.infrastructure


def test_a_restart_of_the_jobs_own_fault_is_unhealthy_at_once() -> None:
    client = ScriptedClient([("RESTARTING", ["CANCELED"], [TRACE])])
    with pytest.raises(Unhealthy, match="restarted") as info:
        wait(client, window=60, timeout=60)
    assert not info.value.infrastructure


# What Flink 2.3 listed when a TaskManager running the job was killed (checked: the
# JobManager noticed within about 20 s).
TM_LOST = (
    "org.apache.flink.runtime.JobException: Recovery is suppressed by "
    "NoRestartBackoffTimeStrategy\n\tat x.y(Z.java:1)\nCaused by: "
    "org.apache.flink.runtime.jobmaster.JobMasterException: TaskManager with id tm-b is "
    "no longer reachable.\n\tat a.b(C.java:2)"
)
SLOTS = (
    "org.apache.flink.runtime.jobmanager.scheduler.NoResourceAvailableException: Could "
    "not acquire the minimum required resources."
)


@pytest.mark.parametrize("trace", [TM_LOST, SLOTS])
def test_a_cluster_fault_restarts_the_window_instead_of_failing(trace: str) -> None:
    client = ScriptedClient(
        [
            ("RUNNING", ["DEPLOYING"], []),
            ("RESTARTING", ["CANCELED"], [trace]),
            ("RUNNING", ["DEPLOYING"], [trace]),
            ("RUNNING", ["RUNNING"], [trace]),
        ]
    )
    seen = wait(client, window=0.0)
    assert seen == [
        "starting (RUNNING)",
        "restarting after a cluster fault (RESTARTING)",
        "restarting after a cluster fault (RUNNING)",
    ]


def test_a_job_the_cluster_failed_is_unhealthy_as_infrastructure() -> None:
    client = ScriptedClient([("RUNNING", ["RUNNING"], []), ("FAILED", ["FAILED"], [TM_LOST])])
    with pytest.raises(Unhealthy, match=r"went FAILED: .*no longer reachable") as info:
        wait(client, window=60)
    assert info.value.infrastructure


def test_a_cluster_fault_then_the_jobs_own_fault_is_the_jobs() -> None:
    client = ScriptedClient(
        [
            ("RESTARTING", ["CANCELED"], [TM_LOST]),
            ("RESTARTING", ["CANCELED"], [TRACE, TM_LOST]),
        ]
    )
    with pytest.raises(Unhealthy, match="restarted") as info:
        wait(client, window=60)
    assert not info.value.infrastructure


def test_still_restarting_from_a_cluster_fault_at_the_timeout_is_infrastructure() -> None:
    client = ScriptedClient([("RESTARTING", ["CANCELED"], [TM_LOST])])
    with pytest.raises(Unhealthy, match="restarting after a cluster fault") as info:
        wait(client, timeout=0.05)
    assert info.value.infrastructure


def test_tasks_waiting_for_slots_at_the_timeout_is_infrastructure() -> None:
    client = ScriptedClient([("RUNNING", ["RUNNING", "SCHEDULED"], [])])
    with pytest.raises(Unhealthy, match="waiting for task slots") as info:
        wait(client, timeout=0.05)
    assert info.value.infrastructure


def test_not_healthy_in_time() -> None:
    client = ScriptedClient([("RUNNING", ["DEPLOYING"], [])])
    with pytest.raises(Unhealthy, match=r"not healthy after 0\.05s") as info:
        wait(client, timeout=0.05)
    assert not info.value.infrastructure


def test_a_checkpointing_job_needs_the_window_and_a_completed_checkpoint() -> None:
    with pytest.raises(Unhealthy, match="not healthy"):
        wait(ScriptedClient([("RUNNING", ["RUNNING"], [])], completed=0), checkpoint=True,
             timeout=0.05)  # fmt: skip
    seen = wait(ScriptedClient([("RUNNING", ["RUNNING"], [])], completed=1), checkpoint=True)
    assert seen == []


def test_until_checkpoint_waits_for_a_completed_one() -> None:
    client = ScriptedClient([("RUNNING", ["RUNNING"], [])], completed=0)
    with pytest.raises(Unhealthy):
        wait(client, until_checkpoint=True, timeout=0.05)
    assert (
        wait(ScriptedClient([("RUNNING", ["RUNNING"], [])], completed=1), until_checkpoint=True)
        == []
    )


def test_root_line_prefers_the_deepest_cause() -> None:
    assert root_line(TRACE).startswith("org.apache.flink.util.StateMigrationException")
    assert root_line("just one line") == "just one line"
    assert root_line(None) == ""
