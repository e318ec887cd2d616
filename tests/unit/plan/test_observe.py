from __future__ import annotations

import json

import httpx

from flinkops.flink.identity import JobIdentity
from flinkops.flink.live import read_live
from flinkops.flink.rest import FlinkClient
from flinkops.plan import Compat, CompatBasis, StateImpact
from flinkops.spec import load_project
from tests.conftest import job_yaml
from tests.unit.plan.fakes import fake_flink, record_applied, run_plan, write_project

__all__ = ["fake_flink"]  # the fixture, shared with tests/unit/plan


def test_read_live_by_name_reads_only_that_jobs_config() -> None:
    configs: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/jobs/overview":
            return httpx.Response(
                200,
                json={
                    "jobs": [
                        {"jid": f"j{i}", "name": name, "state": "RUNNING", "start-time": i}
                        for i, name in enumerate(["agg", "other", "adhoc"])
                    ]
                },
            )
        configs.append(request.url.path)
        return httpx.Response(
            200,
            json={
                "jid": "j0",
                "name": "agg",
                "execution-config": {
                    "user-config": {
                        "flinkops.name": "agg",
                        "flinkops.version": "3",
                        "flinkops.spec-hash": "h",
                        "flinkops.target": "local",
                    }
                },
            },
        )

    client = FlinkClient("http://flink", transport=httpx.MockTransport(answer))
    [live] = read_live(client, "local", name="agg")
    assert (live.managed_name, live.version) == ("agg", 3)
    assert configs == ["/jobs/j0/config"]
    assert len(read_live(client, "local")) == 3


def test_new_sql_flink_rejects_in_an_update_is_a_warning_by_its_basis(tmp_path, fake_flink):
    """The verdict's basis (an enum), not its reason text, makes the plan warn."""
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    (old,) = load_project(project).jobs_for("local")
    record_applied(project, old)
    fake_flink.add("job-a", "RUNNING", JobIdentity("job-a", 1, old.spec_hash, "local"))
    broken = job_yaml("job-a").replace("FROM src GROUP BY", "FROM nowhere GROUP BY")
    (project / "jobs" / "a.yaml").write_text(broken)
    data = json.loads(run_plan(project, "--format", "json").output)
    (change,) = data["changes"]
    assert (change["action"], change["state"]) == ("update", "at-risk")
    assert len(data["warnings"]) == 1
    assert data["warnings"][0].startswith("job-a: Flink rejects the new SQL: ")
    assert "Cannot find table 'nowhere'" in data["warnings"][0]


def test_compat_basis_defaults_to_compared() -> None:
    assert Compat(StateImpact.PRESERVED).basis is CompatBasis.COMPARED
