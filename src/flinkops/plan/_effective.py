"""The effective spec a change shows: what will run on its target after the target's
override (parallelism, Flink configuration, upgrade mode, savepoint directory, desired
state), and what that override changed. Pure; secrets masked (``redact.py``).

``_changes.decide`` puts it on every change of a spec; ``render`` draws it in one line.
"""

from __future__ import annotations

from typing import Any

from flinkops.redact import redact, sensitive_sql_values
from flinkops.spec import JobSpec

__all__ = ["effective_spec"]


def effective_spec(spec: JobSpec, default_savepoint_dir: str | None) -> dict[str, Any]:
    """The spec as it applies to its target, in the plan's JSON words: the savepoint
    directory falls back to the cluster's default, configuration values under secret
    keys or holding a secret are ``***``, and ``overridden`` is ``JobSpec.overridden``
    (each changed setting's value before the override; configuration key names only)."""
    shown = spec.to_json()  # secrets masked
    block = {
        "target": spec.target,
        "state": shown["state"],
        "parallelism": shown["parallelism"],
        "upgrade_mode": shown["upgradeMode"],
        "allow_non_restored_state": shown["allowNonRestoredState"],
        "savepoint_dir": shown["savepointDir"] or default_savepoint_dir,
        "flink_configuration": shown["flinkConfiguration"],
        "overridden": spec.overridden,
    }
    return dict(redact(block, set(spec.secrets) | sensitive_sql_values(spec.sql)))
