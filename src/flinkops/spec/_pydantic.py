"""The pydantic models of flinkops.yaml and job specs (the JSON schemas' twins).

The JSON schemas in ``schemas/`` are the contract; these models must accept and
refuse exactly the same documents (tests/unit/spec/test_schema.py checks both ways).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from flinkops.spec._durations import non_negative, parse_duration
from flinkops.spec._pydantic_monitor import AlertsModel, JobAlerts, MetricsModel

__all__ = [
    "DEFAULT_HEALTH_TIMEOUT",
    "DEFAULT_HEALTH_WINDOW",
    "PROJECT_ID_PATTERN",
    "Compile",
    "ConfigValue",
    "Health",
    "JobModel",
    "Metadata",
    "ProjectModel",
    "Rehearse",
    "Retain",
    "SavepointPolicy",
    "Settings",
    "SpecModel",
    "Target",
    "parse_duration",
]

_CRON_SHAPE = re.compile(r"^\s*\S+(\s+\S+){4}\s*$")

DEFAULT_HEALTH_WINDOW = 20.0
#: A project id (``project:``): carried in Flink's global job parameters, which split on
#: ',' and ':', so neither is allowed (schemas/project.schema.json says the same).
PROJECT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$"
DEFAULT_HEALTH_TIMEOUT = 180.0


def _strict_int(v: Any, what: str) -> Any:
    """An integer field's check: no bools, floats or strings slipping through as ints."""
    if isinstance(v, bool) or (v is not None and not isinstance(v, int)):
        raise ValueError(f"{what} must be an integer")
    return v


# ---------------------------------------------------------------- models


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True
    )


class Health(_Model):
    window: float | str | None = None
    until_checkpoint: bool | None = None
    records_flowing: bool | None = None
    timeout: float | str | None = None

    @field_validator("window", "timeout")
    @classmethod
    def _duration(cls, v: float | str | None) -> float | str | None:
        return non_negative(v)

    def merged(self, other: Health | None) -> Health:
        if other is None:
            return self
        data = self.model_dump(exclude_none=True)
        data.update(other.model_dump(exclude_none=True))
        return Health(**data)

    @property
    def window_seconds(self) -> float:
        return parse_duration(self.window) if self.window is not None else DEFAULT_HEALTH_WINDOW

    @property
    def timeout_seconds(self) -> float:
        return parse_duration(self.timeout) if self.timeout is not None else DEFAULT_HEALTH_TIMEOUT


class Retain(_Model):
    """Which savepoints retention keeps: the newest ``count``, none older than ``maxAge``."""

    count: int | None = Field(default=None, ge=1)
    max_age: float | str | None = None

    @field_validator("count", mode="before")
    @classmethod
    def _int_count(cls, v: Any) -> Any:
        return _strict_int(v, "count")

    @field_validator("max_age")
    @classmethod
    def _duration(cls, v: float | str | None) -> float | str | None:
        return non_negative(v)

    @property
    def max_age_seconds(self) -> float | None:
        return parse_duration(self.max_age) if self.max_age is not None else None


class SavepointPolicy(_Model):
    """``savepoints:`` of a job (or the project's default): a schedule and retention.

    ``schedule`` is an interval (``1h``) or a 5-field cron expression; it is checked
    (with the file and line) when the spec is loaded, not here.
    """

    schedule: float | str | None = None
    retain: Retain | None = None
    cleanup_command: list[str] | None = Field(default=None, min_length=1)

    @field_validator("schedule")
    @classmethod
    def _schedule_shape(cls, v: float | str | None) -> float | str | None:
        if v is None or (isinstance(v, str) and _CRON_SHAPE.match(v)):
            return v
        return non_negative(v)

    @field_validator("cleanup_command")
    @classmethod
    def _argv(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and not all(v):
            raise ValueError("cleanupCommand items must not be empty")
        return v

    def merged(self, other: SavepointPolicy | None) -> SavepointPolicy:
        if other is None:
            return self
        data = self.model_dump(exclude_none=True)
        extra = other.model_dump(exclude_none=True)
        if "retain" in extra:
            extra["retain"] = {**data.get("retain", {}), **extra["retain"]}
        data.update(extra)
        return SavepointPolicy(**data)


ConfigValue = str | bool | int | float


class Settings(_Model):
    """Spec fields a target override may change."""

    state: Literal["running", "suspended", "cancelled"] | None = None
    parallelism: int | None = Field(default=None, ge=1, le=32768)
    upgrade_mode: Literal["savepoint", "last-state", "stateless"] | None = None
    allow_non_restored_state: bool | None = None
    flink_configuration: dict[str, ConfigValue] | None = None
    savepoint_dir: str | None = Field(default=None, min_length=1)
    health: Health | None = None
    savepoints: SavepointPolicy | None = None

    @field_validator("parallelism", mode="before")
    @classmethod
    def _int_parallelism(cls, v: Any) -> Any:
        return _strict_int(v, "parallelism")


class SpecModel(Settings):
    sql: str | None = Field(default=None, min_length=1)
    sql_file: str | None = Field(default=None, min_length=1)
    compiled_plan: Literal["pin", "recompile"] | None = None
    targets: list[str] | None = None
    overrides: dict[str, Settings] | None = None
    alerts: JobAlerts | None = None

    @model_validator(mode="after")
    def _one_sql(self) -> SpecModel:
        if (self.sql is None) == (self.sql_file is None):
            raise ValueError("give exactly one of sql and sqlFile")
        if self.targets is not None and len(set(self.targets)) != len(self.targets):
            raise ValueError("targets must be unique")
        return self


class Metadata(_Model):
    name: str = Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63)
    labels: dict[str, str] = Field(default_factory=dict)

    @field_validator("labels")
    @classmethod
    def _label_keys(cls, v: dict[str, str]) -> dict[str, str]:
        for key in v:
            if len(key) > 63 or not re.match(r"^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$", key):
                raise ValueError(f"bad label key {key!r}")
        return v


class JobModel(_Model):
    api_version: Literal["flinkops/v1"]
    kind: Literal["SqlJob"]
    metadata: Metadata
    spec: SpecModel
    # SQL tests, read and checked by flinkops.sqltest (schemas/test.schema.json)
    tests: list[dict[str, Any]] | None = None


class Compile(_Model):
    """Compiling SQL with the cluster's planner during plan (flinkops.plan.compiler)."""

    concurrency: StrictInt | None = Field(default=None, ge=1, le=64)
    cache: StrictBool | None = None


class Rehearse(_Model):
    """Rehearsals (``plan --rehearse``; apply/rehearse/): on by default for a target
    (``enabled``, or ``rehearse: true``), and how they run."""

    enabled: StrictBool = True
    snapshot: Literal["savepoint", "checkpoint"] | None = None
    timeout: float | str | None = None
    concurrency: StrictInt | None = Field(default=None, ge=1, le=16)
    target: str | None = None
    keep: StrictBool | None = None
    on_apply: StrictBool | None = None

    @field_validator("timeout")
    @classmethod
    def _duration(cls, v: float | str | None) -> float | str | None:
        return non_negative(v)


class Target(_Model):
    url: str = Field(pattern=r"^https?://")
    savepoint_dir: str | None = Field(default=None, min_length=1)
    headers: dict[str, str] = Field(default_factory=dict)
    health: Health | None = None
    compile: Compile | None = None
    rehearse: StrictBool | Rehearse | None = None


class ProjectModel(_Model):
    api_version: Literal["flinkops/v1"]
    kind: Literal["Project"]
    project: str | None = Field(default=None, pattern=PROJECT_ID_PATTERN)
    jobs: list[str] = Field(default_factory=lambda: ["jobs/"])
    store: str = Field(default=".flinkops/state.db", min_length=1)
    compile: Compile | None = None
    rehearse: StrictBool | Rehearse | None = None
    default_target: str | None = None
    validate_target: str | None = None
    targets: dict[str, Target] = Field(default_factory=dict)
    metrics: MetricsModel | None = None
    alerts: AlertsModel | None = None
    savepoints: SavepointPolicy | None = None
    compiled_plan: Literal["pin", "recompile"] | None = None

    @field_validator("targets")
    @classmethod
    def _target_names(cls, v: dict[str, Target]) -> dict[str, Target]:
        for name in v:
            if not re.match(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", name):
                raise ValueError(f"bad target name {name!r}")
        return v
