"""SQL the cluster's planner rejects is an error found before anything stops: against
the real local cluster, `plan` exits 1 with the error at the spec's file:line:col, and
`apply` exits 1 without touching any job (the running one keeps its id and takes no
savepoint; a new one is not submitted)."""

from __future__ import annotations

import json
import subprocess

from flinkops.store import Store
from tests.integration.apply.conftest import Project, stateful_sql

GOOD_FILE_SQL = """\
-- pages per id
CREATE TABLE src (id INT, v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '5');
CREATE TABLE snk (id INT, n BIGINT) WITH ('connector' = 'blackhole');
BEGIN STATEMENT SET;
INSERT INTO snk SELECT s.id, COUNT(*) FROM src AS s GROUP BY s.id;
END;
"""
VIEWS_SQL = """\
CREATE TABLE pages (id INT, views INT) WITH ('connector' = 'datagen', 'rows-per-second' = '5');
CREATE TABLE seen (id INT) WITH ('connector' = 'blackhole');
INSERT INTO seen SELECT id FROM pages;
"""


def _where(project: Project, file: str, needle: str) -> tuple[int, int]:
    """The 1-based line and column of ``needle`` in the project's ``file``."""
    lines = (project.root / file).read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if needle in text)
    return line, lines[line - 1].index(needle) + 1


def _plan(project: Project) -> tuple[subprocess.CompletedProcess[str], dict]:
    done = project.run("plan", "--format", "json")
    return done, json.loads(done.stdout)


def _refused(project: Project) -> str:
    done = project.apply()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "refusing to apply a plan with errors: Flink rejects the SQL of" in done.stderr
    assert "/jars/" not in done.stdout + done.stderr
    return done.stdout + done.stderr


def _savepoints(project: Project, job: str) -> int:
    with Store(project.root / ".flinkops/state.db") as store:
        return len(store.savepoints(project.target, job))


def test_an_update_flink_rejects_leaves_the_running_job_as_it_is(project: Project) -> None:
    project.write_job("agg", stateful_sql())
    done = project.apply()
    assert done.returncode == 0, done.stdout + done.stderr
    [before] = project.active("agg")

    project.write_job("agg", stateful_sql().replace("SUM(CAST(v AS", "SUM(CAST(vv AS"))
    line, column = _where(project, "jobs/agg.yaml", "vv AS")
    done, plan = _plan(project)
    assert done.returncode == 1, done.stdout + done.stderr
    (error,) = plan["errors"]
    assert (error["job"], error["file"], error["line"], error["column"]) == (
        "agg",
        "jobs/agg.yaml",
        line,
        column,
    )
    assert "Column 'vv' not found" in error["message"]
    assert "line" not in error["message"] and "/jars/" not in done.stdout
    (change,) = plan["changes"]
    assert (change["action"], change["steps"]) == ("rejected", [])
    text = project.run("plan").stdout
    assert f"Error: agg: jobs/agg.yaml:{line}:{column}: SQL validation failed." in text
    markdown = project.run("plan", "--format", "markdown").stdout
    assert "| **error** | `✗` | `agg` | rejected | v1 |" in markdown

    _refused(project)
    [after] = project.active("agg")
    assert (after.job_id, after.state) == (before.job_id, "RUNNING")
    assert project.client.checkpoints(after.job_id).latest.savepoint is None
    assert _savepoints(project, "agg") == 0
    assert [h["outcome"] for h in project.history("agg")] == ["applied"]


def test_a_create_flink_rejects_is_not_submitted_nor_any_other_job(project: Project) -> None:
    """A column named ``views`` (reserved in Flink SQL) passes the offline validate, not
    the cluster's planner; apply refuses the whole plan, the good job beside it too."""
    project.write_job("pages", VIEWS_SQL)
    project.write_job("agg", stateful_sql())
    line, column = _where(project, "jobs/pages.yaml", "views INT")
    offline = project.run("validate")
    assert offline.returncode == 0, offline.stderr
    online = project.run("validate", "--target", project.target)
    assert online.returncode == 1
    assert f"jobs/pages.yaml:{line}:{column}: Flink: SQL parse failed." in online.stderr

    done, plan = _plan(project)
    assert done.returncode == 1, done.stdout + done.stderr
    assert [(e["job"], e["line"], e["column"]) for e in plan["errors"]] == [("pages", line, column)]
    assert [(c["job"], c["action"]) for c in plan["changes"]] == [
        ("agg", "create"),
        ("pages", "rejected"),
    ]

    _refused(project)
    assert project.active("pages") == [] and project.active("agg") == []
    assert project.history("pages") == [] and project.history("agg") == []


def test_a_sql_file_flink_rejects_is_located_in_the_sql_file(project: Project) -> None:
    (project.root / "jobs" / "sql").mkdir()
    sql_file = project.root / "jobs" / "sql" / "counts.sql"
    sql_file.write_text(GOOD_FILE_SQL)
    (project.root / "jobs" / "counts.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: SqlJob\nmetadata:\n  name: counts\n"
        "spec:\n  parallelism: 1\n  sqlFile: sql/counts.sql\n"
    )
    done = project.apply()
    assert done.returncode == 0, done.stdout + done.stderr
    [before] = project.active("counts")

    # `order` is reserved: Flink's parser stops at it, inside the statement set
    sql_file.write_text(GOOD_FILE_SQL.replace("FROM src AS s", "FROM order AS s"))
    line, column = _where(project, "jobs/sql/counts.sql", "order AS s")
    done, plan = _plan(project)
    assert done.returncode == 1, done.stdout + done.stderr
    (error,) = plan["errors"]
    assert (error["file"], error["line"], error["column"]) == (
        "jobs/sql/counts.sql",
        line,
        column,
    )
    assert error["message"].startswith('SQL parse failed. Encountered "order"')

    _refused(project)
    [after] = project.active("counts")
    assert after.job_id == before.job_id
    assert project.client.checkpoints(after.job_id).latest.savepoint is None
    assert _savepoints(project, "counts") == 0
