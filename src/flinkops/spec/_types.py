"""The loaded objects: ``JobSpec`` (one job, as written or for one target) and ``Project``.

Frozen dataclasses over the pydantic models of ``_pydantic``; ``flinkops.spec`` builds
them and re-exports every name here.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from flinkops.errors import Problem, SpecError
from flinkops.gitinfo import repository_id
from flinkops.redact import redact
from flinkops.spec._pydantic import (
    ConfigValue,
    Health,
    ProjectModel,
    SavepointPolicy,
    SpecModel,
    Target,
)

__all__ = ["JobSpec", "Project"]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class JobSpec:
    """One job as written, or (after ``Project.jobs_for``) as it applies to one target."""

    name: str
    labels: dict[str, str]
    model: SpecModel
    sql: str
    path: Path
    line: int
    sql_path: Path
    sql_line: int
    sql_col: int
    secrets: frozenset[str] = frozenset()
    target: str | None = None
    target_health: Health | None = None
    target_savepoint_dir: str | None = None
    project_savepoints: SavepointPolicy | None = None
    project_compiled_plan: str | None = None  # the project's compiledPlan default
    env_refs: tuple[tuple[str, str], ...] = ()
    # the model as written, before ``jobs_for`` merged the target's override into
    # ``model``; None when no override applies (``overridden`` compares the two)
    written: SpecModel | None = None

    # -- effective settings (overrides already merged by jobs_for)
    @property
    def state(self) -> str:
        return self.model.state or "running"

    @property
    def parallelism(self) -> int | None:
        return self.model.parallelism

    @property
    def upgrade_mode(self) -> str:
        return self.model.upgrade_mode or "savepoint"

    @property
    def allow_non_restored_state(self) -> bool:
        return bool(self.model.allow_non_restored_state)

    @property
    def flink_configuration(self) -> dict[str, str]:
        return {
            k: _config_str(v) for k, v in sorted((self.model.flink_configuration or {}).items())
        }

    @property
    def pins_plan(self) -> bool:
        """``compiledPlan: pin``: submitted from a JSON plan kept with the version."""
        return (self.model.compiled_plan or self.project_compiled_plan) == "pin"

    @property
    def savepoint_dir(self) -> str | None:
        return self.model.savepoint_dir or self.target_savepoint_dir

    @property
    def health(self) -> Health:
        return Health().merged(self.target_health).merged(self.model.health)

    @property
    def savepoint_policy(self) -> SavepointPolicy:
        """The project's ``savepoints:`` defaults with the job's own settings over them."""
        return SavepointPolicy().merged(self.project_savepoints).merged(self.model.savepoints)

    @property
    def overridden(self) -> dict[str, Any]:
        """What the target's override changed: each setting it gives another value, with
        the value before it (as written, target defaults included), and the Flink
        configuration keys it adds or changes (names only: values may be secrets)."""
        if self.written is None:
            return {}
        before = replace(self, model=self.written, written=None)
        out: dict[str, Any] = {
            key: getattr(before, attr)
            for key, attr in _OVERRIDABLE
            if getattr(before, attr) != getattr(self, attr)
        }
        old, new = before.flink_configuration, self.flink_configuration
        added = [k for k in new if k not in old]
        changed = [k for k in new if k in old and old[k] != new[k]]
        if added or changed:
            out["flink_configuration"] = {"added": added, "changed": changed}
        return out

    def runs_on(self, target: str) -> bool:
        return self.model.targets is None or target in self.model.targets

    @cached_property
    def statements(self) -> list[str]:
        from flinkops.sql import split_statements

        return [s.text for s in split_statements(self.sql)]

    # -- fingerprints (docs/style.md §8: SQL and runtime configuration apart)
    @cached_property
    def sql_hash(self) -> str:
        normalized = "\n".join(line.rstrip() for line in ";\n".join(self.statements).splitlines())
        return _sha(normalized)[:16]

    @cached_property
    def config_hash(self) -> str:
        return self._config_hash(self.upgrade_mode, self.allow_non_restored_state)

    def _config_hash(self, upgrade_mode: str, allow_non_restored_state: bool) -> str:
        config = {
            "parallelism": self.parallelism,
            "flinkConfiguration": self.flink_configuration,
            "upgradeMode": upgrade_mode,
            "allowNonRestoredState": allow_non_restored_state,
        }
        return _sha(json.dumps(config, sort_keys=True))[:16]

    @cached_property
    def spec_hash(self) -> str:
        return _sha(f"{self.sql_hash}:{self.config_hash}")[:16]

    def spec_hash_applied_as(self, upgrade_mode: str, allow_non_restored_state: bool) -> str:
        """The spec hash this spec would have with another upgrade mode and
        allowNonRestoredState: equal to a version's hash when only how the job is applied
        differs from it (SQL, secrets, configuration and parallelism alike)."""
        config = self._config_hash(upgrade_mode, allow_non_restored_state)
        return _sha(f"{self.sql_hash}:{config}")[:16]

    def portable(self, value: Any) -> Any:
        """``value`` with env-derived secrets written back as ``${env:NAME}`` and any other
        secret masked: safe to store, and resolvable again (``resolve_env_refs``)."""

        def unresolve(v: Any) -> Any:
            if isinstance(v, str):
                for name, secret in self.env_refs:
                    if len(secret) >= 3:
                        v = v.replace(secret, "${env:" + name + "}")
                return v
            if isinstance(v, dict):
                return {k: unresolve(x) for k, x in v.items()}
            if isinstance(v, list):
                return [unresolve(x) for x in v]
            return v

        from_env = {secret for _, secret in self.env_refs}
        return redact(unresolve(value), self.secrets - from_env)

    def to_json(self, *, redacted: bool = True) -> dict[str, Any]:
        """The effective spec as plain data; secrets masked unless ``redacted=False``."""
        data: dict[str, Any] = {
            "name": self.name,
            "labels": dict(self.labels),
            "state": self.state,
            "parallelism": self.parallelism,
            "upgradeMode": self.upgrade_mode,
            "allowNonRestoredState": self.allow_non_restored_state,
            "flinkConfiguration": self.flink_configuration,
            "savepointDir": self.savepoint_dir,
            "sql": self.sql,
        }
        return redact(data, self.secrets) if redacted else data


#: The settings ``JobSpec.overridden`` compares, by their plan JSON key and attribute.
_OVERRIDABLE = (
    ("state", "state"),
    ("parallelism", "parallelism"),
    ("upgrade_mode", "upgrade_mode"),
    ("allow_non_restored_state", "allow_non_restored_state"),
    ("savepoint_dir", "savepoint_dir"),
)


def _folder_id(root: Path) -> str:
    """The project folder's name as an id (letters, digits, ``. _ -``)."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", root.resolve().name).strip(".-_") or "project"


def _config_str(value: ConfigValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Project:
    root: Path
    path: Path
    model: ProjectModel
    jobs: list[JobSpec] = field(default_factory=list)
    secrets: frozenset[str] = frozenset()
    # scope (``/store``, ``/targets/NAME``, ``/alerts/channels/NAME``) -> its unset
    # ``${env:NAME}``, left as written: only a command that uses the scope needs them
    unresolved: dict[str, tuple[Problem, ...]] = field(default_factory=dict)
    targets_at: tuple[int, int] = (1, 1)  # line, col of the ``targets:`` key

    @property
    def targets(self) -> dict[str, Target]:
        return self.model.targets

    def require_env(self, *scopes: str) -> None:
        """SpecError naming each unset ``${env:NAME}`` of ``scopes`` and where it is
        written; call it before using a part of flinkops.yaml that may hold one."""
        missing = [p for scope in scopes for p in self.unresolved.get(scope, ())]
        if missing:
            raise SpecError(missing)

    def require_channels(self, names: Iterable[str]) -> None:
        """``require_env`` for the alert channels ``names``: before sending through them."""
        self.require_env(*(f"/alerts/channels/{name}" for name in sorted(set(names))))

    @cached_property
    def project_id(self) -> str:
        """This project's id, carried in every job it submits (``flinkops.project``):
        ``project:`` as written, else where the project sits in its git repository
        (``gitinfo.repository_id``: the ``origin`` remote and the folder inside it, the
        same in every clone), else the project folder's name."""
        return self.model.project or repository_id(self.root) or _folder_id(self.root)

    @property
    def store_location(self) -> str:
        """The store's location: a URL (sqlite://, postgresql://) as written, else a file
        path resolved against the project directory. May hold a password: never print it
        (``Store.location`` is the printable form). SpecError when it names an unset
        ``${env:NAME}``."""
        self.require_env("/store")
        store = self.model.store
        if "://" in store or store == ":memory:":
            return store
        return str((self.root / store).resolve())

    def target(self, name: str | None) -> tuple[str, Target]:
        """The named target, else defaultTarget, else the only one; SpecError otherwise."""
        name = name or self.model.default_target
        if name is None and len(self.targets) == 1:
            name = next(iter(self.targets))
        if name is None:
            raise SpecError(
                [
                    Problem(
                        str(self.path),
                        1,
                        1,
                        "no target given and no defaultTarget; use --target NAME",
                    )
                ]
            )
        if name not in self.targets:
            known = ", ".join(sorted(self.targets)) or "none"
            line, col = self.targets_at
            message = f"unknown target {name!r} (known: {known})"
            raise SpecError([Problem(str(self.path), line, col, message, "/targets")])
        self.require_env(f"/targets/{name}")
        return name, self.targets[name]

    def jobs_for(self, target: str) -> list[JobSpec]:
        """Jobs that run on ``target``, with that target's overrides and defaults merged."""
        tgt = self.targets[target]
        out = []
        for job in self.jobs:
            if not job.runs_on(target):
                continue
            override = (job.model.overrides or {}).get(target)
            model = job.model
            if override is not None:
                data = model.model_dump(exclude_none=True)
                extra = override.model_dump(exclude_none=True)
                if "flink_configuration" in extra:
                    extra["flink_configuration"] = {
                        **data.get("flink_configuration", {}),
                        **extra["flink_configuration"],
                    }
                for nested in ("health", "savepoints"):
                    if nested in extra:
                        extra[nested] = {**data.get(nested, {}), **extra[nested]}
                if "retain" in extra.get("savepoints", {}):
                    base_retain = data.get("savepoints", {}).get("retain", {})
                    extra["savepoints"]["retain"] = {**base_retain, **extra["savepoints"]["retain"]}
                data.update(extra)
                model = SpecModel(**data)
            out.append(
                replace(
                    job,
                    model=model,
                    written=job.model if override is not None else None,
                    target=target,
                    target_health=tgt.health,
                    target_savepoint_dir=tgt.savepoint_dir,
                    project_savepoints=self.model.savepoints,
                    project_compiled_plan=self.model.compiled_plan,
                )
            )
        return out

    def headers(self, target: str) -> dict[str, str]:
        return dict(self.targets[target].headers)
