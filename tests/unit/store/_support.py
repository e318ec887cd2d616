"""Helpers the store's tests share: a version record to store, one raw write."""

from __future__ import annotations

from typing import Any

from flinkops.store import Store, VersionRecord

__all__ = ["make_version", "write"]


def make_version(version: int = 1, **changes: Any) -> VersionRecord:
    values: dict[str, Any] = {
        "target": "local",
        "job": "orders",
        "version": version,
        "spec_hash": f"spec{version}",
        "sql_hash": f"sql{version}",
        "config_hash": f"conf{version}",
        "spec": {"metadata": {"name": "orders"}, "spec": {"parallelism": version}},
        "sql": f"INSERT INTO sink SELECT {version} FROM src",
    }
    values.update(changes)
    return VersionRecord(**values)


def write(location: str, sql: str, params: tuple[Any, ...] = ()) -> None:
    """One statement through the store's own connection (``?`` placeholders, any backend)."""
    with Store(location) as s, s.db.write("test") as db:
        db.execute(sql, params)
