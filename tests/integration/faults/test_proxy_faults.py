"""The fault suite (issue 23), faults a proxy injects: during a savepoint update of a
stateful job on a real Flink 2.3 cluster, the proxy in front of the REST port resets
connections before or after Flink saw the request, holds an answer past the client's
timeout, or adds latency (``proxy.py``); or the PostgreSQL store is stopped once the
savepoint completed. Every case must end as ``_cases.converged`` checks: never started
empty. These run on the worker's shared cluster; the cases that kill the cluster's own
processes are in ``test_kills.py``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.integration.faults._cases import MARKS, converged, faulted, first_line, start_v1
from tests.integration.faults.conftest import FaultWorld
from tests.integration.faults.proxy import Action, Rule
from tests.pgserver import PgServer

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
    proxy_world: FaultWorld, fault: str
) -> None:
    world = proxy_world
    where, rule = CASES[fault]
    old = start_v1(world)
    fired = world.proxy.add(rule())
    first = faulted(world)
    assert fired.hits, f"the fault never fired: {world.proxy.rules}"
    if fired.action is Action.LATENCY:
        assert first[0] == 0, first
    else:
        assert first[0] == 1, first
        assert "Flink shows the old job" in first[1], first
    world.proxy.rules.clear()
    converged(world, old, fault, where, first)


def test_a_store_outage_after_the_savepoint_is_reported_and_resumed(
    proxy_world: FaultWorld, pg_server: PgServer
) -> None:
    """PostgreSQL stopped the moment Flink reports the stop's savepoint complete: apply
    says the store stopped answering and what Flink shows (the old job FINISHED, its
    savepoint), not the lock release that failed after it; with the store back, the
    next apply resumes and starts version 2 from that savepoint."""
    world = proxy_world
    world.env["FLINKOPS_STORE_URL"] = pg_server.url(pg_server.fresh_schema())
    yaml = world.project.root / "flinkops.yaml"
    yaml.write_text(yaml.read_text() + "store: ${env:FLINKOPS_STORE_URL}\n")
    old = start_v1(world)

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
    first = (code, first_line(out, *MARKS))
    converged(world, old, "PostgreSQL store stopped", "when the savepoint completed", first)
