"""The adapters a command needs, built once from the project and a target name, and the
sequence plan, apply and rollback share: read the live state, build the plan."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flinkops.errors import PlanError
from flinkops.flink.live import Scope
from flinkops.flink.rest import FlinkClient, redact_url
from flinkops.redact import redact
from flinkops.spec import JobSpec, Project, load_project
from flinkops.store import Store

if TYPE_CHECKING:
    from flinkops.plan import Plan, PlanOptions, RehearseSettings
    from flinkops.plan.compiler import Compiler
    from flinkops.plan.observe import Rehearse

__all__ = ["LOCAL_REHEARSAL", "Workspace", "open_workspace"]

#: ``rehearse: {target: local}``: rehearsals on a cluster started on this machine (unless
#: a target has that name).
LOCAL_REHEARSAL = "local"


@dataclass
class Workspace:
    """``url`` is safe to print (no ``user:password@``); the client gets the real one."""

    project: Project
    target: str
    raw_url: str
    #: the old cluster of a migration when the store did not record it (``--from-url``)
    from_url: str | None = None
    _closers: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str:
        return redact_url(self.raw_url)

    @cached_property
    def client(self) -> FlinkClient:
        client = FlinkClient(self.raw_url, headers=self.project.headers(self.target))
        self._closers.append(client)
        return client

    @property
    def plan_dir(self) -> Path:
        """Where pinned compiled plans are written for the JobManager (``compiledPlan: pin``,
        ``apply/_pinned.py``)."""
        return self.project.root / ".flinkops" / "compiled-plans"

    def connect(self, url: str) -> FlinkClient:
        """A client of another cluster (a migration's old one), with the target's headers;
        the caller closes it."""
        return FlinkClient(url, headers=self.project.headers(self.target))

    @cached_property
    def store(self) -> Store:
        store = Store(self.project.store_location)
        self._closers.append(store)
        return store

    @cached_property
    def specs(self) -> list[JobSpec]:
        return self.project.jobs_for(self.target)

    def spec(self, name: str) -> JobSpec | None:
        return next((s for s in self.specs if s.name == name), None)

    def require_jobs(self, names: Sequence[str]) -> None:
        """PlanError naming those of ``names`` (``--job``) that are no job of this target."""
        unknown = sorted(set(names) - {s.name for s in self.specs})
        if unknown:
            raise PlanError(f"--job: no job named {', '.join(unknown)} on target {self.target}")

    def compiler(self, *, concurrency: int | None = None, cache: bool | None = None) -> Compiler:
        """The compiler for this target: arguments, else the environment, else the
        target's then the project's ``compile`` settings (flinkops.plan.compiler)."""
        from flinkops.plan.compiler import Compiler, CompileSettings

        layers = (self.project.targets[self.target].compile, self.project.model.compile)
        settings = CompileSettings.resolve(
            *(c.model_dump(exclude_none=True) for c in layers if c is not None),
            concurrency=concurrency,
            cache=cache,
        )
        return Compiler(self.client, self.store, settings)

    def make_plan(
        self,
        *,
        specs: Sequence[JobSpec] | None = None,
        prune: bool = False,
        only: Sequence[str] | None = None,
        check_compat: bool = True,
        retry_failed: bool = False,
        allow_behind: bool = False,
        compile_concurrency: int | None = None,
        compile_cache: bool | None = None,
        rehearse: Rehearse | None = None,
        options: PlanOptions | None = None,
    ) -> Plan:
        """The plan of ``specs`` (default: the target's) against what the cluster and
        the store say now (``plan.observe.make_plan`` with this workspace's adapters,
        the project directory as the git checkout a job may be behind); ``rehearse``
        rehearses its changes (``plan --rehearse``)."""
        from flinkops.plan.observe import make_plan

        return make_plan(
            self.client,
            self.store,
            target=self.target,
            url=self.url,
            specs=self.specs if specs is None else specs,
            prune=prune,
            only=only,
            check_compat=check_compat,
            retry_failed=retry_failed,
            compiler=self.compiler(concurrency=compile_concurrency, cache=compile_cache),
            root=self.project.root,
            allow_behind=allow_behind,
            project=self.project.project_id,
            rehearse=rehearse,
            options=options,
            connect=self.connect,
            from_url=self.from_url,
        )

    def rehearse_settings(
        self,
        asked: str | None = None,
        *,
        timeout: float | None = None,
        keep: bool = False,
        applying: bool = False,
    ) -> RehearseSettings | None:
        """How this target's changes are rehearsed, or None when they are not: ``asked``
        (``--rehearse[=savepoint|checkpoint]``), else the target's then the project's
        ``rehearse:`` (a target's keys win; ``applying``: apply's, unless ``onApply:
        false``). ``timeout`` and ``keep`` from the command line win over the files'."""
        from flinkops.plan import RehearseSettings, SnapshotKind
        from flinkops.spec import parse_duration

        merged: dict[str, Any] = {}
        for layer in (self.project.model.rehearse, self.project.targets[self.target].rehearse):
            if isinstance(layer, bool):
                merged["enabled"] = layer
            elif layer is not None:
                merged.update(layer.model_dump(exclude_none=True))
        enabled = bool(merged.get("enabled")) and (not applying or merged.get("on_apply", True))
        if asked is None and not enabled:
            return None
        target = merged.get("target")
        if target not in (None, LOCAL_REHEARSAL, *self.project.targets):
            raise PlanError(
                f"rehearse: target {target!r} is not a target of this project (nor "
                f"{LOCAL_REHEARSAL!r}: a cluster started on this machine)"
            )
        return RehearseSettings(
            snapshot=SnapshotKind(asked or merged.get("snapshot") or "savepoint"),
            timeout=timeout if timeout is not None else parse_duration(merged.get("timeout", 120)),
            keep=keep or bool(merged.get("keep")),
            concurrency=int(merged.get("concurrency", 1)),
            target=target,
        )

    def rehearsal_client(self, settings: RehearseSettings) -> FlinkClient:
        """The client of the cluster that runs rehearsals: the settings' target's, else
        this target's own; ``local`` (when no target has that name) a cluster started on
        this machine for this command and stopped with the workspace."""
        if settings.target is None or settings.target == self.target:
            return self.client
        if settings.target not in self.project.targets:
            return self._local_cluster(settings)
        url = self.project.targets[settings.target].url
        client = FlinkClient(url, headers=self.project.headers(settings.target))
        self._closers.append(client)
        return client

    def _local_cluster(self, settings: RehearseSettings) -> FlinkClient:
        """A local Flink cluster for rehearsals, in a temporary directory, with slots for
        ``concurrency`` rehearsals of the widest job; stopped (by PID) and removed when
        the workspace closes. It must read the snapshots' storage (``file://`` here)."""
        import shutil
        import tempfile

        from flinkops.flink.local import LocalCluster, free_port

        directory = Path(tempfile.mkdtemp(prefix="flinkops-rehearsal-"))
        cluster = LocalCluster(directory)
        widest = max((s.parallelism or 1 for s in self.specs), default=1)

        class _Stop:
            def close(self) -> None:
                cluster.down()
                shutil.rmtree(directory, ignore_errors=True)

        self._closers.append(_Stop())
        info = cluster.up(port=free_port(), slots=widest * settings.concurrency, timeout=180)
        client = FlinkClient(info.url)
        self._closers.append(client)
        return client

    @cached_property
    def scope(self) -> Scope:
        """Which of the cluster's jobs are this project's on the target (``plan.scope``):
        the ops views read jobs with it, so they show other projects' jobs as foreign."""
        from flinkops.plan.scope import project_scope

        return project_scope(
            self.store, self.target, self.project.project_id, names=(s.name for s in self.specs)
        )

    def redact(self, value: Any) -> Any:
        return redact(value, self.project.secrets)

    def close(self) -> None:
        for closer in reversed(self._closers):
            closer.close()
        self._closers.clear()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_workspace(
    project_dir: Path | None, target: str | None, *, allow_empty: bool = False
) -> Workspace:
    """The workspace of the project (``allow_empty``: it may hold no job spec yet)."""
    project = load_project(project_dir, allow_empty=allow_empty)
    name, tgt = project.target(target)
    return Workspace(project=project, target=name, raw_url=tgt.url)
