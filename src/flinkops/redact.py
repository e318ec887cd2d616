"""Redaction of sensitive values in everything flinkops prints, posts or stores.

A value is sensitive when it came from ``${env:NAME}`` or sits under a key that
looks like a secret (password, secret, token, credential, sasl.jaas.config), in
YAML or in a SQL ``WITH ('key' = 'value')`` option. The loader collects those
values; ``redact`` replaces every occurrence of them, diffs included.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["MASK", "is_sensitive_key", "redact", "sensitive_sql_values"]

MASK = "***"
_SENSITIVE_PARTS = ("password", "passwd", "secret", "token", "credential", "sasl.jaas.config")
_SQL_OPTION = re.compile(r"'((?:[^']|'')+)'\s*=\s*'((?:[^']|'')*)'")
_MIN_SECRET_LEN = 3  # shorter strings would redact half the output; refuse to match them


def is_sensitive_key(key: str) -> bool:
    low = key.lower()
    return any(part in low for part in _SENSITIVE_PARTS) or low == "authorization"


def sensitive_sql_values(sql: str) -> set[str]:
    """Values of sensitive ``'key' = 'value'`` options written in SQL."""
    found: set[str] = set()
    for match in _SQL_OPTION.finditer(sql):
        key, value = match.group(1), match.group(2).replace("''", "'")
        if is_sensitive_key(key) and value:
            found.add(value)
    return found


def _pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    usable = sorted({s for s in secrets if len(s) >= _MIN_SECRET_LEN}, key=len, reverse=True)
    if not usable:
        return None
    return re.compile("|".join(re.escape(s) for s in usable))


def redact(value: Any, secrets: Iterable[str]) -> Any:
    """Return ``value`` (str, list, dict, nested) with every secret replaced by ``***``.

    Values under sensitive keys are masked whole, whether or not they are known secrets.
    """
    pattern = _pattern(secrets)

    def walk(v: Any, key: str | None = None) -> Any:
        if key is not None and is_sensitive_key(key) and isinstance(v, str) and v:
            return MASK
        if isinstance(v, str):
            return pattern.sub(MASK, v) if pattern else v
        if isinstance(v, dict):
            return {k: walk(item, str(k)) for k, item in v.items()}
        if isinstance(v, list | tuple):
            return type(v)(walk(item) for item in v)
        return v

    return walk(value)
