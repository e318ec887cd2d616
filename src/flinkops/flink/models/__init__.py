"""Typed results of Flink's REST API, as FlinkClient returns them.
Part of flink/: may import flink.identity and errors, nothing else of flinkops.

Each class has ``from_json`` taking Flink's JSON (1.20 and 2.x field names) and
keeps that JSON in ``raw`` for anything not lifted into a field. Times are epoch
milliseconds as Flink reports them (None where Flink says -1 or nothing).
"""

from __future__ import annotations

from flinkops.flink.models._checkpoints import (
    CheckpointRef,
    Checkpoints,
    LatestCheckpoints,
    SavepointStatus,
)
from flinkops.flink.models._cluster import ClusterConfig, JarFile, LogFile, Overview, TaskManager
from flinkops.flink.models._exceptions import (
    INFRASTRUCTURE_FAULTS,
    ExceptionEntry,
    Exceptions,
    infrastructure_fault,
    root_line,
)
from flinkops.flink.models._fields import major_of
from flinkops.flink.models._jobs import JobConfig, JobDetails, JobSummary, Vertex

__all__ = [
    "INFRASTRUCTURE_FAULTS",
    "CheckpointRef",
    "Checkpoints",
    "ClusterConfig",
    "ExceptionEntry",
    "Exceptions",
    "JarFile",
    "JobConfig",
    "JobDetails",
    "JobSummary",
    "LatestCheckpoints",
    "LogFile",
    "Overview",
    "SavepointStatus",
    "TaskManager",
    "Vertex",
    "infrastructure_fault",
    "major_of",
    "root_line",
]
