"""The cluster as the REST API shows it: overview, config, TaskManagers, log files, jars."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flinkops.flink.models._fields import Json, as_int, major_of, ms

__all__ = ["ClusterConfig", "JarFile", "LogFile", "Overview", "TaskManager"]


@dataclass(frozen=True)
class Overview:
    """``GET /overview``: the cluster's version, slots, TaskManagers and job counts."""

    flink_version: str
    flink_commit: str
    slots_total: int
    slots_available: int
    taskmanagers: int
    jobs_running: int
    jobs_finished: int
    jobs_cancelled: int
    jobs_failed: int
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @property
    def major_version(self) -> int:
        return major_of(self.flink_version)

    @classmethod
    def from_json(cls, d: Json) -> Overview:
        return cls(
            flink_version=str(d.get("flink-version", "")),
            flink_commit=str(d.get("flink-commit", "")),
            slots_total=as_int(d.get("slots-total")),
            slots_available=as_int(d.get("slots-available")),
            taskmanagers=as_int(d.get("taskmanagers")),
            jobs_running=as_int(d.get("jobs-running")),
            jobs_finished=as_int(d.get("jobs-finished")),
            jobs_cancelled=as_int(d.get("jobs-cancelled")),
            jobs_failed=as_int(d.get("jobs-failed")),
            raw=d,
        )


@dataclass(frozen=True)
class ClusterConfig:
    """``GET /config``: the web UI's view of the cluster (version, features)."""

    flink_version: str
    flink_revision: str
    timezone: str
    features: dict[str, Any]
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @property
    def major_version(self) -> int:
        return major_of(self.flink_version)

    @property
    def refresh_interval(self) -> float:
        """Seconds the REST API caches what it serves of a TaskManager's files
        (``web.refresh-interval``, 3 s by default)."""
        value = self.raw.get("refresh-interval")
        return value / 1000 if isinstance(value, int | float) and value > 0 else 3.0

    @classmethod
    def from_json(cls, d: Json) -> ClusterConfig:
        return cls(
            flink_version=str(d.get("flink-version", "")),
            flink_revision=str(d.get("flink-revision", "")),
            timezone=str(d.get("timezone-name", "")),
            features=dict(d.get("features") or {}),
            raw=d,
        )


@dataclass(frozen=True)
class TaskManager:
    """One registered TaskManager."""

    id: str
    path: str
    slots: int
    free_slots: int
    data_port: int | None
    last_heartbeat: int | None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: Json) -> TaskManager:
        return cls(
            id=str(d.get("id", "")),
            path=str(d.get("path", "")),
            slots=as_int(d.get("slotsNumber")),
            free_slots=as_int(d.get("freeSlots")),
            data_port=ms(d.get("dataPort")),
            last_heartbeat=ms(d.get("timeSinceLastHeartbeat")),
            raw=d,
        )


@dataclass(frozen=True)
class LogFile:
    """A log file a JobManager or TaskManager offers."""

    name: str
    size: int
    mtime: int | None = None

    @classmethod
    def from_json(cls, d: Json) -> LogFile:
        return cls(
            name=str(d.get("name", "")), size=as_int(d.get("size")), mtime=ms(d.get("mtime"))
        )


@dataclass(frozen=True)
class JarFile:
    """An uploaded jar: ``id`` is what ``run_jar``/``plan_jar`` take."""

    id: str
    name: str
    uploaded: int | None
    entry_classes: list[str]

    @classmethod
    def from_json(cls, d: Json) -> JarFile:
        return cls(
            id=str(d.get("id", "")),
            name=str(d.get("name", "")),
            uploaded=ms(d.get("uploaded")),
            entry_classes=[str(e.get("name", "")) for e in d.get("entry") or []],
        )
