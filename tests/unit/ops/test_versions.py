"""Which version status and show report, and the newer one beside it (ops/_versions.py)."""

from __future__ import annotations

from tests.unit.ops.helpers import run, version


def test_version_view_cases(make_spec) -> None:
    from flinkops.ops._versions import VersionSource, version_view

    spec = make_spec()
    live = run("j", "RUNNING", name="job-a", spec_hash="h2", version=2)
    failed_run = run("j", "FAILED", name="job-a", spec_hash="h3", version=3)
    v = [version("job-a", 1, "applied", "h1"), version("job-a", 2, "applied", "h2")]
    changed = version("job-a", 3, "rolled-back", "other")  # the spec changed since: not blocked
    view = version_view(live, [*v, changed], spec)
    assert (view.version, view.source, view.newer.version, view.blocked) == (
        2, VersionSource.CLUSTER, 3, False,
    )  # fmt: skip
    assert version_view(live, v, spec).newer is None
    stopped = version_view(failed_run, [*v, version("job-a", 3, "failed", spec.spec_hash)], spec)
    assert (stopped.version, stopped.source, stopped.newer.outcome) == (
        2, VersionSource.STORE, "failed",
    )  # fmt: skip
    assert version_view(failed_run, [], spec).source is VersionSource.LAST_RUN
    assert version_view(None, [], spec).to_json() == {
        "version": None,
        "version_source": None,
        "newer_version": None,
    }
