"""Project and job specs: loading and checking flinkops.yaml and the job files, each
problem located at path:line:col; the objects every other package reads them as.
May import sql (splitting statements), flink (the statements the SQL runner executes, and
Flink's rejections of them), store (its URL's secrets), redact and errors.

The pieces: ``_project`` (load_project, inspect_project) reads files through
``_load`` and ``_yaml``, checks them against the JSON schemas (``_schema``), their
pydantic twins (``_pydantic``, ``_pydantic_monitor``) and the cross-file rules
(``_checks``), resolves ``${env:...}`` (``_env``) and builds the ``JobSpec`` and
``Project`` of ``_types``. ``validate`` is the `flinkops validate` report, and places
an error of Flink's planner in the spec's file (``flink_location``).
"""

from flinkops.spec._durations import parse_duration
from flinkops.spec._env import resolve_env_refs
from flinkops.spec._load import PROJECT_FILE, relative_path
from flinkops.spec._project import find_project_file, inspect_project, load_project
from flinkops.spec._pydantic import (
    Health,
    JobModel,
    ProjectModel,
    SavepointPolicy,
    SpecModel,
    Target,
)
from flinkops.spec._pydantic_monitor import CHANNEL_TYPES, SIGNED_CHANNEL_TYPES, AlertRules, Channel
from flinkops.spec._schedule import Schedule
from flinkops.spec._schema import SCHEMA_DIR, schema_problems
from flinkops.spec._types import JobSpec, Project

__all__ = [
    "CHANNEL_TYPES",
    "PROJECT_FILE",
    "SCHEMA_DIR",
    "SIGNED_CHANNEL_TYPES",
    "AlertRules",
    "Channel",
    "Health",
    "JobModel",
    "JobSpec",
    "Project",
    "ProjectModel",
    "SavepointPolicy",
    "Schedule",
    "SpecModel",
    "Target",
    "find_project_file",
    "inspect_project",
    "load_project",
    "parse_duration",
    "relative_path",
    "resolve_env_refs",
    "schema_problems",
]
