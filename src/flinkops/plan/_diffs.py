"""What a change shows against the applied version: SQL and configuration diffs, secrets masked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flinkops.plan._config_rules import ConfigChange, reaches_state
from flinkops.plan._text_diff import config_diff, sql_diff
from flinkops.plan._types import Applied
from flinkops.redact import redact, sensitive_sql_values
from flinkops.spec import JobSpec

__all__ = [
    "change_diffs",
    "config_change",
    "restore_changed",
    "sql_changed",
    "what_changed",
]


def _secrets(spec: JobSpec, applied: Applied) -> set[str]:
    """Every value a diff must not show: the spec's secrets and sensitive SQL options."""
    return set(spec.secrets) | sensitive_sql_values(applied.sql) | sensitive_sql_values(spec.sql)


def _comparable(spec: JobSpec, applied: Applied) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
    """Applied and current SQL and spec in the form the store keeps, secrets masked.

    The store keeps ``${env:NAME}`` for secrets from the environment and ``***`` for
    the others (``JobSpec.portable``); the current spec is brought to that form so
    only real changes differ, and no secret can reach a diff.
    """
    secrets = _secrets(spec, applied)
    return (
        redact(applied.sql, secrets),
        redact(spec.portable(spec.sql), secrets),
        redact(dict(applied.spec), secrets),
        redact(spec.portable(spec.to_json(redacted=False)), secrets),
    )


def sql_changed(spec: JobSpec, applied: Applied) -> bool:
    """Whether the SQL differs from the applied SQL, both in their stored, masked form.

    A changed secret alone does not count: it shows in the spec hash, not here.
    """
    old, new, _, _ = _comparable(spec, applied)
    return old != new


def config_change(spec: JobSpec, applied: Applied) -> ConfigChange:
    """The applied and the current effective Flink configuration, in their stored,
    masked form (a changed secret alone is no change)."""
    _, _, old, new = _comparable(spec, applied)
    return ConfigChange(
        {k: str(v) for k, v in (old.get("flinkConfiguration") or {}).items()},
        {k: str(v) for k, v in (new.get("flinkConfiguration") or {}).items()},
    )


def restore_changed(spec: JobSpec, applied: Applied) -> bool:
    """Whether restoring the applied version's state into ``spec`` must be judged: its
    SQL changed, or its configuration in a key that may reach the plan or the state
    (``_config_rules``). Such a change is compiled and compared graph to graph."""
    return sql_changed(spec, applied) or bool(reaches_state(config_change(spec, applied).keys()))


def change_diffs(spec: JobSpec, applied: Applied | None) -> dict[str, Any]:
    """SQL and configuration diffs against the applied version, secrets masked on both sides."""
    if applied is None:
        return {}
    old_sql, new_sql, old_spec, new_spec = _comparable(spec, applied)
    return {
        "sql_diff": sql_diff(old_sql, new_sql, spec.name),
        "config_diff": config_diff(old_spec, new_spec),
    }


def what_changed(diffs: Mapping[str, Any]) -> list[str]:
    """What a diff shows changed, for a reason: ["SQL", "configuration"] or fewer."""
    return [w for w, k in (("SQL", "sql_diff"), ("configuration", "config_diff")) if diffs.get(k)]
