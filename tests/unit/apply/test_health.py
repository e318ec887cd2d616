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
        return NS(state=state, vertices=[NS(status=v) for v in vertices])

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


@pytest.mark.parametrize("state", ["FAILED", "RESTARTING", "CANCELED"])
def test_a_job_that_leaves_running_is_unhealthy(state: str) -> None:
    client = ScriptedClient([(state, ["FAILED"], [])])
    with pytest.raises(Unhealthy, match=f"went {state}"):
        wait(client)


def test_not_healthy_in_time() -> None:
    client = ScriptedClient([("RUNNING", ["DEPLOYING"], [])])
    with pytest.raises(Unhealthy, match=r"not healthy after 0\.05s"):
        wait(client, timeout=0.05)


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
