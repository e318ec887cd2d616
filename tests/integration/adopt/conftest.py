"""The apply tests' project on the session cluster (a target per test), reused here, and
jobs started the way a team starts them without flinkops: with Flink's own CLI.

``start_outside`` is ``flink run -d`` of a team's own jar (``LegacySqlJob.java``, compiled
once per session against the distribution's ``lib/``), a SQL file as its argument. The
``apache-flink-libraries`` distribution the tests run has no ``bin/`` scripts, and its
SQL client cannot start (the SQL gateway jar it needs is not in the package), so the CLI
is run as ``bin/flink`` runs it: ``java -cp lib/* org.apache.flink.client.cli.CliFrontend``
with its own ``FLINK_CONF_DIR`` and Flink's ``--add-opens`` for Java 17. The program's
job graph is built in that client JVM, not by the JobManager's ``/jars/:id/run``.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from flinkops.flink.local import ClusterInfo, FlinkHome, find_flink_home, find_java
from flinkops.flink.local._process import JAVA_OPENS
from tests.integration.apply.conftest import Project, project, restored_from, stateful_sql

__all__ = ["Project", "legacy_jar", "project", "restored_from", "start_outside", "stateful_sql"]

SOURCE = Path(__file__).with_name("LegacySqlJob.java")
CLI_CLASS = "org.apache.flink.client.cli.CliFrontend"
#: A short-lived client JVM on a busy machine: C1 only and the serial GC start it about 3x
#: faster than the defaults (measured: 20 s against 64 s at load 20 on 2 cores).
CLIENT_JVM = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
_SUBMITTED = re.compile(r"Job has been submitted with JobID ([0-9a-f]{32})")


def _flink_home() -> FlinkHome:
    """The distribution the session cluster runs (tests/integration/conftest.py)."""
    return find_flink_home(os.environ.get("FLINKOPS_TEST_FLINK_HOME") or None)


@pytest.fixture(scope="session")
def legacy_jar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The team's jar: LegacySqlJob compiled against the Flink distribution's lib/, once
    for all xdist workers of a run (their base temp dirs share a parent), by content."""
    home = _flink_home()
    key = hashlib.sha256(SOURCE.read_bytes() + home.version.encode()).hexdigest()[:12]
    cached = tmp_path_factory.getbasetemp().parent / f"legacy-sql-job-{key}.jar"
    if cached.is_file():
        return cached
    out = tmp_path_factory.mktemp("legacy-job")
    java, _ = find_java()
    javac, jar = (str(Path(java).resolve().with_name(t)) for t in ("javac", "jar"))
    for cmd in (
        [javac, *(f"-J{o}" for o in CLIENT_JVM), "--release", "11", "-cp", f"{home.lib}/*",
         "-d", str(out / "classes"), str(SOURCE)],
        [jar, "--create", "--file", str(out / "legacy-sql-job.jar"), "--main-class",
         "LegacySqlJob", "-C", str(out / "classes"), "."],
    ):  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    os.replace(out / "legacy-sql-job.jar", cached)  # atomic: a racing worker's is the same
    return cached


def flink_run(
    cluster: ClusterInfo,
    jar: Path,
    *args: str,
    parallelism: int,
    conf: Mapping[str, str],
    work: Path,
) -> list[str]:
    """``flink run -d -m HOST:PORT -p N -Dk=v... JAR ARGS``; the ids of the jobs it started."""
    conf_dir = work / "flink-conf"
    conf_dir.mkdir(exist_ok=True)
    port = cluster.url.rsplit(":", 1)[1].strip("/")
    (conf_dir / "config.yaml").write_text(f"rest.address: localhost\nrest.port: {port}\n")
    home = _flink_home()
    java, _ = find_java()
    done = subprocess.run(
        [java, *CLIENT_JVM, *JAVA_OPENS, "-cp", f"{home.lib}/*", CLI_CLASS,
         "run", "-d", "-m", f"localhost:{port}", "-p", str(parallelism),
         *(f"-D{k}={v}" for k, v in conf.items()), str(jar), *args],
        env={**os.environ, "FLINK_CONF_DIR": str(conf_dir), "FLINK_HOME": str(home.path)},
        cwd=work, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return _SUBMITTED.findall(done.stdout)


@pytest.fixture
def start_outside(
    flink_cluster: ClusterInfo, legacy_jar: Path, submitted_jobs: list[str], tmp_path: Path
) -> Callable[..., list[str]]:
    """``start(sql, parallelism=2)``: run the SQL file's statements with Flink's CLI (a
    ``SET 'pipeline.name' = '...'`` before each INSERT names its job); the job ids in
    the order the INSERTs come, cancelled at teardown by id."""

    def start(sql: str, *, parallelism: int = 2) -> list[str]:
        path = tmp_path / f"outside-{len(submitted_jobs)}.sql"
        path.write_text(sql)
        ids = flink_run(
            flink_cluster, legacy_jar, str(path), parallelism=parallelism, work=tmp_path,
            conf={"execution.checkpointing.interval": "2s",
                  "pipeline.global-job-parameters": "team:legacy"},
        )  # fmt: skip
        submitted_jobs.extend(ids)
        return ids

    return start
