"""Lineage for people: text (from the JSON form), Graphviz dot, and Mermaid.

The graphs are table-level: one node per (job, table), an edge from each source
table to the sink a job writes, labelled with what happens on its column edges
(identity, expression, window time, or the aggregate functions), and a dashed edge
where one job's sink is another job's source (same connector identity). Mermaid
output renders in GitHub comments.
"""

from __future__ import annotations

import re
from typing import Any

from flinkops.sql.lineage import Lineage

__all__ = ["to_dot", "to_mermaid", "to_text"]


def to_text(data: dict[str, Any]) -> str:
    """Human lineage from ``Lineage.to_json()``."""
    lines = [] if data["tables"] else ["No INSERT statements: nothing to trace."]
    columns_by_sink: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for column in data["columns"]:
        table = column["sink"].rpartition(".")[0]
        columns_by_sink.setdefault((column["job"], table), []).append(column)
    job = None
    for table in data["tables"]:
        if table["job"] != job:
            job = table["job"]
            lines.append(f"{job}:")
        sources = ", ".join(table["sources"]) or "(no tables)"
        lines.append(f"  {table['sink']} <- {sources}")
        for column in columns_by_sink.get((table["job"], table["sink"]), []):
            sources = ", ".join(column["sources"]) or "(no columns)"
            kind = column.get("function") or column.get("kind", "identity")
            lines.append(f"    {column['sink']} <- {sources}  [{kind}]")
    if data["jobs"]:
        lines.append("between jobs:")
        for edge in data["jobs"]:
            lines.append(
                f"  {edge['from_job']}: {edge['from_table']} -> "
                f"{edge['to_job']}: {edge['to_table']}  ({edge['via']})"
            )
    if data.get("warnings"):
        lines.append("warnings:")
        lines.extend(f"  {w}" for w in data["warnings"])
    return "\n".join(lines)


def _node_id(job: str, table: str) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9_]", "_", f"{job}__{table}")


def _nodes_and_edges(
    lineage: Lineage,
) -> tuple[
    dict[str, list[tuple[str, str]]], list[tuple[str, str, str]], list[tuple[str, str, str]]
]:
    """Per job its (node id, table) pairs; (from, to, label) table edges; cross-job edges."""
    nodes: dict[str, dict[str, str]] = {}
    labels: dict[tuple[str, str], set[str]] = {}
    for table in lineage.tables:
        job_nodes = nodes.setdefault(table.job, {})
        sink = _node_id(table.job, table.sink)
        job_nodes[sink] = table.sink
        for source in table.sources:
            node = _node_id(table.job, source)
            job_nodes[node] = source
            labels.setdefault((node, sink), set())
    for column in lineage.columns:
        sink = _node_id(column.job, column.sink.rpartition(".")[0])
        for source in column.sources:
            edge = (_node_id(column.job, source.rpartition(".")[0]), sink)
            if edge in labels:
                labels[edge].add(column.label)
    edges = sorted((a, b, ", ".join(sorted(found))) for (a, b), found in labels.items())
    cross = sorted(
        {
            (_node_id(e.from_job, e.from_table), _node_id(e.to_job, e.to_table), e.via)
            for e in lineage.jobs
        }
    )
    ordered = {job: sorted(n.items()) for job, n in sorted(nodes.items())}
    return ordered, edges, cross


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(lineage: Lineage) -> str:
    """A Graphviz digraph with one cluster per job."""
    nodes, edges, cross = _nodes_and_edges(lineage)
    lines = ["digraph lineage {", "  rankdir=LR;", "  node [shape=box];"]
    for i, (job, job_nodes) in enumerate(nodes.items()):
        lines.append(f"  subgraph cluster_{i} {{")
        lines.append(f'    label="{_quote(job)}";')
        lines.extend(f'    {node} [label="{_quote(table)}"];' for node, table in job_nodes)
        lines.append("  }")
    lines.extend(
        f'  {a} -> {b} [label="{_quote(label)}"];' if label else f"  {a} -> {b};"
        for a, b, label in edges
    )
    lines.extend(f'  {a} -> {b} [style=dashed, label="{_quote(via)}"];' for a, b, via in cross)
    lines.append("}")
    return "\n".join(lines)


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def to_mermaid(lineage: Lineage) -> str:
    """A Mermaid flowchart (renders in GitHub pull-request comments)."""
    nodes, edges, cross = _nodes_and_edges(lineage)
    lines = ["flowchart LR"]
    for i, (job, job_nodes) in enumerate(nodes.items()):
        lines.append(f'  subgraph job_{i}["{_mermaid_text(job)}"]')
        lines.extend(f'    {node}["{_mermaid_text(table)}"]' for node, table in job_nodes)
        lines.append("  end")
    lines.extend(
        f'  {a} -->|"{_mermaid_text(label)}"| {b}' if label else f"  {a} --> {b}"
        for a, b, label in edges
    )
    lines.extend(f'  {a} -.->|"{_mermaid_text(via)}"| {b}' for a, b, via in cross)
    return "\n".join(lines)
