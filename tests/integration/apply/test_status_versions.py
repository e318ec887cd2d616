"""status and show report the version that runs, with a rolled-back one beside it.

The rolled-back version is made the real way: apply turns a GROUP BY's ``SUM`` into
``MAX, COUNT(*)`` (at-risk: flinkops cannot be sure), Flink refuses to restore the
savepoint into it, and apply puts the previous version back from the same savepoint.
"""

from __future__ import annotations

import json

from tests.integration.apply.conftest import Project, stateful_sql


def _json(project: Project, *args: str) -> dict:
    done = project.run(*args, "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def test_status_and_show_report_the_running_version_beside_a_rolled_back_one(
    project: Project,
) -> None:
    project.write_job("agg", stateful_sql())
    first = project.apply()
    assert first.returncode == 0, first.stdout + first.stderr
    project.write_job("agg", stateful_sql(count=True))
    failed = project.apply()
    assert failed.returncode == 1 and "rolled back to version 1" in failed.stdout, failed.stdout
    [running] = project.active("agg")
    history = [(h["version"], h["action"], h["outcome"]) for h in project.history("agg")]
    assert history == [
        (1, "create", "applied"),
        (2, "update", "rolled-back"),
        (1, "rollback", "applied"),  # history appends the version that runs again
    ]

    [row] = _json(project, "status")["jobs"]
    assert (row["job_id"], row["current"], row["in_sync"]) == (running.job_id, "RUNNING", False)
    assert (row["version"], row["version_source"]) == (1, "cluster")  # what runs, not v2
    newer = row["newer_version"]
    assert (newer["version"], newer["outcome"], newer["blocked"]) == (2, "rolled-back", True)
    text = project.run("status").stdout
    assert "v1 (v2 rolled back, blocked)" in text, text

    shown = _json(project, "show", "agg")
    assert (shown["version"], shown["newer_version"]["version"]) == (1, 2)
    assert shown["live"]["job_id"] == running.job_id and shown["ownership"] == "managed"
    assert "version v1 (v2 rolled back, blocked)" in project.run("show", "agg").stdout

    # a changed spec lifts the block: v2 is still shown beside v1, no longer blocked
    project.write_job("agg", stateful_sql(rate=7, count=True))
    [row] = _json(project, "status")["jobs"]
    assert (row["version"], row["newer_version"]["blocked"]) == (1, False)
    assert "v1 (v2 rolled back)" in project.run("status").stdout
