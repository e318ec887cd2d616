"""The fault suite (issue 23): faults at each step of a savepoint update of a stateful
job on a real Flink 2.3 cluster, and what the next apply makes of them.

Each case applies version 1, changes the spec compatibly (the source's rate), injects
one fault while `flinkops apply` carries version 2 out, then applies again without it.
Every case must end the same way: exactly one RUNNING job of version 2, versions 1 and
2 recorded once each, and the new job restored from the stop's savepoint (or, when the
JobManager died before it was written, the old job's newest retained checkpoint) —
never started empty. A third apply changes nothing. The faults: a proxy in front of
the REST port resets connections before or after Flink saw the request, holds an
answer past the client's timeout, or adds latency (``proxy.py``); the JobManager is
killed -9 once Flink accepted the stop; the PostgreSQL store is stopped once the
savepoint completed. ``FAULT_TABLE`` collects a row per case (the issue's closing
table), printed at the end of the module.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from flinkops.flink.snapshots import local_path
from tests.integration.faults.conftest import FaultWorld
from tests.integration.faults.proxy import Action, Rule
from tests.pgserver import PgServer

#: one row per case run: fault, where, apply's exit and message, next apply, restored
FAULT_TABLE: list[dict[str, str]] = []


@pytest.fixture(scope="module", autouse=True)
def _print_table() -> Iterator[None]:
    yield
    if FAULT_TABLE:
        print("\nFAULT TABLE (json lines)")
        for row in FAULT_TABLE:
            print(json.dumps(row))


def _first(text: str, *marks: str) -> str:
    """The first line of apply's output holding one of ``marks`` (its verdict)."""
    for line in text.splitlines():
        if any(m in line for m in marks):
            return line.strip()
    return text.strip().splitlines()[-1] if text.strip() else ""


def _start_v1(world: FaultWorld) -> str:
    world.write(rate=20)
    code, out = world.apply()
    assert code == 0, out
    [v1] = world.running()
    world.wait_checkpoint(v1.job_id)
    world.write(rate=21)  # a compatible change: the stateful operators stay as they were
    return v1.job_id


def _converged(world: FaultWorld, old: str, fault: str, where: str, first: tuple[int, str],
               *, restored_kind: str = "savepoint") -> None:  # fmt: skip
    """The next apply converges: one RUNNING job of version 2, versions recorded once,
    restored from the stop's savepoint (or the old job's retained checkpoint)."""
    code, out = world.apply()
    assert code == 0, out
    if first[0] != 0:  # the journal's transition is finished by recovery, not re-planned
        assert "recovered: agg: interrupted update -> done" in out, out
    [run] = world.running()
    assert run.version == 2, run
    history = world.history()
    assert [(v["version"], v["outcome"]) for v in history] == [(1, "applied"), (2, "applied")]
    restored = world.client.checkpoints(run.job_id).latest.restored
    assert restored is not None and restored.external_path, "started empty"
    path = restored.external_path
    if restored_kind == "savepoint":
        assert restored.is_savepoint and f"savepoint-{old[:6]}-" in path, path
    else:
        assert f"/{old}/chk-" in path or f"savepoint-{old[:6]}-" in path, path
    local = local_path(path)
    assert local is not None and (local / "_metadata").is_file()
    assert local_path(history[1]["restored_from"]) == local  # file:/x and file:///x alike
    again, out3 = world.apply()
    assert again == 0 and "No changes" in out3, out3
    FAULT_TABLE.append(
        {
            "fault": fault,
            "where": where,
            "apply": f"exit {first[0]}: {first[1][:300]}",
            "next apply": f"exit {code}: {_first(out, 'recovered:', 'agg:')[:200]}",
            "restored": path.rsplit("/", 2)[-2] + "/" + path.rsplit("/", 1)[-1],
            "duplicates": str(len(world.running()) - 1),
        }
    )


MARKS = ("agg:", "error", "Error", "refusing")


def _faulted(world: FaultWorld) -> tuple[int, str]:
    code, out = world.apply()
    return code, _first(out, *MARKS) + " | " + _first(out, "Now:", "Flink shows")


CASES: dict[str, tuple[str, Callable[[], Rule]]] = {
    "reset after Flink accepted the stop": (
        "POST /jobs/:id/stop",
        lambda: Rule("POST", r"^/jobs/\w+/stop$", Action.RESET_AFTER),
    ),
    "reset before the stop reached Flink": (
        "POST /jobs/:id/stop",
        lambda: Rule("POST", r"^/jobs/\w+/stop$", Action.RESET_BEFORE),
    ),
    "stop's answer held 20 s": (
        "POST /jobs/:id/stop",
        lambda: Rule("POST", r"^/jobs/\w+/stop$", Action.HOLD, seconds=20),
    ),
    "resets after Flink answered every savepoint poll": (
        "GET /jobs/:id/savepoints/:trigger",
        lambda: Rule("GET", r"/savepoints/\w+$", Action.RESET_AFTER, times=None),
    ),
    "reset after Flink accepted the submit": (
        "POST /jars/:id/run",
        lambda: Rule("POST", r"^/jars/[^/]+/run$", Action.RESET_AFTER),
    ),
    "3 s latency on the stop": (
        "POST /jobs/:id/stop",
        lambda: Rule("POST", r"^/jobs/\w+/stop$", Action.LATENCY, seconds=3),
    ),
}


@pytest.mark.parametrize("fault", list(CASES))
def test_a_proxy_fault_during_an_update_never_starts_the_job_empty(
    world: FaultWorld, fault: str
) -> None:
    where, rule = CASES[fault]
    old = _start_v1(world)
    fired = world.proxy.add(rule())
    first = _faulted(world)
    assert fired.hits, f"the fault never fired: {world.proxy.rules}"
    if fired.action is Action.LATENCY:
        assert first[0] == 0, first
    else:
        assert first[0] == 1, first
        assert "Flink shows the old job" in first[1], first
    world.proxy.rules.clear()
    _converged(world, old, fault, where, first)


def test_a_jobmanager_killed_during_the_stop_restarts_from_the_retained_checkpoint(
    world: FaultWorld,
) -> None:
    """kill -9 of the JobManager as soon as Flink accepted the stop, the cluster started
    again on the same port and directory (no HA: the job is gone): the next apply finds
    the old job's savepoint or newest retained checkpoint on disk and restores it."""
    old = _start_v1(world)
    world.proxy.add(
        Rule("POST", r"^/jobs/\w+/stop$", Action.WATCH,
             on_answer=lambda status, body: world.cluster.kill("jobmanager"))
    )  # fmt: skip
    first = _faulted(world)
    assert first[0] == 1, first
    world.proxy.rules.clear()
    world.cluster.restart()
    assert world.runs() == []  # the cluster forgot every job
    _converged(world, old, "JobManager kill -9", "after Flink accepted the stop", first,
               restored_kind="checkpoint")  # fmt: skip


def test_a_store_outage_after_the_savepoint_is_reported_and_resumed(
    world: FaultWorld, pg_server: PgServer
) -> None:
    """PostgreSQL stopped the moment Flink reports the stop's savepoint complete: apply
    says the store stopped answering and what Flink shows (the old job FINISHED, its
    savepoint), not the lock release that failed after it; with the store back, the
    next apply resumes and starts version 2 from that savepoint."""
    world.env["FLINKOPS_STORE_URL"] = pg_server.url(pg_server.fresh_schema())
    yaml = world.project.root / "flinkops.yaml"
    yaml.write_text(yaml.read_text() + "store: ${env:FLINKOPS_STORE_URL}\n")
    old = _start_v1(world)

    def halt_when_done(status: int, body: bytes) -> None:
        if b"COMPLETED" in body:
            pg_server.halt()

    world.proxy.add(
        Rule("GET", r"/savepoints/\w+$", Action.WATCH, times=None, on_answer=halt_when_done)
    )
    try:
        code, out = world.apply()
    finally:
        world.proxy.rules.clear()
        if pg_server.proc is None or pg_server.proc.poll() is not None:
            pg_server.resume()
    assert code == 1, out
    assert "release_lock" not in out, out
    assert "the version store stopped answering" in out, out
    assert f"Flink shows the old job {old} FINISHED" in out, out
    assert f"savepoint-{old[:6]}-" in out, out  # where its savepoint is
    first = (code, _first(out, *MARKS))
    _converged(world, old, "PostgreSQL store stopped", "when the savepoint completed", first)


def test_a_taskmanager_killed_in_the_health_window_never_starts_the_job_empty(
    world: FaultWorld,
) -> None:
    """kill -9 of the TaskManager as soon as version 2 was submitted (its health window):
    the update fails (whether it is blocked as a failed version or taken for the
    infrastructure's failure is another issue's), the cluster is started again, and the
    apply that puts the job back runs exactly one job, restored from a snapshot of it —
    never empty."""
    old = _start_v1(world)
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
            "apply": f"exit {code}: {_first(out, *MARKS)[:300]}",
            "next apply": f"exit {again} (--retry-failed, after a cluster restart): "
            + _first(out2, "agg:")[:200],
            "restored": restored.external_path.rsplit("/", 2)[-2]
            + "/"
            + restored.external_path.rsplit("/", 1)[-1]
            + f" (old job {old[:6]})",
            "duplicates": str(len(world.running()) - 1),
        }
    )
