"""Install anywhere: the wheel built from this repository, installed in a fresh venv outside
it, gives a `flinkops` that starts a team's project from nothing and runs its example job
on a real local cluster.

Nothing is downloaded: the wheel is built with the test environment's setuptools
(``pip wheel --no-build-isolation --no-index``; setuptools>=77 is in the dev extra), and
installed with ``--no-deps --no-index`` into a venv that sees the test environment's
site-packages for its dependencies only (a ``.pth`` line adds that directory, whose own
``.pth`` files, this repository's editable install among them, are not read). The test
checks that ``flinkops`` is imported from the venv, so the schemas, the SQL runner's
source, the console's assets and init's templates all came from the wheel.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from flinkops.errors import LocalClusterError
from flinkops.flink.local import find_java, free_port

REPO = Path(__file__).resolve().parents[3]
DATA_FILES = [
    "flinkops/schemas/job.schema.json",
    "flinkops/schemas/project.schema.json",
    "flinkops/flink/runner/SqlRunner.java",
    "flinkops/ui/static/app.js",
    "flinkops/ui/templates/_graphs.html",
    "flinkops/scaffold/files/jobs/example.yaml",
    "flinkops/scaffold/files/github/workflows/flinkops-plan.yml",
    "flinkops/scaffold/files/gitignore",
]


def _run(*cmd: str | Path, cwd: Path, env: dict[str, str], timeout: float = 300):
    return subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip


def _build_wheel(tmp: Path) -> Path:
    setuptools = pytest.importorskip("setuptools")
    if int(setuptools.__version__.split(".")[0]) < 77:
        pytest.skip(f"building the wheel offline needs setuptools>=77 (dev extra), "
                    f"this environment has {setuptools.__version__}")  # fmt: skip
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(
        REPO / "src", source / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"),
    )  # fmt: skip
    done = _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "--no-index", "-w", tmp / "dist", source, cwd=tmp, env=dict(os.environ),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = (tmp / "dist").glob("flinkops-*.whl")
    return wheel


def _venv(tmp: Path, wheel: Path, env: dict[str, str]) -> Path:
    venv = tmp / "venv"
    done = _run(sys.executable, "-m", "venv", venv, cwd=tmp, env=env)
    assert done.returncode == 0, done.stderr
    python = venv / "bin" / "python"
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                   cwd=tmp, env=env).stdout.strip()  # fmt: skip
    # the test environment's site-packages, for the dependencies only (not this repo's src/)
    deps = [p for p in sys.path if Path(p).name == "site-packages"]
    Path(purelib, "_flinkops_test_deps.pth").write_text("".join(f"{p}\n" for p in deps))
    done = _run(python, "-m", "pip", "install", "--no-deps", "--no-index", wheel, cwd=tmp, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return venv


@contextlib.contextmanager
def _cluster_stopped(project: Path, flinkops: Path, env: dict[str, str]) -> Iterator[None]:
    """Stop `local up`'s cluster at the end: `local down`, then its recorded PIDs."""
    try:
        yield
    finally:
        _run(flinkops, "local", "down", cwd=project, env=env, timeout=60)
        state = project / ".flinkops" / "local" / "cluster.json"
        if state.is_file():
            for pid in json.loads(state.read_text()).get("pids", {}).values():
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(int(pid), signal.SIGKILL)


def test_wheel_installs_anywhere_and_runs_inits_example_job(tmp_path: Path) -> None:
    try:
        find_java()
    except LocalClusterError as exc:
        pytest.skip(f"local up needs Java 11+: {exc}")
    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [f for f in DATA_FILES if f not in names] == []

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["NO_COLOR"] = "1"
    venv = _venv(tmp_path, wheel, env)
    flinkops = venv / "bin" / "flinkops"
    where = _run(venv / "bin" / "python", "-c", "import flinkops; print(flinkops.__file__)",
                 cwd=tmp_path, env=env)  # fmt: skip
    assert where.stdout.strip().startswith(str(venv)), where.stdout + where.stderr

    project = tmp_path / "team-repo"  # an empty directory outside this repository
    project.mkdir()
    port = free_port()
    done = _run(flinkops, "init", "--target", f"local=http://localhost:{port}",
                "--format", "json", cwd=project, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert all(f["written"] for f in json.loads(done.stdout)["files"])
    done = _run(flinkops, "validate", cwd=project, env=env)
    assert done.returncode == 0, done.stdout + done.stderr

    with _cluster_stopped(project, flinkops, env):
        done = _run(flinkops, "local", "up", "--port", str(port), "--slots", "2",
                    cwd=project, env=env, timeout=240)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        plan = _run(flinkops, "plan", cwd=project, env=env)
        assert plan.returncode == 2, plan.stdout + plan.stderr  # 2: changes
        assert "example-orders" in plan.stdout and "create" in plan.stdout
        applied = _run(flinkops, "apply", "--auto-approve", cwd=project, env=env)
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert "example-orders: create done (version 1" in applied.stdout
        status = json.loads(_run(flinkops, "status", "--format", "json", cwd=project,
                                 env=env).stdout)  # fmt: skip
        (row,) = status["jobs"]
        assert (row["name"], row["current"]) == ("example-orders", "RUNNING")
        assert _run(flinkops, "plan", cwd=project, env=env).returncode == 0
