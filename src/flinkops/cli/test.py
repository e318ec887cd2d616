"""`flinkops test`: run the SQL tests (``*.test.yaml``) of the project's jobs on Flink."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from flinkops.cli._common import (
    complete_job,
    emit_json,
    format_option,
    handle_errors,
    main,
    project_option,
    target_option,
)

if TYPE_CHECKING:
    from flinkops.flink.rest import FlinkClient
    from flinkops.sqltest import PreparedTest, SqlTestJob, SqlTestResult


@main.command()
@click.argument("jobs", nargs=-1, shell_complete=complete_job)
@project_option
@target_option
@format_option("text", "json", "markdown")
@click.option(
    "--junit",
    "junit",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the results as JUnit XML to FILE (for CI).",
)
@click.option(
    "--data-dir",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the given rows are written for the cluster to read: a directory the "
    "TaskManagers see at the same path (default: a temporary directory, fine for "
    "the local cluster).",
)
@click.option(
    "--workers",
    type=int,
    default=None,
    help="Tests run at once (default: the cluster's free slots, at least 1).",
)
@click.option(
    "--timeout",
    type=float,
    default=120.0,
    show_default=True,
    help="Seconds one test's Flink job may take.",
)
@handle_errors
def test(
    jobs: tuple[str, ...],
    project_dir: Path | None,
    target: str | None,
    fmt: str,
    junit: Path | None,
    data_dir: Path | None,
    workers: int | None,
    timeout: float,
) -> None:
    """Run the SQL tests (*.test.yaml) of the project's jobs on Flink; exit 1 if one fails.

    JOBS limits the run to those jobs' tests (default: every job with tests).

    Tests live in ``*.test.yaml`` files beside the job specs (under the directories
    ``jobs:`` names in flinkops.yaml; schema: schemas/test.schema.json), or under
    ``tests:`` in a job spec (beside ``spec:``, without ``job:``): per test, rows
    ``given`` for the job's source tables (by their name in the SQL) and rows it must
    ``expect`` in its sink tables. Each test runs the job's own SQL as a bounded Flink job:
    each source reads the given rows with its own schema, computed columns and watermark
    (the watermark reaches the end of input, so event-time windows fire); each sink prints
    its changelog, which is compared with the expectation: the final rows (upserted by the
    primary key) by default, or the changelog (+I -U +U -D); in any order unless
    ``ordered: true``. Only the columns an expected row names are compared.

    Test files are checked before any cluster is touched; each problem is shown as
    file:line:col. Exit 0 when every test passed, 1 otherwise.
    """
    from flinkops.errors import SpecError
    from flinkops.spec import find_test_files
    from flinkops.sqltest import load_spec_tests, load_test_files, prepare_all
    from flinkops.workspace import open_workspace

    ws = open_workspace(project_dir, target)
    ws.require_jobs(jobs)
    files = find_test_files(ws.project.root, list(ws.project.model.jobs))
    tests, problems = load_test_files(files, ws.project.root)
    in_specs, found = load_spec_tests([s.path for s in ws.project.jobs], ws.project.root)
    tests += in_specs
    problems += found
    work, found = prepare_all(tests, ws.specs, jobs) if not problems else ([], [])
    problems += found
    if problems:
        raise SpecError(problems)
    if not work:
        from flinkops.sqltest import to_json, to_markdown

        where = ", ".join(ws.project.model.jobs)
        click.echo(f"No SQL tests found (*.test.yaml under {where}).", err=True)
        if fmt == "json":
            emit_json(to_json([], 0.0))
        elif fmt == "markdown":
            click.echo(to_markdown([], 0.0))
        return
    with ws, tempfile.TemporaryDirectory(prefix="flinkops-test-", dir=data_dir) as tmp:
        _run(ws.client, work, Path(tmp), fmt, junit, workers, timeout)


def _run(
    client: FlinkClient,
    work: list[tuple[SqlTestJob, PreparedTest]],
    data_dir: Path,
    fmt: str,
    junit: Path | None,
    workers: int | None,
    timeout: float,
) -> None:
    from flinkops.sqltest import (
        Outcome,
        render_text,
        result_line,
        run_tests,
        to_json,
        to_junit,
        to_markdown,
    )

    total = len(work)
    done: list[SqlTestResult] = []
    if workers is None:  # each test's job takes its parallelism in slots
        widest = max((job.parallelism or 1) for job, _ in work)
        workers = max(1, client.overview().slots_available // widest)

    def progress(result: SqlTestResult) -> None:
        done.append(result)
        if fmt == "text":
            click.echo(f"[{len(done)}/{total}] {result_line(result)}", err=True)

    start = time.monotonic()
    results = run_tests(client, work, data_dir, workers=workers, timeout=timeout, progress=progress)
    seconds = time.monotonic() - start
    if junit is not None:
        junit.write_text(to_junit(results, seconds))
    if fmt == "json":
        emit_json(to_json(results, seconds))
    elif fmt == "markdown":
        click.echo(to_markdown(results, seconds))
    else:
        click.echo(render_text(results, seconds))
    sys.exit(0 if all(r.outcome is Outcome.PASSED for r in results) else 1)
