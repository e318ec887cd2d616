from __future__ import annotations

import json
import re
from collections import Counter

import httpx

from flinkops.flink.identity import JobIdentity
from flinkops.flink.live import read_live
from flinkops.flink.rest import FlinkClient
from flinkops.plan import Action, Compat, CompatBasis, StateImpact
from flinkops.plan.compiler import Compiler, CompileSettings, cluster_identity
from flinkops.plan.observe import make_plan, observe
from flinkops.spec import load_project
from flinkops.store import HistoryRecord, Outcome, Store
from tests.conftest import job_yaml, version_record
from tests.unit.conftest import MAX_SQL
from tests.unit.fake_flink import snapshot_uri
from tests.unit.gitrepo import commit, git
from tests.unit.plan.fakes import FakeFlink, fake_flink, record_applied, run_plan, write_project

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


def test_new_sql_flink_rejects_in_an_update_is_an_error_not_a_verdict(tmp_path, fake_flink):
    """Flink rejecting the new SQL of a running job refuses the update: no state verdict,
    no steps, and the plan's error at the YAML line of the unknown table."""
    project = write_project(tmp_path, {"a.yaml": job_yaml("job-a")})
    (old,) = load_project(project).jobs_for("local")
    record_applied(project, old)
    fake_flink.add("job-a", "RUNNING", JobIdentity("job-a", 1, old.spec_hash, "local"))
    broken = job_yaml("job-a").replace("FROM src GROUP BY", "FROM nowhere GROUP BY")
    (project / "jobs" / "a.yaml").write_text(broken)
    data = json.loads(run_plan(project, "--format", "json").output)
    (change,) = data["changes"]
    assert (change["action"], change["state"], change["steps"]) == ("rejected", "none", [])
    assert change["reason"].startswith("update refused: Flink rejects the SQL at jobs/a.yaml:")
    assert data["warnings"] == []
    (error,) = data["errors"]
    assert (error["job"], error["file"]) == ("job-a", "jobs/a.yaml")
    assert "Object 'nowhere' not found" in error["message"]
    assert data["observed"]["job-a"]["job_id"] == change["live"]["job_id"]


def test_compat_basis_defaults_to_compared() -> None:
    assert Compat(StateImpact.PRESERVED).basis is CompatBasis.COMPARED


# ------------------------------------------------ what one plan reads, counted

_JOB_ID = re.compile(r"/jobs/[0-9a-f]{32}")


TM_LOST = (
    "org.apache.flink.runtime.jobmaster.JobMasterException: TaskManager with id tm-b is "
    "no longer reachable."
)


class CountingFlink(FakeFlink):
    """``FakeFlink`` on a cluster running the adaptive scheduler, counting every request."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: Counter[str] = Counter()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.paths[f"{request.method} {path}"] += 1
        if path == "/jobmanager/config":
            conf = {"jobmanager.scheduler": "adaptive", "state.savepoints.dir": "file:///sp"}
            return httpx.Response(200, json=[{"key": k, "value": v} for k, v in conf.items()])
        if path == "/jobmanager/environment":
            return httpx.Response(200, json={"classpath": ["/opt/flink/lib/flink-dist.jar"]})
        if path.endswith("/checkpoints"):
            latest = {"completed": {"id": 7, "external_path": snapshot_uri("chk/chk-7")}}
            return httpx.Response(200, json={"counts": {"completed": 7}, "latest": latest})
        if path.endswith("/exceptions"):  # the failed job lost its TaskManager
            entry = {"exceptionName": "JobMasterException", "stacktrace": TM_LOST}
            return httpx.Response(200, json={"exceptionHistory": {"entries": [entry]}})
        return super().__call__(request)

    def calls(self) -> Counter[str]:
        """The requests by endpoint, every job id written ``:id``."""
        out: Counter[str] = Counter()
        for call, n in self.paths.items():
            out[_JOB_ID.sub("/jobs/:id", call)] += n
        return out


def _twenty_specs(make_spec, flink: CountingFlink, store: Store) -> list:
    """12 in sync, 4 with new SQL, 1 parallelism-only, 1 new, 1 failed (its TaskManager
    lost: restarted, not blocked), 1 suspended."""
    specs = []
    for i in range(20):
        name = f"job-{i:02d}"
        ran = make_spec(name, parallelism=1)
        now = ran
        if 12 <= i < 16:
            now = make_spec(name, sql=MAX_SQL, parallelism=1)
        elif i == 16:
            now = make_spec(name, parallelism=2)
        elif i == 19:
            now = make_spec(name, parallelism=1, state="suspended")
        specs.append(now)
        if i == 17:
            continue  # a new job: nothing applied, nothing running
        outcome = "suspended" if i == 19 else "applied"
        job_id = None
        if i != 19:
            state = "FAILED" if i == 18 else "RUNNING"
            identity = JobIdentity(name, 1, ran.spec_hash, "local")
            job_id = flink.add(name, state, identity)
        savepoint = "file:///sp/s-19" if i == 19 else None
        store.record_version(
            version_record(ran, "local", outcome=outcome, job_id=job_id, savepoint=savepoint)
        )
    return specs


def test_a_plan_reads_the_cluster_and_the_store_once(make_spec, tmp_path, monkeypatch) -> None:
    """One observation: every endpoint read once (of each job), each job's versions once.
    Built three times, a plan used to read ``/overview`` and ``/jobmanager/config``
    twice (the compiler asked for the cluster's identity again) and the versions table
    twice per job (its applied version, then its newest attempt)."""
    flink = CountingFlink()
    client = FlinkClient("http://flink.test:8081", transport=httpx.MockTransport(flink), retries=0)
    with Store(tmp_path / "store.db") as store:
        specs = _twenty_specs(make_spec, flink, store)
        reads: Counter[str] = Counter()
        real_read = store.db.read

        def read(op: str):
            reads[op] += 1
            return real_read(op)

        monkeypatch.setattr(store.db, "read", read)
        compiler = Compiler(client, store, CompileSettings(concurrency=2))
        checkout = tmp_path / "checkout"
        checkout.mkdir()
        plan = make_plan(
            client, store, target="local", url="http://flink.test:8081", specs=specs,
            compiler=compiler, root=checkout,
        )  # fmt: skip
    assert plan.summary() == {"create": 1, "update": 4, "restart": 1, "rescale": 1, "noop": 13}
    assert plan.change("job-16").action is Action.RESCALE
    assert plan.change("job-18").restore_from == snapshot_uri("chk/chk-7")  # the one read
    assert compiler.compiles == 11  # 4 updates (new and applied SQL), the rescale, create, restart
    per_job = {call: n for call, n in flink.paths.items() if "/plan" not in call}
    assert max(per_job.values()) == 1, per_job  # no endpoint read twice, of any job
    assert flink.calls() == {
        "GET /overview": 1,
        "GET /jobmanager/config": 1,
        "GET /jobmanager/environment": 1,
        "GET /jobs/overview": 1,
        "GET /jobs/:id/config": 18,  # every active or recorded job listed, once
        "GET /jobs/:id/checkpoints": 1,  # the failed job's retained checkpoint
        "GET /jobs/:id/exceptions": 18,  # each managed run once: a root cause, or a restart loop
        "GET /jars": 1,
        "POST /jars/runner.jar/plan": 11,
    }
    assert reads == {
        "versions": 20,  # each job's versions once: its applied version and newest attempt
        "savepoints": 19,  # each applied job's savepoints: the newest, and who wrote the one
        "job_ids": 1,  # the job ids the store recorded: whose jobs are the project's
        "open_transitions": 1,
        "last_placed": 1,  # each job's newest placing transition, for the checkout's git
        "get_graphs": 1,
    }


def test_the_observed_identity_keys_the_cache_as_a_compiler_on_its_own_does() -> None:
    client = FlinkClient("http://flink.test:8081", transport=httpx.MockTransport(CountingFlink()))
    with Store(":memory:") as store:
        seen = observe(client, store, target="local", url="u", specs=[])
        assert seen.identity == cluster_identity(client)
        assert (
            observe(client, store, target="local", url="u", specs=[], identity=False).identity
            is None
        )


def test_observe_names_the_jobs_whose_newest_transition_the_checkout_lacks(tmp_path) -> None:
    """Two clones of one repository: the other clone's commit is not in this one's
    history, this clone's own and the shared first commit are; a job applied from the
    other clone is behind until this one pulls."""
    origin, mine, theirs = tmp_path / "origin", tmp_path / "mine", tmp_path / "theirs"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    git(tmp_path, "clone", "-q", str(origin), str(mine))
    (mine / "a.txt").write_text("1")
    shared = commit(mine, "first")
    git(mine, "push", "-q", "origin", "main")
    git(tmp_path, "clone", "-q", str(origin), str(theirs))
    (theirs / "a.txt").write_text("2")
    other = commit(theirs, "theirs", author="Bo <bo@example.com>")
    client = FlinkClient("http://flink.test:8081", transport=httpx.MockTransport(CountingFlink()))
    with Store(":memory:") as store:
        rows = [
            ("in-sync", shared, "applied"),
            ("theirs", other + "-dirty", "applied"),
            ("suspended-by-them", other, "suspended"),
            ("failed-theirs", shared, "applied"),
        ]
        for job, sha, outcome in rows:
            store.append_history(
                HistoryRecord("local", job, 1, "create", Outcome(outcome), git_commit=sha,
                              git_author="Bo <bo@example.com>")
            )  # fmt: skip
        store.append_history(  # a failed attempt leaves the job as it was: not counted
            HistoryRecord("local", "failed-theirs", 2, "update", Outcome.ROLLED_BACK,
                          git_commit=other)
        )  # fmt: skip
        seen = observe(client, store, target="local", url="u", specs=[], checkout=mine)
        assert sorted(seen.behind) == ["suspended-by-them", "theirs"]
        b = seen.behind["suspended-by-them"]
        assert (b.version, b.commit, b.author, b.known) == (1, other, "Bo <bo@example.com>", True)
        assert observe(client, store, target="local", url="u", specs=[]).behind == {}
        git(theirs, "push", "-q", "origin", "main")  # this clone pulls their commit
        git(mine, "pull", "-q", "--ff-only", "origin", "main")
        assert observe(client, store, target="local", url="u", specs=[], checkout=mine).behind == {}


def test_a_running_job_that_keeps_restarting_is_blocked_with_its_root_cause(
    make_spec, tmp_path
) -> None:
    """Issue 22: a job in sync that failed RESTART_LOOP times of its own since it started
    is shown blocked (apply leaves it alone), with Flink's newest root cause; fewer
    failures, or failures the cluster caused, leave it a no-op."""
    from flinkops.plan.observe import RESTART_LOOP

    def entry(n: int, why: str) -> dict:
        return {"exceptionName": "x", "stacktrace": f"x\nCaused by: {why} {n}", "timestamp": n}

    for failures, infra, blocked in (
        (RESTART_LOOP, False, True),
        (RESTART_LOOP - 1, False, False),
        (RESTART_LOOP, True, False),
    ):
        flink = _FailingFlink()
        spec = make_spec("loopy")
        job_id = flink.add("loopy", "RUNNING", JobIdentity("loopy", 1, spec.spec_hash, "local"))
        why = "java.lang.NumberFormatException: boom"
        if infra:
            why = (
                "org.apache.flink.runtime.jobmaster.JobMasterException: "
                "TaskManager with id tm is no longer reachable."
            )
        flink.entries = [entry(n, why) for n in range(failures, 0, -1)]
        client = FlinkClient("http://f.test", transport=httpx.MockTransport(flink), retries=0)
        with Store(tmp_path / f"s{failures}{infra}.db") as store:
            store.record_version(version_record(spec, "local", outcome="applied", job_id=job_id))
            plan = make_plan(
                client, store, target="local", url="http://f.test", specs=[spec],
                check_compat=False,
            )  # fmt: skip
        change = plan.change("loopy")
        assert (change.action is Action.BLOCKED) is blocked, change
        if blocked:
            assert change.blocked is not None and change.blocked.restarts == RESTART_LOOP
            assert "keeps restarting" in change.reason and "boom 3" in change.blocked.root_cause


class _FailingFlink(FakeFlink):
    """``FakeFlink`` whose jobs' exception history is ``entries`` (newest first)."""

    entries: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/exceptions"):
            history = {"entries": self.entries}
            return httpx.Response(200, json={"exceptionHistory": history})
        return super().__call__(request)
