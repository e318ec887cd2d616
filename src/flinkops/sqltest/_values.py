"""Values by Flink type: a test's YAML value checked and made canonical (for the JSON
lines a source reads and for comparing), and a value as Flink's ``print`` sink shows it
read back. Pure."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["canonical", "from_printed", "json_line", "split_printed"]

_INTS = ("TINYINT", "SMALLINT", "INT", "INTEGER", "BIGINT")
_FLOATS = ("FLOAT", "DOUBLE", "REAL")
_TEXT = ("STRING", "VARCHAR", "CHAR", "TEXT")


def _base(type_sql: str) -> str:
    return re.split(r"[(<\s]", type_sql.strip().upper(), maxsplit=1)[0]


def canonical(value: Any, type_sql: str) -> Any:
    """``value`` (as YAML gave it) as the Python value of ``type_sql``; ValueError (saying
    why, for the test's author) when it is not one."""
    if value is None:
        return None
    base = _base(type_sql)
    try:
        if base in _INTS:
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise ValueError
            return int(value)
        if base in ("DECIMAL", "NUMERIC", "DEC"):
            if isinstance(value, bool):
                raise ValueError
            return Decimal(str(value))
        if base in _FLOATS:
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if base == "BOOLEAN":
            if not isinstance(value, bool):
                raise ValueError
            return value
        if base in _TEXT:
            if not isinstance(value, str):
                raise ValueError(f"{value!r} is not a {type_sql}: quote it")
            return value
        if base == "DATE":
            return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        if base in ("TIMESTAMP", "TIMESTAMP_LTZ", "TIMESTAMPLTZ"):
            return _timestamp(value)
    except ValueError as exc:
        said = str(exc) if str(exc).endswith("quote it") else ""
        raise ValueError(said or f"{value!r} is not a {type_sql}") from None
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a {type_sql}") from None
    return value  # other types (ARRAY, ROW, MAP, ...) pass as written


def _timestamp(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value).strip().rstrip("Z").replace("T", " ")
    return dt.datetime.fromisoformat(text)


def _json_value(value: Any, type_sql: str) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        text = value.isoformat(sep=" ", timespec="milliseconds")
        return json.dumps(text + ("Z" if "LTZ" in _base(type_sql) else ""))
    if isinstance(value, dt.date):
        return json.dumps(value.isoformat())
    return json.dumps(value)


def json_line(values: dict[str, Any], types: dict[str, str]) -> str:
    """One JSON line for Flink's ``json`` format (decimals exact, timestamps in SQL form)."""
    fields = (f"{json.dumps(k)}: {_json_value(v, types[k])}" for k, v in values.items())
    return "{" + ", ".join(fields) + "}"


def split_printed(body: str, count: int) -> list[str] | None:
    """The fields of a printed row body (``7, 2, 15.50``), or None if they are not ``count``."""
    parts = body.split(", ") if body else [""]
    return parts if len(parts) == count else None


def from_printed(text: str, type_sql: str) -> Any:
    """A value as the print sink writes it (Java's toString), as the canonical Python value."""
    if text == "null":
        return None
    base = _base(type_sql)
    try:
        if base in ("TIMESTAMP", "TIMESTAMP_LTZ", "TIMESTAMPLTZ"):
            return _timestamp(text)
        if base == "BOOLEAN":
            return text == "true"
        return canonical(text, type_sql) if base not in _TEXT else text
    except ValueError:
        return text
