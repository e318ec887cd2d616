"""A target moved to a new cluster is a migration (plan/_migrate.py): two real clusters,
this module's own (the old one) and the worker's session cluster (the new one).

The project first applies on the old cluster; then its target's url points at the new
one. `plan` says it is a migration and plans `migrate`; `apply` stops the job with a
savepoint on the old cluster and starts it on the new one from that savepoint, leaving
exactly one RUNNING job of the name; a new job that fails resumes the old one from the
same savepoint, on the old cluster. The first job pins its compiled plan
(``compiledPlan: pin``), which the migration carries to the new cluster.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from flinkops.flink.live import read_live
from flinkops.flink.local import ClusterInfo
from flinkops.flink.rest import FlinkClient
from flinkops.store import Store, pinned_plan
from tests.integration.apply.conftest import Project, stateful_sql
from tests.integration.conftest import local_cluster

pytestmark = pytest.mark.integration

JOB = "agg"


@pytest.fixture(scope="module")
def old_cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ClusterInfo]:
    """The cluster the target ran on before its url changed; stopped by PID."""
    with local_cluster(
        tmp_path_factory.mktemp("flink-old"), slots=4, session=request.session
    ) as info:
        yield info


class Moving(Project):
    """A project whose target's url can be pointed at another cluster."""

    def point_at(self, url: str) -> None:
        (self.root / "flinkops.yaml").write_text(
            "apiVersion: flinkops/v1\nkind: Project\n"
            f"defaultTarget: {self.target}\ntargets:\n  {self.target}:\n    url: {url}\n"
            "    health: {window: 2s, timeout: 90s}\n"
        )


@pytest.fixture
def moving(
    tmp_path: Path, old_cluster: ClusterInfo, flink_client: FlinkClient
) -> Iterator[tuple[Moving, FlinkClient]]:
    """A project applied on the old cluster; its target named after the test."""
    target = f"m{tmp_path.name[-12:].lower().replace('_', '-')}".strip("-")
    (tmp_path / "jobs").mkdir()
    project = Moving(tmp_path, target, flink_client)
    project.point_at(old_cluster.url)
    old = FlinkClient(old_cluster.url, timeout=30.0)
    yield project, old
    for client in (old, flink_client):  # never leave a job of this test running
        for job in read_live(client, target):
            if job.managed_name and job.active:
                with contextlib.suppress(Exception):
                    client.cancel(job.job_id)
    old.close()


def _running(client: FlinkClient, target: str) -> list:
    return [j for j in read_live(client, target) if j.managed_name == JOB and j.active]


def _restored_from(client: FlinkClient, job_id: str) -> str | None:
    restored = client.checkpoints(job_id).latest.restored
    return restored.external_path if restored else None


def _stop_savepoint(project: Project) -> str:
    """The savepoint the migration's stop took (the newest history row records it)."""
    taken = [row["savepoint"] for row in project.history(JOB) if row.get("savepoint")]
    assert taken, project.history(JOB)
    return taken[-1]


def _submitted(store: Store, target: str) -> dict:
    """What the newest transition's submit step journaled at its end."""
    newest = store.transitions(target, JOB, limit=1)[0]
    return next(e.data for e in newest.steps if e.step == "submit" and e.phase == "end")


def test_a_target_moved_to_a_new_cluster_migrates_its_job_with_its_state(
    moving: tuple[Moving, FlinkClient], flink_cluster: ClusterInfo, flink_client: FlinkClient
) -> None:
    """The job pins its compiled plan (compiledPlan: pin): the first apply compiles it
    and keeps it with version 1, and the migration submits version 2 from that plan."""
    project, old = moving
    project.write_job(JOB, stateful_sql(), extra="  compiledPlan: pin\n")
    first = project.apply()
    assert first.returncode == 0, first.stdout + first.stderr
    [before] = _running(old, project.target)
    with Store(str(project.root / ".flinkops" / "state.db")) as store:
        compiled = _submitted(store, project.target)
        assert compiled["plan_kept"] is False
        sql_hash = store.version(project.target, JOB, 1).sql_hash
        kept = pinned_plan(store, project.target, JOB, sql_hash)
        assert kept is not None and kept.version == 1 and "GroupAggregate" in kept.plan

    project.point_at(flink_cluster.url)
    shown = project.run("plan")
    print(shown.stdout)  # the plan of a migration, as it ran
    assert shown.returncode == 2, shown.stdout + shown.stderr
    assert f"Migration: 1 job moves from {old.base_url}" in shown.stdout
    planned = json.loads(project.run("plan", "--format", "json").stdout)
    change = next(c for c in planned["changes"] if c["job"] == JOB)
    assert change["action"] == "migrate" and change["state"] == "preserved"
    assert change["migrate_from"] == old.base_url
    assert [s["kind"] for s in change["steps"]] == ["stop", "submit", "wait", "record"]
    assert planned["migration"]["jobs"] == [JOB] and planned["migration"]["reachable"]

    done = project.apply()
    print(done.stdout + done.stderr)  # the apply of a migration, as it ran
    assert done.returncode == 0, done.stdout + done.stderr
    assert _running(old, project.target) == []
    assert old.job(before.job_id).state == "FINISHED"  # stopped with a savepoint
    [after] = _running(flink_client, project.target)
    assert after.version == 2
    assert _restored_from(flink_client, after.job_id) == _stop_savepoint(project)
    with Store(str(project.root / ".flinkops" / "state.db")) as store:
        submitted = _submitted(store, project.target)
    assert submitted["plan_kept"] is True  # the plan compiled for version 1
    assert submitted["compiled_plan"] == compiled["compiled_plan"]
    again = project.run("plan")
    assert again.returncode == 0, again.stdout  # in sync on the new cluster
    assert "Migration" not in again.stdout


def test_a_migration_whose_new_job_fails_resumes_the_old_one(
    moving: tuple[Moving, FlinkClient], flink_cluster: ClusterInfo, flink_client: FlinkClient
) -> None:
    project, old = moving
    project.write_job(JOB, stateful_sql())
    first = project.apply()
    assert first.returncode == 0, first.stdout + first.stderr

    # moved, and changed so that the state fails to restore (COUNT(*) added: at-risk)
    project.point_at(flink_cluster.url)
    project.write_job(JOB, stateful_sql(count=True))
    done = project.apply()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "rolled back" in done.stdout + done.stderr
    assert _running(flink_client, project.target) == []
    [resumed] = _running(old, project.target)
    assert resumed.version == 1
    assert _restored_from(old, resumed.job_id) == _stop_savepoint(project)
    assert [(h["version"], h["outcome"]) for h in project.history(JOB)][-2:] == [
        (2, "rolled-back"),
        (1, "applied"),
    ]
