"""Tests matched to their jobs and checked, before any cluster is touched. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from flinkops.errors import Problem, SqlError
from flinkops.spec import JobSpec
from flinkops.sqltest._check import PreparedTest, prepare_test
from flinkops.sqltest._model import SqlTest
from flinkops.sqltest._run import SqlTestJob
from flinkops.sqltest._tables import read_job_tables

__all__ = ["prepare_all"]


def prepare_all(
    tests: Sequence[SqlTest], specs: Sequence[JobSpec], only: Sequence[str] = ()
) -> tuple[list[tuple[SqlTestJob, PreparedTest]], list[Problem]]:
    """Each test of the jobs ``only`` names (all when empty), checked against its job's SQL."""
    by_name = {s.name: s for s in specs}
    jobs: dict[str, SqlTestJob] = {}
    work: list[tuple[SqlTestJob, PreparedTest]] = []
    problems: list[Problem] = []
    for test in tests:
        if only and test.job not in only:
            continue
        spec = by_name.get(test.job)
        if spec is None:
            names = ", ".join(sorted(by_name)) or "none"
            problems.append(test.problem("/job", f"no job named {test.job!r} (jobs: {names})"))
            continue
        job = jobs.get(spec.name)
        if job is None:
            try:
                job = _test_job(spec)
            except SqlError as exc:
                problems.append(test.problem("/job", f"the job's SQL does not parse: {exc}"))
                continue
            jobs[spec.name] = job
        if job.tables.undeclared:
            listed = ", ".join(job.tables.undeclared)
            problems.append(
                test.problem(
                    "/job", f"tables not created in the job's SQL cannot be replaced: {listed}"
                )
            )
            continue
        prepared, found = prepare_test(test, job.tables)
        problems.extend(found)
        if prepared is not None:
            work.append((job, prepared))
    return work, problems


def _test_job(spec: JobSpec) -> SqlTestJob:
    return SqlTestJob(
        spec.name,
        read_job_tables(spec.name, spec.sql),
        spec.parallelism,
        dict(spec.flink_configuration),
    )
