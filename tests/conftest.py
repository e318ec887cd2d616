"""Shared fixtures: a project on disk built from small pieces; a PostgreSQL server."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.pgserver import REQUIRE_ENV, PgServer, find_bin_dir

if TYPE_CHECKING:
    from flinkops.spec import JobSpec
    from flinkops.store import VersionRecord

REPO = Path(__file__).resolve().parents[1]

PROJECT_YAML = """\
apiVersion: flinkops/v1
kind: Project
jobs: [jobs/]
defaultTarget: local
targets:
  local:
    url: http://localhost:8081
  prod:
    url: https://flink.example.com
    savepointDir: s3://bucket/savepoints
"""

JOB_SQL = """\
CREATE TABLE src (id INT, v INT) WITH ('connector' = 'datagen');
CREATE TABLE snk (id INT, total INT) WITH ('connector' = 'blackhole');
INSERT INTO snk SELECT id, SUM(v) FROM src GROUP BY id;
"""


def job_yaml(name: str = "job-a", *, sql: str = JOB_SQL, extra: str = "") -> str:
    """One SqlJob document; ``extra`` is indented under ``spec:``."""
    body = textwrap.indent(sql, "    ")
    extra = textwrap.indent(textwrap.dedent(extra), "  ") if extra else ""
    return (
        "apiVersion: flinkops/v1\nkind: SqlJob\n"
        f"metadata:\n  name: {name}\n"
        f"spec:\n{extra}  sql: |\n{body}"
    )


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup``: spread tests one by one, keeping ONE_WORKER_GROUPS together."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from tests.xdist_groups import PathGroupScheduling

    return PathGroupScheduling(config, log)


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """Write flinkops.yaml and job files (name -> text) into a fresh directory."""

    def make(files: dict[str, str] | None = None, project: str = PROJECT_YAML) -> Path:
        (tmp_path / "flinkops.yaml").write_text(project)
        (tmp_path / "jobs").mkdir(exist_ok=True)
        for name, text in (files if files is not None else {"a.yaml": job_yaml()}).items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text)
        return tmp_path

    return make


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A real PostgreSQL server for the session (tests/pgserver.py); always stopped."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        reason = (
            "PostgreSQL tests need the server binaries (initdb, postgres): none in "
            "/usr/lib/postgresql/*/bin or on PATH; install them (Debian: apt-get install "
            "postgresql)"
        )
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{REQUIRE_ENV} is set and {reason}")
        pytest.skip(reason)
    server = PgServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """A store URL (password in it) whose schema no other test uses."""
    return pg_server.url(pg_server.fresh_schema())


def version_record(
    spec: JobSpec, target: str, *, version: int = 1, **changes: Any
) -> VersionRecord:
    """``spec`` as apply records it (portable: secrets from the environment written back
    as ``${env:NAME}``, others masked); ``changes`` set outcome, job_id, savepoint..."""
    from flinkops.store import VersionRecord

    values: dict[str, Any] = {
        "target": target,
        "job": spec.name,
        "version": version,
        "spec_hash": spec.spec_hash,
        "sql_hash": spec.sql_hash,
        "config_hash": spec.config_hash,
        "spec": spec.portable(spec.to_json(redacted=False)),
        "sql": spec.portable(spec.sql),
        "outcome": "applied",
    }
    values.update(changes)
    return VersionRecord(**values)
