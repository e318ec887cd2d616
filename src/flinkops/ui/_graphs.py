"""Graph layout for the console's pictures: the job DAG and the column lineage.

Pure functions: they take the JSON forms ``show`` and ``lineage`` print (plus the
edges of Flink's job plan) and return boxes and paths with coordinates, which the
templates draw as inline SVG (so every label is escaped by the template engine).
Layout is layered: a node's column is its longest path from a source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Box",
    "Graph",
    "Path",
    "dag_edges",
    "dag_graph",
    "layers",
    "lineage_graph",
    "shorten",
]

# DAG boxes; lineage table boxes grow with their column count
_DAG_W, _DAG_H, _GAP_X, _GAP_Y, _PAD = 290, 104, 90, 28, 16
_TBL_W, _HEAD_H, _ROW_H = 230, 34, 22
#: an edge label's width per character (11px text, bold at worst), and its margin
_CHAR_W, _LABEL_PAD = 7.0, 24.0
#: the longest job name a job -> job label writes whole; longer ones are shortened
_LABEL_NAME = 16


def shorten(text: str, n: int) -> str:
    """``text`` cut to ``n`` characters with an ellipsis (the whole goes in a title)."""
    return text if len(text) <= n else text[: n - 1] + "…"


def _gap(labels: Iterable[str]) -> float:
    """The gap between layers: wide enough for the widest edge label beside the boxes,
    so a label never overlaps a node or is clipped."""
    widest = max((len(label) * _CHAR_W for label in labels), default=0.0)
    return max(_GAP_X, widest + _LABEL_PAD)


@dataclass(frozen=True)
class Box:
    """A node: its key, place and size, and what the template writes in it."""

    key: str
    x: float
    y: float
    w: float
    h: float
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Path:
    """An edge as an SVG cubic path from (x1, y1) to (x2, y2), with its label's spot."""

    source: str
    target: str
    x1: float
    y1: float
    x2: float
    y2: float
    kind: str = ""
    label: str = ""
    #: the label in full (on hover), when ``label`` is shortened
    title: str = ""

    @property
    def d(self) -> str:
        mid = (self.x1 + self.x2) / 2
        return (
            f"M{self.x1:.1f},{self.y1:.1f} C{mid:.1f},{self.y1:.1f} "
            f"{mid:.1f},{self.y2:.1f} {self.x2:.1f},{self.y2:.1f}"
        )

    @property
    def label_x(self) -> float:
        return (self.x1 + self.x2) / 2

    @property
    def label_y(self) -> float:
        return (self.y1 + self.y2) / 2 - 6


@dataclass(frozen=True)
class Graph:
    boxes: tuple[Box, ...]
    paths: tuple[Path, ...]
    width: float
    height: float


def layers(nodes: Sequence[str], edges: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Each node's layer: the length of the longest path reaching it (cycles cut)."""
    preds: dict[str, list[str]] = {n: [] for n in nodes}
    for src, dst in edges:
        if src in preds and dst in preds and src != dst:
            preds[dst].append(src)
    depth: dict[str, int] = {}
    visiting: set[str] = set()

    def walk(node: str) -> int:
        if node in depth:
            return depth[node]
        if node in visiting:  # a cycle: stop here
            return 0
        visiting.add(node)
        depth[node] = max((walk(p) + 1 for p in preds[node]), default=0)
        visiting.discard(node)
        return depth[node]

    for node in nodes:
        walk(node)
    return depth


def _stack(
    nodes: Sequence[str],
    depth: Mapping[str, int],
    heights: Mapping[str, float],
    w: float,
    gap: float = _GAP_X,
) -> tuple[dict[str, tuple[float, float]], float, float]:
    """(x, y) per node: layers left to right ``gap`` apart, nodes of a layer top to bottom."""
    places: dict[str, tuple[float, float]] = {}
    filled: dict[int, float] = {}
    for node in nodes:
        col = depth[node]
        y = filled.get(col, _PAD)
        places[node] = (_PAD + col * (w + gap), y)
        filled[col] = y + heights[node] + _GAP_Y
    height = max(filled.values(), default=_PAD) - _GAP_Y + _PAD
    width = _PAD * 2 + (max(depth.values(), default=0) + 1) * (w + gap) - gap
    return places, width, max(height, 2 * _PAD)


def dag_edges(plan: Mapping[str, Any]) -> list[dict[str, str]]:
    """``[{from, to, ship_strategy}]`` from Flink's job plan (``GET /jobs/:id`` ``plan``)."""
    out = []
    for node in plan.get("nodes") or []:
        for edge in node.get("inputs") or []:
            out.append(
                {
                    "from": str(edge.get("id", "")),
                    "to": str(node.get("id", "")),
                    "ship_strategy": str(edge.get("ship_strategy", "")),
                }
            )
    return out


def dag_graph(vertices: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, str]]) -> Graph:
    """The job's vertices (``show``'s ``live.vertices``) as boxes, its edges as paths."""
    ids = [str(v["id"]) for v in vertices]
    pairs = [(e["from"], e["to"]) for e in edges]
    depth = layers(ids, pairs)
    places, width, height = _stack(ids, depth, dict.fromkeys(ids, _DAG_H), _DAG_W)
    boxes = tuple(Box(str(v["id"]), *places[str(v["id"])], _DAG_W, _DAG_H, v) for v in vertices)
    by_id = {v["id"]: v for v in vertices}
    paths = []
    for e in edges:
        if e["from"] not in places or e["to"] not in places:
            continue
        (x1, y1), (x2, y2) = places[e["from"]], places[e["to"]]
        rate = by_id[e["from"]].get("records_out_per_second")
        label = e.get("ship_strategy", "")
        if rate is not None:
            label = f"{label} · {rate:,.1f}/s".strip(" ·")
        paths.append(
            Path(e["from"], e["to"], x1 + _DAG_W, y1 + _DAG_H / 2, x2, y2 + _DAG_H / 2, "", label)
        )
    return Graph(boxes, tuple(paths), width, height)


def _tables(lineage: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Table nodes keyed ``job: table``, each with its job, name and ordered columns."""
    tables: dict[str, dict[str, Any]] = {}

    def add(job: str, column: str) -> None:
        table, _, col = column.rpartition(".")
        node = tables.setdefault(f"{job}: {table}", {"job": job, "table": table, "columns": []})
        if col and col not in node["columns"]:
            node["columns"].append(col)

    for t in lineage.get("tables") or []:
        for name in [t["sink"], *t["sources"]]:
            tables.setdefault(
                f"{t['job']}: {name}", {"job": t["job"], "table": name, "columns": []}
            )
    for c in lineage.get("columns") or []:
        add(c["job"], c["sink"])
        for src in c["sources"]:
            add(c["job"], src)
    return tables


def _unplaced(source: str, target: str, kind: str, label: str = "") -> Path:
    return Path(source, target, 0, 0, 0, 0, kind, label)


def _what(column: Mapping[str, Any]) -> str:
    """What happened on a column edge, as lineage says: the aggregate function, else
    the kind (identity, expression, window time)."""
    return str(column.get("function") or column.get("kind") or "")


def _column_edges(lineage: Mapping[str, Any], tables: Mapping[str, Any]) -> list[Path]:
    """Unplaced column edges (coordinates 0): within jobs, then across jobs."""
    out = []
    for c in lineage.get("columns") or []:
        for src in c["sources"]:
            out.append(
                _unplaced(f"{c['job']}: {src}", f"{c['job']}: {c['sink']}", "column", _what(c))
            )
    for e in lineage.get("jobs") or []:
        sink = tables.get(f"{e['from_job']}: {e['from_table']}", {"columns": []})
        for col in sink["columns"]:
            out.append(
                _unplaced(
                    f"{e['from_job']}: {e['from_table']}.{col}",
                    f"{e['to_job']}: {e['to_table']}.{col}",
                    "across",
                    e.get("via", ""),
                )
            )
    return out


def lineage_graph(lineage: Mapping[str, Any]) -> Graph:
    """Tables as boxes listing their columns; column edges as paths (``kind`` column/across).

    The cross-job edges (``lineage.jobs``) are also drawn once per table pair, as
    paths of kind ``job`` between the table headers, labelled with the two jobs.
    """
    tables = _tables(lineage)
    keys = list(tables)
    table_edges = [
        (f"{t['job']}: {s}", f"{t['job']}: {t['sink']}")
        for t in lineage.get("tables") or []
        for s in t["sources"]
    ]
    jobs = lineage.get("jobs") or []
    table_edges += [
        (f"{e['from_job']}: {e['from_table']}", f"{e['to_job']}: {e['to_table']}") for e in jobs
    ]
    depth = layers(keys, table_edges)
    heights = {k: _HEAD_H + _ROW_H * max(1, len(tables[k]["columns"])) for k in keys}
    labels = {
        (e["from_job"], e["to_job"]): (
            f"{shorten(e['from_job'], _LABEL_NAME)} → {shorten(e['to_job'], _LABEL_NAME)}"
        )
        for e in jobs
    }
    places, width, height = _stack(keys, depth, heights, _TBL_W, _gap(labels.values()))
    boxes = tuple(Box(k, *places[k], _TBL_W, heights[k], tables[k]) for k in keys)
    anchor = {}
    for k in keys:
        x, y = places[k]
        for i, col in enumerate(tables[k]["columns"]):
            anchor[f"{k}.{col}"] = (x, y + _HEAD_H + _ROW_H * i + _ROW_H / 2)
    paths = []
    for p in _column_edges(lineage, tables):
        if p.source in anchor and p.target in anchor:
            (x1, y1), (x2, y2) = anchor[p.source], anchor[p.target]
            paths.append(Path(p.source, p.target, x1 + _TBL_W, y1, x2, y2, p.kind, p.label))
    for e in jobs:
        a, b = f"{e['from_job']}: {e['from_table']}", f"{e['to_job']}: {e['to_table']}"
        if a in places and b in places:
            (x1, y1), (x2, y2) = places[a], places[b]
            label = labels[(e["from_job"], e["to_job"])]
            full = f"{e['from_job']} → {e['to_job']}"
            ends = (x1 + _TBL_W, y1 + _HEAD_H / 2, x2, y2 + _HEAD_H / 2)
            paths.append(Path(a, b, *ends, "job", label, full))
    return Graph(boxes, tuple(paths), width, height)
