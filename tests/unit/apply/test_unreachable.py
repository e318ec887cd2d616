"""A cluster that stops answering mid-apply (a fault the real cluster can't be made to
produce on demand): nothing is rolled back, the transition stays open in the journal, and
the next apply resumes it without submitting the job again."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace as NS

import pytest

from flinkops.apply import Applier
from flinkops.errors import FlinkUnreachable
from flinkops.plan import Action, Change, Plan, StateImpact
from flinkops.store import Store


class FlakyCluster:
    """Answers like a healthy Flink, or raises FlinkUnreachable while ``down``."""

    base_url = "http://flink:8081"

    def __init__(self) -> None:
        self.down = False
        self.submitted: list[str] = []

    def _check(self) -> None:
        if self.down:
            raise FlinkUnreachable("GET http://flink:8081/jobs/j1: connection refused")

    def version(self) -> str:
        self._check()
        return "2.3.0"

    def job(self, job_id: str):
        self._check()
        return NS(state="RUNNING", vertices=[NS(status="RUNNING")])

    def exceptions(self, job_id: str):
        self._check()
        return NS(root_exception=None, history=[])

    def jobs(self):
        self._check()
        return [NS(id=j, name="agg", state="RUNNING", start_time=1) for j in self.submitted]

    def job_config(self, job_id: str):
        self._check()
        return NS(
            user_config={
                "flinkops.name": "agg",
                "flinkops.version": "1",
                "flinkops.spec-hash": "h",
                "flinkops.target": "local",
            }
        )

    def submit(self, client: object, **kw: object) -> str:
        """The submission seam: accepts the job, then the cluster goes away."""
        self.submitted.append(f"j{len(self.submitted) + 1}")
        self.down = True
        return self.submitted[-1]


@pytest.fixture
def cluster() -> FlakyCluster:
    return FlakyCluster()


def test_unreachable_mid_apply_keeps_the_journal_and_the_next_apply_resumes(
    cluster: FlakyCluster, tmp_path: Path, make_project
) -> None:
    from flinkops.spec import load_project
    from tests.conftest import job_yaml

    root = make_project({"jobs/agg.yaml": job_yaml("agg", extra="health: {window: 0s}\n")})
    spec = load_project(root, env={}).jobs_for("local")[0]
    store = Store(tmp_path / "state.db")
    create = Change(
        job="agg",
        action=Action.CREATE,
        state=StateImpact.NONE,
        reason="new job",
        version=1,
        spec_hash=spec.spec_hash,
    )
    applier = Applier(
        cluster,  # type: ignore[arg-type]
        store,
        target="local",
        specs=[spec],
        poll=0,
        submit=cluster.submit,
    )

    [result] = applier.apply(Plan(target="local", url="", changes=(create,))).results
    assert result.status == "failed" and "carries on from there" in result.message
    [open_t] = store.open_transitions("local")
    assert open_t.last("submit", "end").data["job_id"] == "j1"
    assert open_t.last("wait").phase == "failed"
    assert store.version("local", "agg", 1).outcome == "in-progress"  # not marked failed

    cluster.down = False
    assert applier.recover() == ["agg: interrupted create -> done"]
    assert cluster.submitted == ["j1"]  # resumed, not submitted again
    assert store.open_transitions("local") == []
    assert store.version("local", "agg", 1).outcome == "applied"
    assert store.version("local", "agg", 1).job_id == "j1"
