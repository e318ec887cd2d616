"""`flinkops import`: adopt a job started outside flinkops, without restarting it.

A job someone started with the Flink CLI or ``POST /jars/:id/run`` carries no
flinkops identity, so ``status`` lists it as unmanaged and plan leaves it alone.
Import takes it over where it runs:

1. ``read_unmanaged`` reads what Flink gives back of each active unmanaged job
   (``GET /jobs/:id/config``: parallelism and global job parameters;
   ``/checkpoints/config``; ``/plan``: the job graph). A job whose id the store already
   recorded is not unmanaged: it was adopted before (``flink.live.Scope.owns``, the
   rule that makes any job the store recorded the project's).
2. ``adopt`` writes a spec around the SQL the user gives (Flink cannot give the SQL
   back; the document is ``_adopted_spec.py``'s), loads it as every spec is loaded,
   compiles it with the cluster's planner and compares the graph with the running
   job's by plan's own rule list (``plan.compat.compare_graphs``). Anything that holds
   state and differs (a verdict worse than preserved) refuses the import and removes
   the file it wrote; nothing is recorded.
3. Under the target's apply lock, the store records version 1 as ``adopted`` with the
   job's id, the commit and author of the spec's files. The job is not touched:
   ``plan.rescale.in_place_versions`` makes the store speak for it (managed under the
   spec's name, version 1, the spec's hash), so the next plan is a no-op, and its first
   update is a savepoint update that submits it with flinkops's identity.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flinkops.apply._adopted_spec import adopted_configuration, spec_document, spec_name_of
from flinkops.apply.history import adopted_row
from flinkops.apply.versions import reserve_version
from flinkops.errors import FlinkError, ImportRefused
from flinkops.flink.live import LiveJob, Ownership, read_jobs
from flinkops.flink.rest import FlinkClient
from flinkops.ops import checkpoint_config
from flinkops.plan import Compat, StateImpact
from flinkops.plan.compat import compare_graphs
from flinkops.plan.compiler import Compiler, CompileRequest, portable_graph
from flinkops.plan.scope import project_scope
from flinkops.spec import JobSpec, load_project
from flinkops.store import Outcome, Store
from flinkops.workspace import Workspace

__all__ = [
    "Adopted",
    "RunningJob",
    "adopt",
    "check_graph",
    "find_unmanaged",
    "read_unmanaged",
    "sql_file_for",
]

_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_COUNTER = re.compile(r"\[\d+\]:")


@dataclass(frozen=True)
class RunningJob:
    """An unmanaged job as far as Flink gives it back."""

    job_id: str
    name: str
    state: str
    start_time: int | None
    parallelism: int | None
    configuration: dict[str, str]
    graph: dict[str, Any]

    @property
    def operators(self) -> list[str]:
        """Each vertex of the job graph as one line: its chained operators, in order."""
        out = []
        for node in self.graph.get("nodes") or []:
            parts = str(node.get("description", "")).split("<br/>")
            ops = [_COUNTER.sub("", p).lstrip(" +-").strip() for p in parts]
            out.append(" -> ".join(o for o in ops if o))
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "name": self.name,
            "spec_name": spec_name_of(self.name),
            "state": self.state,
            "start_time": self.start_time,
            "parallelism": self.parallelism,
            "configuration": self.configuration,
            "operators": self.operators,
        }


def _parallelism(execution_config: Mapping[str, Any], graph: Mapping[str, Any]) -> int | None:
    """The job's parallelism; the widest vertex's when the job set none (-1)."""
    value = execution_config.get("job-parallelism")
    if isinstance(value, int) and value > 0:
        return value
    widths = [n.get("parallelism") for n in graph.get("nodes") or []]
    return max((w for w in widths if isinstance(w, int) and w > 0), default=None)


def _running_job(client: FlinkClient, job: LiveJob) -> RunningJob:
    config = client.job_config(job.job_id)
    graph = client.job_plan(job.job_id)
    try:
        checkpoints = checkpoint_config(client, job.job_id)
    except FlinkError:  # checkpointing off: Flink answers 404 on some versions
        checkpoints = {}
    return RunningJob(
        job_id=job.job_id,
        name=job.name,
        state=job.state,
        start_time=job.start_time,
        parallelism=_parallelism(config.execution_config, graph),
        configuration=adopted_configuration(config.user_config, checkpoints),
        graph=graph,
    )


def read_unmanaged(client: FlinkClient, store: Store, target: str) -> list[RunningJob]:
    """The target's active jobs that carry no flinkops identity and whose id the store
    never recorded (read in the store's scope, ``plan.scope.project_scope``, a job it
    recorded is managed: adopted before), newest first, each with what Flink gives back
    of it."""
    jobs = [
        j
        for j in read_jobs(client, project_scope(store, target, None))
        if j.active and j.ownership is Ownership.UNMANAGED
    ]
    return [_running_job(client, j) for j in jobs]


def sql_file_for(job: RunningJob, sql_dir: Path) -> Path | None:
    """``DIR/NAME.sql`` for the job's spec name, else for its Flink job name (``--all``)."""
    for stem in dict.fromkeys((spec_name_of(job.name), job.name)):
        if (path := sql_dir / f"{stem}.sql").is_file():
            return path
    return None


def find_unmanaged(jobs: Sequence[RunningJob], ref: str) -> RunningJob:
    """The unmanaged job with id ``ref``, else the one Flink job name ``ref`` names."""
    found = [j for j in jobs if j.job_id == ref] or [j for j in jobs if j.name == ref]
    if len(found) == 1:
        return found[0]
    if found:
        ids = ", ".join(j.job_id for j in found)
        raise ImportRefused(f"{len(found)} unmanaged jobs are named {ref!r} ({ids}): import by id")
    listed = ", ".join(f"{j.name} ({j.job_id})" for j in jobs) or "none"
    raise ImportRefused(
        f"no unmanaged running job {ref!r} on the target (unmanaged: {listed}); "
        "`flinkops import --list` shows them"
    )


@dataclass(frozen=True)
class Adopted:
    """What an import did: the spec it wrote and the version it recorded."""

    name: str
    job_id: str
    spec_path: Path
    version: int
    verdict: Compat

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "job_id": self.job_id,
            "spec": str(self.spec_path),
            "version": self.version,
            "outcome": Outcome.ADOPTED,
            "state": self.verdict.impact,
            "reasons": list(self.verdict.reasons),
        }


def _jobs_dir(ws: Workspace) -> Path:
    """The first directory the project's ``jobs:`` names (where a new spec goes)."""
    for entry in ws.project.model.jobs:
        where = ws.project.root / entry
        if where.is_dir():
            return where
    raise ImportRefused("flinkops.yaml's `jobs:` names no directory to write the spec into")


def _refuse_taken(ws: Workspace, name: str, path: Path) -> None:
    if not _NAME.match(name) or len(name) > 63:
        raise ImportRefused(f"{name!r} is not a job name (DNS-label style): give --name")
    if (spec := ws.spec(name)) is not None:
        raise ImportRefused(f"a spec named {name!r} exists ({spec.path}): give another --name")
    if ws.store.versions(ws.target, name):
        raise ImportRefused(
            f"the store already holds versions of {name!r} on target {ws.target} "
            f"(`flinkops history {name}`): give another --name"
        )
    if path.exists():
        raise ImportRefused(f"{path} exists and import never overwrites a file: give --name")


def _document(ws: Workspace, job: RunningJob, name: str, path: Path, sql_path: Path) -> str:
    sql_path = sql_path.resolve()
    inside = ws.project.root.resolve() in sql_path.parents
    return spec_document(
        name=name,
        job_id=job.job_id,
        job_name=job.name,
        target=ws.target,
        parallelism=job.parallelism,
        configuration=job.configuration,
        sql_file=os.path.relpath(sql_path, path.parent) if inside else None,
        sql=None if inside else sql_path.read_text(),
    )


def _loaded(ws: Workspace, name: str) -> JobSpec:
    """The written spec as every command loads it (the whole project, this target)."""
    project = load_project(ws.project.root, allow_empty=True)
    spec = next((s for s in project.jobs_for(ws.target) if s.name == name), None)
    if spec is None:
        raise ImportRefused(f"the spec written for {name!r} does not run on target {ws.target}")
    return spec


def check_graph(compiler: Compiler, job: RunningJob, spec: JobSpec) -> Compat:
    """Plan's state verdict on the running job's graph and the spec's compiled one;
    ImportRefused, saying what differs, unless the state is preserved."""
    compiled = compiler.compile(CompileRequest.of_spec(spec))
    if compiled.graph is None:
        raise ImportRefused(f"Flink's planner rejected the SQL given for {spec.name}: "
                            f"{compiled.error}")  # fmt: skip
    running = portable_graph(job.graph, frozenset(spec.secrets))
    verdict = compare_graphs(
        running, compiled.graph, allow_non_restored_state=spec.allow_non_restored_state
    )
    if verdict.impact is not StateImpact.PRESERVED:
        raise ImportRefused(
            f"the SQL given for {spec.name} does not compile to the running job "
            f"{job.job_id}'s stateful operators ({verdict.impact}): "
            + "; ".join(verdict.reasons)
            + "; give the SQL the job was started with"
        )
    return verdict


def adopt(ws: Workspace, job: RunningJob, sql_path: Path, *, name: str | None = None) -> Adopted:
    """Write ``job``'s spec around the SQL at ``sql_path``, check it against the running
    graph and record it as version 1, adopted; the job keeps running. ImportRefused
    (nothing written, nothing recorded) when the name is taken or the graphs differ."""
    name = name or spec_name_of(job.name)
    path = _jobs_dir(ws) / f"{name}.yaml"
    _refuse_taken(ws, name, path)
    text = _document(ws, job, name, path, sql_path)
    with path.open("x") as f:
        f.write(text)
    try:
        spec = _loaded(ws, name)
        verdict = check_graph(ws.compiler(), job, spec)
        with ws.store.acquire_lock(ws.target), ws.store.atomic():
            reserve_version(ws.store, ws.target, spec, 1, None)
            message = f"adopted running job {job.job_id} ({job.name!r}) by flinkops import"
            ws.store.update_version(
                ws.target, name, 1, outcome=Outcome.ADOPTED, job_id=job.job_id, message=message
            )
            recorded = ws.store.version(ws.target, name, 1)
            assert recorded is not None  # reserved just above, in the same atomic()
            ws.store.append_history(adopted_row(recorded, job.job_id, message))
            ws.store.add_event(
                ws.target, name, "adopt",
                f"adopted running job {job.job_id} as version 1; it was not restarted",
                details={"job_id": job.job_id, "flink_name": job.name},
            )  # fmt: skip
    except BaseException:  # refused, or anything else: leave no spec behind
        path.unlink(missing_ok=True)
        raise
    return Adopted(name, job.job_id, path, 1, verdict)
