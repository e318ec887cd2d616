"""Jobs as the REST API shows them: the overview's rows, a job's details, vertices, config."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flinkops.flink.identity import JobIdentity
from flinkops.flink.models._fields import Json, as_int, ms

__all__ = ["JobConfig", "JobDetails", "JobSummary", "Vertex"]


def _run_fields(d: Json) -> dict[str, Any]:
    """The fields a job's overview row and its details share: id, name, state, times."""
    return {
        "id": str(d.get("jid", "")),
        "name": str(d.get("name", "")),
        "state": str(d.get("state", "")),
        "start_time": ms(d.get("start-time")),
        "end_time": ms(d.get("end-time")),
        "duration": ms(d.get("duration")),
    }


@dataclass(frozen=True)
class JobSummary:
    """One row of ``GET /jobs/overview``."""

    id: str
    name: str
    state: str
    start_time: int | None
    end_time: int | None
    duration: int | None
    last_modification: int | None = None
    tasks: dict[str, int] = field(default_factory=dict)
    job_type: str = ""  # STREAMING or BATCH where Flink says

    @classmethod
    def from_json(cls, d: Json) -> JobSummary:
        return cls(
            **_run_fields(d),
            last_modification=ms(d.get("last-modification")),
            tasks={k: as_int(v) for k, v in (d.get("tasks") or {}).items()},
            job_type=str(d.get("job-type") or d.get("jobType") or ""),
        )


@dataclass(frozen=True)
class Vertex:
    """A job vertex (chained operators) with its parallelism, status and I/O counters."""

    id: str
    name: str
    parallelism: int
    max_parallelism: int | None
    status: str
    start_time: int | None
    end_time: int | None
    duration: int | None
    read_records: int
    write_records: int
    read_bytes: int
    write_bytes: int
    tasks: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_json(cls, d: Json) -> Vertex:
        m = d.get("metrics") or {}
        return cls(
            id=str(d.get("id", "")),
            name=str(d.get("name", "")),
            parallelism=as_int(d.get("parallelism"), 1),
            max_parallelism=ms(d.get("maxParallelism")),
            status=str(d.get("status", "")),
            start_time=ms(d.get("start-time")),
            end_time=ms(d.get("end-time")),
            duration=ms(d.get("duration")),
            read_records=as_int(m.get("read-records")),
            write_records=as_int(m.get("write-records")),
            read_bytes=as_int(m.get("read-bytes")),
            write_bytes=as_int(m.get("write-bytes")),
            tasks={k: as_int(v) for k, v in (d.get("tasks") or {}).items()},
        )


@dataclass(frozen=True)
class JobDetails:
    """``GET /jobs/:id``: state, per-state timestamps, vertices and the plan."""

    id: str
    name: str
    state: str
    start_time: int | None
    end_time: int | None
    duration: int | None
    now: int | None
    timestamps: dict[str, int]
    vertices: list[Vertex]
    plan: Json
    is_stoppable: bool = False
    job_type: str = ""
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @property
    def tasks_running(self) -> bool:
        """The job and every vertex are RUNNING (only then can it take a savepoint)."""
        return (
            self.state == "RUNNING"
            and bool(self.vertices)
            and all(v.status == "RUNNING" for v in self.vertices)
        )

    @property
    def parallelism(self) -> int:
        """The largest vertex parallelism (what a spec's ``parallelism`` sets)."""
        return max((v.parallelism for v in self.vertices), default=0)

    @classmethod
    def from_json(cls, d: Json) -> JobDetails:
        plan = d.get("plan") or {}
        if isinstance(plan, dict) and "plan" in plan and "nodes" not in plan:
            plan = plan["plan"]
        return cls(
            **_run_fields(d),
            now=ms(d.get("now")),
            timestamps={k: as_int(v) for k, v in (d.get("timestamps") or {}).items()},
            vertices=[Vertex.from_json(v) for v in d.get("vertices") or []],
            plan=plan if isinstance(plan, dict) else {},
            is_stoppable=bool(d.get("isStoppable", False)),
            job_type=str(d.get("job-type", "")),
            raw=d,
        )


@dataclass(frozen=True)
class JobConfig:
    """``GET /jobs/:id/config``; ``user_config`` holds the global job parameters."""

    id: str
    name: str
    execution_config: Json
    user_config: dict[str, str]

    @property
    def identity(self) -> JobIdentity | None:
        """flinkops's identity of the job, or None for a job flinkops did not submit."""
        return JobIdentity.from_user_config(self.user_config)

    @classmethod
    def from_json(cls, d: Json) -> JobConfig:
        ec = d.get("execution-config") or {}
        user = ec.get("user-config") or {}
        return cls(
            id=str(d.get("jid", "")),
            name=str(d.get("name", "")),
            execution_config=ec,
            user_config={str(k): str(v) for k, v in user.items()},
        )
