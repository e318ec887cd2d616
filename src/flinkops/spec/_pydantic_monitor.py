"""The pydantic models of the monitoring fields: ``metrics:``, ``alerts:`` and channels.

Twins of the ``metrics``/``alerts``/``alertRules``/``channel`` definitions in the
project and job JSON schemas (the contract). Every field is optional here; the
defaults live in ``flinkops.monitor.rules.DEFAULT_RULES`` and are merged
default <- flinkops.yaml <- job spec.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from flinkops.spec._durations import non_negative

__all__ = [
    "CHANNEL_TYPES",
    "SEVERITIES",
    "SIGNED_CHANNEL_TYPES",
    "AlertRules",
    "AlertsModel",
    "Channel",
    "JobAlerts",
    "MetricsModel",
    "Retention",
    "Rule",
]

SEVERITIES = ("critical", "warning", "info")
# The channel kinds: one class each in flinkops.monitor.channels (its KINDS registry), and
# the schemas' enum; tests/unit/monitor/channels/test_registry.py holds the three equal.
ChannelType = Literal["webhook", "slack", "email", "dingtalk", "feishu", "wecom", "alertmanager"]
CHANNEL_TYPES: tuple[str, ...] = get_args(ChannelType)
SIGNED_CHANNEL_TYPES = ("dingtalk", "feishu")  # the kinds that take a signing secret
Duration = float | str


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True
    )


class Rule(_Model):
    """One built-in rule's settings; which thresholds apply depends on the rule."""

    enabled: bool | None = None
    severity: Literal["critical", "warning", "info"] | None = None
    for_: Duration | None = Field(default=None, alias="for")
    count: int | None = Field(default=None, ge=1)
    window: Duration | None = None
    age: Duration | None = None
    threshold: float | None = Field(default=None, ge=0)
    periods: int | None = Field(default=None, ge=1)

    @field_validator("for_", "window", "age")
    @classmethod
    def _durations(cls, v: Duration | None) -> Duration | None:
        return non_negative(v)


# Which thresholds each rule takes (the schema says the same per rule).
RULE_PARAMS: dict[str, tuple[str, ...]] = {
    "failed": (),
    "notDesired": (),
    "restarts": ("count", "window"),
    "checkpoints": ("age",),
    "lag": ("threshold", "periods"),
    "noRecords": (),
    "backpressure": ("threshold",),
    "unreachable": (),
}


class AlertRules(_Model):
    failed: Rule | None = None
    not_desired: Rule | None = None
    restarts: Rule | None = None
    checkpoints: Rule | None = None
    lag: Rule | None = None
    no_records: Rule | None = None
    backpressure: Rule | None = None
    unreachable: Rule | None = None

    @model_validator(mode="after")
    def _params(self) -> AlertRules:
        for name, allowed in RULE_PARAMS.items():
            rule = getattr(self, _snake(name))
            if rule is None:
                continue
            params = ("count", "window", "age", "threshold", "periods")
            extra = [k for k in params if getattr(rule, k) is not None and k not in allowed]
            if extra:
                raise ValueError(f"rule {name} takes no {', '.join(sorted(extra))}")
        if self.backpressure is not None and (self.backpressure.threshold or 0) > 1:
            raise ValueError("backpressure threshold is a ratio between 0 and 1")
        return self

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """Rule name (camelCase) -> the fields set, by their YAML names."""
        out: dict[str, dict[str, Any]] = {}
        for name in RULE_PARAMS:
            rule = getattr(self, _snake(name))
            if rule is not None:
                out[name] = rule.model_dump(by_alias=True, exclude_none=True)
        return out


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


class Channel(_Model):
    """Where alerts go; ``type`` says which fields it needs."""

    type: ChannelType
    url: str | None = None  # the schema checks it (http(s) or ${env:...}) before env resolution
    secret: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    starttls: bool | None = None
    username: str | None = None
    password: str | None = None
    from_: str | None = Field(default=None, alias="from")
    to: list[str] | None = None
    retries: int | None = Field(default=None, ge=0, le=10)
    backoff: Duration | None = None
    timeout: Duration | None = None

    @field_validator("backoff", "timeout")
    @classmethod
    def _durations(cls, v: Duration | None) -> Duration | None:
        return non_negative(v)

    @model_validator(mode="after")
    def _fields(self) -> Channel:
        if self.type == "email":
            if not (self.host and self.from_ and self.to):
                raise ValueError("an email channel needs host, from and to")
        elif not self.url:
            raise ValueError(f"a {self.type} channel needs url")
        if self.secret is not None and self.type not in SIGNED_CHANNEL_TYPES:
            raise ValueError(f"a {self.type} channel has no signing secret")
        return self


class AlertsModel(_Model):
    """``alerts:`` in flinkops.yaml: console link, channels, default rules."""

    console_url: str | None = None
    channels: dict[str, Channel] = Field(default_factory=dict)
    send_to: list[str] | None = None
    rules: AlertRules | None = None


class JobAlerts(_Model):
    """``spec.alerts`` in a job spec: rule overrides and the channels for this job."""

    rules: AlertRules | None = None
    send_to: list[str] | None = None


class Retention(_Model):
    full: Duration | None = None
    rollups: Duration | None = None

    @field_validator("full", "rollups")
    @classmethod
    def _durations(cls, v: Duration | None) -> Duration | None:
        return non_negative(v)


class MetricsModel(_Model):
    """``metrics:`` in flinkops.yaml: sampling interval, retention, or a Prometheus to read."""

    interval: Duration | None = None
    retention: Retention | None = None
    prometheus: str | None = None

    @field_validator("interval")
    @classmethod
    def _durations(cls, v: Duration | None) -> Duration | None:
        return non_negative(v)
