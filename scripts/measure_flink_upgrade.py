"""Measure whether the example jobs' Flink 1.20 state restores into Flink 2.3, with and
without compiled plans (issue 26). Not part of the test suite: run it by hand through
``scripts/measure-flink-upgrade.sh`` (which makes the 1.20 environment the way
``scripts/test-flink-1.20.sh`` does) and copy its table into DESIGN.md.

Two local clusters side by side, Flink 1.20 and Flink 2.3 (``apache-flink-libraries``),
sharing this machine's disk (so both reach the savepoints). Two runs:

1. **savepoint only** — what a flinkops migration does: a project with the example jobs
   (``jobs/``, every one set running) is applied on the 1.20 cluster; its target's url
   then points at the 2.3 cluster and ``flinkops plan`` / ``flinkops apply`` migrate each
   job (stop with a savepoint on 1.20, submit on 2.3 from it; a failed restore resumes the
   1.20 job). The plan and the apply output are printed as they ran.
2. **compiled plan** — each job's INSERT compiled on 1.20 (``COMPILE PLAN 'f' FOR ...``)
   and run from it there (``EXECUTE PLAN 'f'``), stopped with a savepoint, and the same
   JSON plan executed on 2.3 from that savepoint (``EXECUTE PLAN 'f'``), through the SQL
   runner directly.
3. **pinned** — run 1 with ``compiledPlan: pin`` in every spec: the 1.20 apply compiles
   and keeps each plan, and the migration submits it on 2.3.

For each job it prints whether the 2.3 job restored the savepoint (Flink's
``latest.restored``) and runs, or Flink's own error. Usage:

    python scripts/measure_flink_upgrade.py --old-home FLINK_1_20_HOME [--new-home HOME]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flinkops.errors import FlinkError
from flinkops.flink.identity import JobIdentity
from flinkops.flink.local import LocalCluster, free_port
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import submit_sql
from flinkops.spec import load_project
from flinkops.store import Store

ROOT = Path(__file__).resolve().parent.parent
TARGET = "upgrade"
SETTLE = 60.0  # seconds a restored job must stay RUNNING with every task to count


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--old-home", required=True, help="FLINK_HOME of Flink 1.20")
    args.add_argument("--new-home", default=None, help="FLINK_HOME of Flink 2.3 (default: .venv's)")
    args.add_argument("--keep", action="store_true", help="keep the work directory")
    args.add_argument(
        "--only", choices=("savepoint", "compiled", "pinned"), default=None, help="run one"
    )
    opts = args.parse_args()
    work = Path(tempfile.mkdtemp(prefix="flinkops-upgrade-"))
    old, new = LocalCluster(work / "flink-old"), LocalCluster(work / "flink-new")
    rows: list[dict[str, Any]] = []
    try:
        old_info = old.up(port=free_port(), slots=8, flink_home=opts.old_home, timeout=180)
        new_info = new.up(port=free_port(), slots=8, flink_home=opts.new_home, timeout=180)
        with FlinkClient(old_info.url, timeout=60) as a, FlinkClient(new_info.url, timeout=60) as b:
            print(f"old: Flink {a.version()} at {a.base_url}")
            print(f"new: Flink {b.version()} at {b.base_url}")
            project = _project(work / "project", a.base_url)
            if opts.only in (None, "savepoint"):
                rows += _savepoint_only(project, a, b, "savepoint (flinkops migrate)")
                _cancel_all(a)
                _cancel_all(b)
            if opts.only in (None, "compiled"):
                rows += _compiled_plans(project, a, b, work / "plans")
                _cancel_all(a)
                _cancel_all(b)
            if opts.only in (None, "pinned"):
                pinned = _project(work / "pinned", a.base_url, pin=True)
                rows += _savepoint_only(pinned, a, b, "compiledPlan: pin (flinkops migrate)")
    finally:
        old.down()
        new.down()
        if not opts.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("\n| job | state carried | restored into 2.3 | outcome on 2.3 |")
    print("|---|---|---|---|")
    for r in rows:
        print(f"| {r['job']} | {r['how']} | {r['restored']} | {r['outcome']} |")
    return 0


def _project(root: Path, url: str, *, pin: bool = False) -> Path:
    """The example jobs in a project of their own, every job running, on ``url``; with
    ``pin``, each with ``compiledPlan: pin``."""
    shutil.copytree(ROOT / "jobs", root / "jobs")
    for spec in (root / "jobs").glob("*.yaml"):
        text = spec.read_text().replace("state: suspended", "state: running")
        if pin:
            text = re.sub(r"(?m)^spec:\n", "spec:\n  compiledPlan: pin\n", text)
        spec.write_text(text)
    _point(root, url)
    return root


def _point(root: Path, url: str) -> None:
    (root / "flinkops.yaml").write_text(
        "apiVersion: flinkops/v1\nkind: Project\njobs: [jobs/]\nstore: state.db\n"
        f"defaultTarget: {TARGET}\ntargets:\n  {TARGET}:\n    url: {url}\n"
        "    health: {window: 10s, timeout: 180s}\n"
    )


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    cmd = [sys.executable, "-m", "flinkops", *args, "--project", str(root)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    print(f"$ flinkops {' '.join(args)}   (exit {done.returncode})\n{done.stdout}{done.stderr}")
    return done


def _savepoint_only(
    root: Path, old: FlinkClient, new: FlinkClient, how: str
) -> list[dict[str, Any]]:
    """A flinkops migration of the example jobs from 1.20 to 2.3."""
    if _cli(root, "apply", "--auto-approve").returncode != 0:
        raise SystemExit("the example jobs did not start on Flink 1.20")
    _point(root, new.base_url)
    _cli(root, "plan")
    done = _cli(root, "apply", "--auto-approve", "--format", "json")
    results = json.loads(done.stdout)["results"] if done.stdout.strip() else []
    rows = []
    with Store(str(root / "state.db")) as store:
        for r in results:  # what each migration's submit journaled (compiledPlan: pin)
            newest = store.transitions(TARGET, r["job"], limit=1)[0]
            ends = [e.data for e in newest.steps if e.step == "submit" and e.phase == "end"]
            if ends and "plan_kept" in ends[0]:
                print(f"{r['job']}: submitted on 2.3 from {ends[0]['compiled_plan']}, "
                      f"kept from Flink 1.20: {ends[0]['plan_kept']}")  # fmt: skip
    for r in results:
        restored = _restored(new, r["job_id"]) if r["status"] == "done" else None
        outcome = "RUNNING" if r["status"] == "done" else f"{r['status']}: {r['root_cause']}"
        rows.append(
            {"job": r["job"], "how": how,
             "restored": "yes" if restored else "no", "outcome": outcome[:300]}
        )  # fmt: skip
    return rows


def _compiled_plans(
    root: Path, old: FlinkClient, new: FlinkClient, plans: Path
) -> list[dict[str, Any]]:
    """Each job compiled and run from its JSON plan on 1.20, then the same plan on 2.3."""
    plans.mkdir(parents=True)
    rows = []
    for spec in load_project(root).jobs_for(TARGET):
        path = plans / f"{spec.name}.json"
        ddl = [s for s in spec.statements if not _is_insert(s)]
        inserts = [s for s in spec.statements if _is_insert(s)]
        body = inserts[0] if len(inserts) == 1 else _statement_set(inserts)
        compiled = [*ddl, f"COMPILE PLAN '{path}' FOR {body}", f"EXECUTE PLAN '{path}'"]
        row = {"job": spec.name, "how": "compiled plan (EXECUTE PLAN)"}
        try:
            first = _submit(old, spec, compiled, None)
            _running(old, first)
            savepoint = old.wait_savepoint(first, old.stop_with_savepoint(first, None))
            second = _submit(new, spec, [f"EXECUTE PLAN '{path}'"], savepoint)
            row |= _outcome(new, second)
        except (FlinkError, TimeoutError) as exc:
            row |= {"restored": "no", "outcome": f"refused: {str(exc)[:300]}"}
        print(row)
        rows.append(row)
    return rows


def _is_insert(sql: str) -> bool:
    head = sql.lstrip().upper()
    return head.startswith(("INSERT", "EXECUTE STATEMENT SET", "BEGIN STATEMENT SET"))


def _statement_set(inserts: list[str]) -> str:
    return "STATEMENT SET BEGIN " + " ".join(f"{s.rstrip(';')};" for s in inserts) + " END"


def _submit(client: FlinkClient, spec: Any, statements: list[str], savepoint: str | None) -> str:
    """Submit through the SQL runner; the job of that name when jars/run errs after the
    plan's own submission (EXECUTE PLAN submits from inside the program)."""
    identity = JobIdentity(spec.name, 1, "measure", TARGET)
    before = {j.id for j in client.jobs()}
    try:
        return submit_sql(
            client, job_name=spec.name, statements=statements, identity=identity,
            parallelism=1, flink_configuration=dict(spec.flink_configuration),
            savepoint_path=savepoint,
        )  # fmt: skip
    except FlinkError as exc:
        started = [j for j in client.jobs() if j.id not in before]
        if not started:
            raise
        print(f"{spec.name}: jars/run answered an error, yet job {started[0].id} started: {exc}")
        return started[0].id


def _running(client: FlinkClient, job_id: str, timeout: float = 120) -> None:
    """RUNNING with every task RUNNING (a savepoint needs every task), then ten seconds
    more so that the savepoint holds some state (a measurement, not a test)."""

    def probe() -> bool:
        job = client.job(job_id)
        return job.state == "RUNNING" and all(v.status == "RUNNING" for v in job.vertices)

    _until(probe, f"{job_id} running with every task", timeout)
    time.sleep(10)


def _until(probe: Callable[[], bool], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached in {timeout:g}s")
        time.sleep(1)


def _restored(client: FlinkClient, job_id: str | None) -> str | None:
    if not job_id:
        return None
    restored = client.checkpoints(job_id).latest.restored
    return restored.external_path if restored else None


def _outcome(client: FlinkClient, job_id: str) -> dict[str, str]:
    """RUNNING for SETTLE seconds with every task and the savepoint restored, or how the
    job failed (Flink's root cause)."""
    deadline = time.monotonic() + SETTLE
    while time.monotonic() < deadline:
        job = client.job(job_id)
        if job.state in ("FAILED", "RESTARTING") or client.exceptions(job_id).history:
            cause = client.exceptions(job_id).root_cause or job.state
            return {"restored": "no", "outcome": f"{job.state}: {cause[:300]}"}
        time.sleep(2)
    restored = _restored(client, job_id)
    return {"restored": "yes" if restored else "no", "outcome": client.job(job_id).state}


def _cancel_all(client: FlinkClient) -> None:
    for job in client.jobs():
        if job.state not in ("FINISHED", "CANCELED", "FAILED"):
            client.cancel(job.id)
    _until(
        lambda: all(j.state in ("FINISHED", "CANCELED", "FAILED") for j in client.jobs()),
        "every job ended",
        120,
    )


if __name__ == "__main__":
    sys.exit(main())
