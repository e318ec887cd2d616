"""History rows as the runner appends them (apply/history.py), on the fake cluster:
two rollbacks to one version are two rows, a suspend is a row with its commit."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from flinkops.spec import JobSpec
from flinkops.store import Store
from tests.unit.apply.test_step_runner import World, agg
from tests.unit.conftest import MAX_SQL
from tests.unit.fake_flink import FakeFlink
from tests.unit.gitrepo import ANN, git
from tests.unit.gitrepo import commit as commit_all


def test_two_rollbacks_to_one_version_are_two_rows(tmp_path: Path, make_spec) -> None:
    fake = FakeFlink()
    world = World(fake, Store(tmp_path / "state.db"))
    assert world.apply([make_spec(**agg())]).ok
    [v1_job] = fake.active("agg")
    bad = [make_spec(**agg(sql=MAX_SQL)), make_spec(**agg(sql=MAX_SQL, parallelism=2))]
    jobs = []
    for spec in bad:
        fake.bad.add(spec.spec_hash)
        assert not world.apply([spec]).ok
        [running] = fake.active("agg")
        jobs.append(running)
    rows = world.store.history("local", "agg")
    assert [(h.seq, h.version, h.action, h.outcome) for h in rows] == [
        (1, 1, "create", "applied"),
        (2, 2, "update", "rolled-back"),
        (3, 1, "rollback", "applied"),
        (4, 3, "update", "rolled-back"),
        (5, 1, "rollback", "applied"),
    ]
    assert rows[0].job_id == v1_job.jid
    back = [rows[2], rows[4]]  # each rollback: its own job, and the savepoint it restored
    assert [h.job_id for h in back] == [j.jid for j in jobs]
    assert [h.restored_from for h in back] == [j.restored_from for j in jobs]
    assert len({h.job_id for h in back}) == 2 and all(h.restored_from for h in back)
    assert all(h.savepoint == h.restored_from for h in back)  # stopped, then restored
    failed = [rows[1], rows[3]]
    assert all(h.job_id and h.job_id not in {j.jid for j in jobs} for h in failed)
    # what the versions table says of version 1 is only the last rollback's
    assert world.store.version("local", "agg", 1).job_id == jobs[-1].jid
    world.store.close()


def test_a_suspend_by_commit_is_a_row_with_its_commit_and_author(tmp_path: Path, make_spec) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    world = World(FakeFlink(), Store(tmp_path / "state.db"))

    def commit(state: str, author: str) -> tuple[JobSpec, str]:
        path = repo / "agg.yaml"
        spec = replace(make_spec(**agg(state=state)), path=path, sql_path=path)
        spec.path.write_text(f"# agg, {state}\n")
        return spec, commit_all(repo, state, author=author)

    running, first = commit("running", ANN)
    assert world.apply([running]).ok
    suspended, second = commit("suspended", "Sam Suspend <sam@example.com>")
    assert world.apply([suspended]).ok
    rows = world.store.history("local", "agg")
    assert [(h.version, h.action, h.outcome, h.git_commit, h.git_author) for h in rows] == [
        (1, "create", "applied", first, ANN),
        (1, "suspend", "suspended", second, "Sam Suspend <sam@example.com>"),
    ]
    assert rows[1].savepoint and rows[1].job_id == rows[0].job_id
    # the version's own record keeps the commit it was applied from
    assert world.store.version("local", "agg", 1).git_commit == first
    world.store.close()


def test_an_adoption_is_a_row_with_the_adopted_version_and_the_job_it_runs(
    tmp_path: Path,
) -> None:
    from flinkops.apply.history import adopted_row
    from flinkops.store import Outcome, VersionRecord

    record = VersionRecord(
        "local", "agg", 1, "h1", "s", "c", {}, "INSERT ...", git_commit="abc123",
        git_author="Ann <ann@example.com>", outcome=Outcome.ADOPTED,
    )  # fmt: skip
    with Store(str(tmp_path / "state.db")) as store:
        store.record_version(record)
        store.append_history(adopted_row(record, "j" * 32, "adopted running job"))
        (row,) = store.history("local", "agg")
    assert (row.seq, row.version, row.action, row.outcome) == (1, 1, "adopt", Outcome.ADOPTED)
    assert (row.job_id, row.spec_hash, row.git_commit, row.git_author) == (
        "j" * 32, "h1", "abc123", "Ann <ann@example.com>",
    )  # fmt: skip
    assert row.places  # what the job is left as: adopted, running
