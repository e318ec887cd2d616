"""The compiled-graph cache's table: job graphs Flink's planner returned, by cache key.

Portable SQL through ``store.db``, the same on SQLite and PostgreSQL (see the
store package's doc).

Rows are written once and never change (a key names its content), so a write that
finds the key already there keeps the row it finds. The graph is stored as JSON,
already redacted by the caller. The key is computed by ``flinkops.plan.compiler``; the
Flink version is kept beside it and checked again on read, so a graph compiled by
one Flink version is never handed out for another even if keys ever collided.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flinkops.store._records import utc_now

if TYPE_CHECKING:
    from flinkops.store._store import Store

__all__ = ["CachedGraph", "count_graphs", "get_graphs", "put_graphs"]

_CHUNK = 500  # parameters per IN (...), well under every backend's limit


@dataclass(frozen=True)
class CachedGraph:
    key: str
    flink_version: str
    cluster: str
    graph: dict[str, Any]


def get_graphs(store: Store, keys: Iterable[str], flink_version: str) -> dict[str, dict[str, Any]]:
    """The cached graphs of ``keys`` compiled by ``flink_version``, by key (misses absent)."""
    wanted = sorted(set(keys))
    found: dict[str, dict[str, Any]] = {}
    with store.db.read("get_graphs") as db:
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ", ".join("?" for _ in chunk)
            rows = db.execute(
                f"SELECT cache_key, graph FROM compiled_graphs WHERE flink_version = ? "
                f"AND cache_key IN ({marks})",
                (flink_version, *chunk),
            ).fetchall()
            for row in rows:
                found[row[0]] = json.loads(row[1])
    return found


def put_graphs(store: Store, graphs: Sequence[CachedGraph]) -> None:
    """Add graphs in one transaction; a key already cached keeps its row."""
    if not graphs:
        return
    now = utc_now()
    with store.db.write("put_graphs") as db:
        for g in graphs:
            db.execute(
                "INSERT INTO compiled_graphs (cache_key, flink_version, cluster, graph, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (cache_key) DO NOTHING",
                (
                    g.key,
                    g.flink_version,
                    g.cluster,
                    json.dumps(g.graph, separators=(",", ":")),
                    now,
                ),
            )


def count_graphs(store: Store) -> int:
    """How many graphs the cache holds (for tests and `--format json` summaries)."""
    return store.db.count("compiled_graphs")
