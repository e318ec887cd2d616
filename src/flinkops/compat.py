"""State compatibility of an update, read from Flink's own planner.

Flink compiles the old and the new SQL (``jars/:id/plan``); this module compares
the stateful operators of the two job graphs. Vertex ids alone are not enough:
on Flink 2.3 they are topology hashes, identical for ``SUM(v)`` and ``MAX(v)``
over the same GROUP BY, and such a job restores the old accumulators silently.
So the operators' descriptions (group keys, aggregate calls, join keys, rank
settings) are compared, and any change to them is ``at-risk`` even when Flink
would accept the savepoint. Pure: graphs in, verdict out.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flinkops.plan import Compat, StateImpact

__all__ = ["Operator", "compare_graphs", "stateful_operators", "unknown"]

# Operators that keep keyed or operator state across checkpoints.
STATEFUL = frozenset(
    {
        "GroupAggregate",
        "GlobalGroupAggregate",
        "IncrementalGroupAggregate",
        "GroupWindowAggregate",
        "GlobalWindowAggregate",
        "WindowAggregate",
        "PythonGroupAggregate",
        "PythonGroupWindowAggregate",
        "GroupTableAggregate",
        "PythonGroupTableAggregate",
        "Join",
        "MultiJoin",
        "IntervalJoin",
        "TemporalJoin",
        "WindowJoin",
        "ProcTimeIntervalJoin",
        "Rank",
        "WindowRank",
        "Deduplicate",
        "WindowDeduplicate",
        "Match",
        "ProcessTableFunction",
        "OverAggregate",
        "PythonOverAggregate",
        "ChangelogNormalize",
        "SinkMaterializer",
        "Limit",
        "SortLimit",
        "TemporalSort",
        "Sort",
    }
)
_OP = re.compile(r"^\s*(?:[|+\- ]*)(?:\[\d+\]:)?\s*([A-Za-z]+)(.*)$")
_ALIAS = re.compile(r"\s+AS\s+[`\w$]+", re.IGNORECASE)
_KEY_ORDER = (
    "groupBy",
    "partitionBy",
    "joinType",
    "where",
    "leftInputSpec",
    "rightInputSpec",
    "window",
    "rankType",
    "rankRange",
    "orderBy",
    "select",
)


@dataclass(frozen=True)
class Operator:
    kind: str
    args: tuple[tuple[str, str], ...]
    #: the job vertex id when this operator heads its vertex (then it is the operator id
    #: Flink maps savepoint state by); "" when it is chained behind another operator
    vertex: str = field(default="", compare=False)

    def describe(self) -> str:
        return f"{self.kind}({', '.join(f'{k}=[{v}]' for k, v in self.args)})"


def unknown(why: str) -> Compat:
    return Compat(StateImpact.AT_RISK, (f"unknown: {why}",))


def _split_top(text: str, sep: str = ",") -> list[str]:
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


def _args(text: str) -> tuple[tuple[str, str], ...]:
    inner = text.strip()
    if inner.startswith("(") and inner.endswith(")"):
        inner = inner[1:-1]
    out = []
    for part in _split_top(inner):
        key, _, value = part.partition("=")
        value = value.strip()
        if value.startswith("[") and value.endswith("]"):
            value = value[1:-1]
        value = _ALIAS.sub("", value)
        out.append((key.strip(), value))
    return tuple(out)


def stateful_operators(graph: Mapping[str, Any]) -> list[Operator]:
    """The stateful operators of a job graph, sources first."""
    nodes = list(graph.get("nodes", []))
    order = _topological(nodes)
    found: list[Operator] = []
    for node in order:
        lines = html.unescape(str(node.get("description", ""))).split("<br/>")
        for i, line in enumerate(ln for ln in lines if ln.strip()):
            match = _OP.match(line)
            if match and match.group(1) in STATEFUL:
                head = str(node.get("id", "")) if i == 0 else ""
                found.append(Operator(match.group(1), _args(match.group(2)), head))
    return found


def _topological(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_id = {n["id"]: n for n in nodes}
    seen: set[str] = set()
    out: list[dict[str, Any]] = []

    def visit(node: dict[str, Any]) -> None:
        if node["id"] in seen:
            return
        seen.add(node["id"])
        for edge in node.get("inputs", []) or []:
            if edge.get("id") in by_id:
                visit(by_id[edge["id"]])
        out.append(node)

    for node in nodes:
        visit(node)
    return out


def _label(key: str) -> str:
    return {
        "select": "select list",
        "groupBy": "group keys",
        "partitionBy": "partition keys",
        "orderBy": "order",
        "where": "condition",
    }.get(key, key)


def _shown(key: str, old: str | None, new: str | None) -> tuple[str, str]:
    """The two values as a reason shows them: a select list by its calls when they differ."""
    if key == "select" and old is not None and new is not None:
        calls_old = [i for i in _split_top(old) if "(" in i]
        calls_new = [i for i in _split_top(new) if "(" in i]
        if (calls_old or calls_new) and calls_old != calls_new:
            return ", ".join(calls_old) or "(no calls)", ", ".join(calls_new) or "(no calls)"
    return old if old is not None else "(none)", new if new is not None else "(none)"


def _compare(old: Operator, new: Operator) -> list[str]:
    a, b = dict(old.args), dict(new.args)
    reasons = []
    keys = sorted(
        set(a) | set(b),
        key=lambda k: (_KEY_ORDER.index(k) if k in _KEY_ORDER else len(_KEY_ORDER), k),
    )
    for key in keys:
        if a.get(key) != b.get(key):
            before, after = _shown(key, a.get(key), b.get(key))
            reasons.append(f"{old.kind} {_label(key)} changed: {before} -> {after}")
    return reasons


def _moved(op: Operator, allow_non_restored_state: bool) -> str:
    """Flink maps savepoint state by operator id, and the id hashes the graph's shape."""
    if allow_non_restored_state:
        return (
            f"{op.kind} operator id changed ({op.vertex[:8]}...): its state is dropped "
            "(allowNonRestoredState)"
        )
    return (
        f"{op.kind} operator id changed ({op.vertex[:8]}...; the job graph's shape "
        "changed, e.g. a first filter or projection before it): Flink cannot map its "
        "state and will refuse the savepoint"
    )


def compare_graphs(
    old: Mapping[str, Any], new: Mapping[str, Any], *, allow_non_restored_state: bool = False
) -> Compat:
    """Verdict on restoring ``old``'s state into ``new``, with the reasons."""
    if not old.get("nodes") or not new.get("nodes"):
        return unknown("Flink returned no job graph to compare")
    before, after = stateful_operators(old), stateful_operators(new)
    if not before and not after:
        return Compat(StateImpact.PRESERVED, ("no stateful operators",))
    kinds_before = Counter(op.kind for op in before)
    kinds_after = Counter(op.kind for op in after)
    reasons: list[str] = []
    impact = StateImpact.PRESERVED
    for kind, n in sorted((kinds_after - kinds_before).items()):
        reasons.append(f"{kind} added ({n}): its state starts empty")
        impact = StateImpact.AT_RISK
    removed = kinds_before - kinds_after
    for kind, n in sorted(removed.items()):
        if allow_non_restored_state:
            reasons.append(f"{kind} removed ({n}): its state is dropped (allowNonRestoredState)")
            impact = StateImpact.LOST
        else:
            reasons.append(
                f"{kind} removed ({n}): Flink will refuse the savepoint unless "
                "allowNonRestoredState"
            )
            impact = StateImpact.AT_RISK if impact is not StateImpact.LOST else impact
    new_ids = {str(n.get("id", "")) for n in new.get("nodes", [])}
    pending = list(after)
    for op in before:
        match = next((o for o in pending if o.kind == op.kind), None)
        if match is None:
            continue
        pending.remove(match)
        if op.vertex and op.vertex not in new_ids:
            reasons.append(_moved(op, allow_non_restored_state))
            impact = (
                StateImpact.LOST
                if allow_non_restored_state
                else (StateImpact.AT_RISK if impact is not StateImpact.LOST else impact)
            )
        changed = _compare(op, match)
        if changed:
            reasons.extend(changed)
            if impact is StateImpact.PRESERVED:
                impact = StateImpact.AT_RISK
    if impact is StateImpact.PRESERVED:
        kinds = ", ".join(sorted(kinds_before))
        reasons.append(f"stateful operators unchanged ({kinds})")
    return Compat(impact, tuple(reasons))
