"""``${env:NAME}`` references: resolved in spec documents on load, and in stored values."""

from __future__ import annotations

import os
import re
from typing import Any

from flinkops.errors import Problem
from flinkops.redact import is_sensitive_key
from flinkops.spec._yaml import Document

__all__ = ["ENV_REF", "resolve_env", "resolve_env_refs"]

ENV_REF = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")


def resolve_env_refs(value: Any, env: dict[str, str] | None = None) -> Any:
    """Resolve ``${env:NAME}`` in a stored (portable) value; KeyError names a missing one."""
    env = dict(os.environ) if env is None else env

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return ENV_REF.sub(lambda m: env[m.group(1)], v)
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    return walk(value)


def resolve_env(
    doc: Document, env: dict[str, str], problems: list[Problem], refs: dict[str, str] | None = None
) -> set[str]:
    """Replace ``${env:NAME}`` in every string; return the values that came from the env.

    ``refs`` (when given) collects NAME -> value, so a stored spec can say
    ``${env:NAME}`` again instead of the secret (see ``JobSpec.portable``).
    """
    secrets: set[str] = set()

    def sub(text: str, pointer: str) -> str:
        def one(match: re.Match[str]) -> str:
            var = match.group(1)
            if var not in env:
                problems.append(
                    doc.problem(
                        pointer,
                        f"environment variable {var} is not set (referenced as ${{env:{var}}})",
                    )
                )
                return ""
            secrets.add(env[var])
            if refs is not None:
                refs[var] = env[var]
            return env[var]

        return ENV_REF.sub(one, text)

    def walk(value: Any, pointer: str, key: str | None) -> Any:
        if isinstance(value, str):
            resolved = sub(value, pointer)
            if key is not None and is_sensitive_key(key) and resolved:
                secrets.add(resolved)
            return resolved
        if isinstance(value, dict):
            return {k: walk(v, f"{pointer}/{k}", str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, f"{pointer}/{i}", None) for i, v in enumerate(value)]
        return value

    doc.data = walk(doc.data, "", None)
    return secrets
