"""Factory fixtures for pure planning tests: specs, live jobs, applied versions.

``make_spec`` builds a JobSpec without touching disk; ``make_live_job`` a job as
the cluster shows it (managed, carrying the spec's identity, unless told);
``make_applied`` what the version store knows of a spec.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flinkops.flink.live import LiveJob
from flinkops.plan import Applied
from flinkops.spec import JobSpec, SpecModel

SUM_SQL = """\
CREATE TABLE src (k INT, v INT) WITH ('connector' = 'datagen');
CREATE TABLE snk (k INT, total INT) WITH ('connector' = 'blackhole');
INSERT INTO snk SELECT k, SUM(v) FROM src GROUP BY k;
"""

MAX_SQL = SUM_SQL.replace("SUM(v)", "MAX(v)")
FILTER_SQL = SUM_SQL.replace("FROM src GROUP BY k", "FROM src WHERE v > 0 GROUP BY k")


@pytest.fixture
def make_spec() -> Callable[..., JobSpec]:
    """``make_spec(name, sql=..., state=..., savepoint_dir=..., **settings)``.

    Settings are SpecModel fields by their Python names (``upgrade_mode``,
    ``parallelism``, ``flink_configuration``, ``allow_non_restored_state``).
    ``savepoint_dir`` defaults to a directory, so savepoints are possible unless
    a test passes ``savepoint_dir=None``.
    """

    def make(
        name: str = "job-a",
        *,
        sql: str = SUM_SQL,
        savepoint_dir: str | None = "file:///tmp/savepoints",
        secrets: frozenset[str] = frozenset(),
        env_refs: tuple[tuple[str, str], ...] = (),
        **settings: Any,
    ) -> JobSpec:
        model = SpecModel(sql=sql, savepoint_dir=savepoint_dir, **settings)
        return JobSpec(
            name=name,
            labels={},
            model=model,
            sql=sql,
            path=Path(f"jobs/{name}.yaml"),
            line=1,
            sql_path=Path(f"jobs/{name}.yaml"),
            sql_line=6,
            sql_col=5,
            secrets=secrets,
            target="local",
            env_refs=env_refs,
        )

    return make


@pytest.fixture
def make_live_job() -> Callable[..., LiveJob]:
    """``make_live_job(spec_or_name, state="RUNNING", version=1, ...)``: a managed job.

    Given a JobSpec, the job carries its name and spec hash; ``managed=False``
    makes an unmanaged job (no identity).
    """
    ids = itertools.count(1)

    def make(
        spec: JobSpec | str = "job-a",
        *,
        state: str = "RUNNING",
        version: int | None = 1,
        spec_hash: str | None = None,
        managed: bool = True,
        job_id: str | None = None,
        start_time: int | None = None,
    ) -> LiveJob:
        n = next(ids)
        name = spec if isinstance(spec, str) else spec.name
        if spec_hash is None and isinstance(spec, JobSpec):
            spec_hash = spec.spec_hash
        return LiveJob(
            job_id=job_id or f"{n:032x}",
            name=name,
            state=state,
            start_time=start_time if start_time is not None else 1_700_000_000_000 + n,
            managed_name=name if managed else None,
            version=version if managed else None,
            spec_hash=(spec_hash or "0" * 16) if managed else None,
        )

    return make


@pytest.fixture
def make_applied() -> Callable[..., Applied]:
    """``make_applied(spec, version=1, outcome="applied", savepoint=None)``: the store's record.

    The record holds the spec as apply stores it (``JobSpec.portable``: secrets from
    the environment as ``${env:NAME}``, others masked).
    """

    def make(
        spec: JobSpec,
        *,
        version: int = 1,
        outcome: str = "applied",
        savepoint: str | None = None,
        job_id: str | None = None,
    ) -> Applied:
        return Applied(
            version=version,
            spec_hash=spec.spec_hash,
            sql=spec.portable(spec.sql),
            spec=spec.portable(spec.to_json(redacted=False)),
            outcome=outcome,
            savepoint=savepoint,
            job_id=job_id,
        )

    return make
