"""``${env:NAME}`` references: resolved in spec documents on load, and in stored values.

A part of flinkops.yaml that only some commands use (a target, the store, an alert
channel) is a scope: an unset variable there keeps its ``${env:NAME}`` text and is
recorded under its scope instead of failing the load, so the commands that never use
that part do not need the variable (``Project.require_env`` raises it on use).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
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
    doc: Document,
    env: dict[str, str],
    problems: list[Problem],
    refs: dict[str, str] | None = None,
    *,
    scope_of: Callable[[str], str | None] | None = None,
    deferred: dict[str, list[Problem]] | None = None,
) -> set[str]:
    """Replace ``${env:NAME}`` in every string; return the values that came from the env.

    ``refs`` (when given) collects NAME -> value, so a stored spec can say
    ``${env:NAME}`` again instead of the secret (see ``JobSpec.portable``).
    An unset NAME is a problem, unless ``scope_of`` maps its JSON pointer to a scope:
    then the text stays ``${env:NAME}`` and the problem goes to ``deferred[scope]``.
    """
    secrets: set[str] = set()
    kept: set[str] = set()  # the pointers that keep an unset ${env:NAME}

    def sub(text: str, pointer: str) -> str:
        def one(match: re.Match[str]) -> str:
            var = match.group(1)
            if var not in env:
                problem = doc.problem(
                    pointer,
                    f"environment variable {var} is not set (referenced as ${{env:{var}}})",
                )
                scope = scope_of(pointer) if scope_of is not None else None
                if scope is None or deferred is None:
                    problems.append(problem)
                    return ""
                deferred.setdefault(scope, []).append(problem)
                kept.add(pointer)
                return match.group(0)
            secrets.add(env[var])
            if refs is not None:
                refs[var] = env[var]
            return env[var]

        return ENV_REF.sub(one, text)

    def walk(value: Any, pointer: str, key: str | None) -> Any:
        if isinstance(value, str):
            resolved = sub(value, pointer)
            if key is not None and is_sensitive_key(key) and resolved and pointer not in kept:
                secrets.add(resolved)
            return resolved
        if isinstance(value, dict):
            return {k: walk(v, f"{pointer}/{k}", str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, f"{pointer}/{i}", None) for i, v in enumerate(value)]
        return value

    doc.data = walk(doc.data, "", None)
    return secrets
