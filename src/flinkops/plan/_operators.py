"""The stateful operators of a compiled job graph, and what their inputs mean.

Flink's planner (``jars/:id/plan``) describes each vertex as its chained operators
(``GroupAggregate(groupBy=[k], select=[k, SUM(v) AS EXPR$1])``); this module reads the
stateful ones in graph order, with the vertex id Flink maps their savepoint state by.

Descriptions name computed fields, not what computes them: ``GROUP BY mid % 7``
and ``GROUP BY mid % 5`` both give ``GroupAggregate(groupBy=[EXPR$0])``, with the
same vertex ids, and Flink restores the old accumulators under keys that now mean
something else. And they name fields as the SQL did: ``GROUP BY zone`` and the same
key renamed in a subquery or a view (``SELECT zone AS area``) print ``groupBy=[zone]``
and ``groupBy=[area]`` although the state holds the same values. So each key, join
condition, aggregate call and select item is traced up the graph through the
operators that compute it (``Calc(select=[MOD(mid, 7) AS EXPR$0])``) to the source
table's fields, qualified by table (``src.mid``): ``Operator.derived``, which compares
equal for a rename and differs for another field or table. The filters on the way
are traced the same way (``Operator.filters``). ``plan/compat.py`` compares two
graphs' operators. Pure.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DERIVED_KEYS",
    "KEY_PARTS",
    "STATEFUL",
    "Operator",
    "conjuncts",
    "split_top",
    "stateful_operators",
]

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


@dataclass(frozen=True)
class Operator:
    kind: str
    args: tuple[tuple[str, str], ...]
    #: the job vertex id when this operator heads its vertex (then it is the operator id
    #: Flink maps savepoint state by); "" when it is chained behind another operator
    vertex: str = field(default="", compare=False)
    #: keys, join condition, select list (``DERIVED_KEYS``) with every field traced to
    #: what computes it, down to qualified source fields (``src.mid``); None for a part
    #: whose derivation could not be resolved
    derived: tuple[tuple[str, str | None], ...] = field(default=(), compare=False)
    #: the filters (Calc ``where``) on the way to this operator, nearest first, as printed
    filters: tuple[str, ...] = field(default=(), compare=False)
    #: the same filters traced like ``derived`` (None where a field is defined nowhere)
    traced_filters: tuple[str | None, ...] = field(default=(), compare=False)
    #: the operators feeding this one, as Flink describes them (what derivations read)
    upstream: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def describe(self) -> str:
        return f"{self.kind}({', '.join(f'{k}=[{v}]' for k, v in self.args)})"


def split_top(text: str, sep: str = ",") -> list[str]:
    parts: list[str] = []
    depth = 0
    cur: list[str] = []
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


def conjuncts(condition: str) -> list[str]:
    """A condition's top-level ``AND`` parts: ``((a > 1) AND (b < 2))`` -> ``(a > 1)``,
    ``(b < 2)``; the whole condition when it is not a conjunction."""
    text = condition.strip()
    while text.startswith("(") and text.endswith(")") and _closes_at_end(text):
        inner = text[1:-1].strip()
        parts = _split_and(inner)
        if len(parts) > 1:
            return [p for part in parts for p in conjuncts(part)]
        if not (inner.startswith("(") and inner.endswith(")")):
            break
        text = inner
    return [text]


def _split_and(text: str) -> list[str]:
    """``text`` split at its ``AND``s outside parentheses."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and text.startswith(" AND ", i):
            parts.append(text[start:i].strip())
            start = i = i + len(" AND ")
            continue
        i += 1
    return [*parts, text[start:].strip()]


def _closes_at_end(text: str) -> bool:
    """Whether the ``(`` that opens ``text`` is closed by its last character."""
    depth = 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return i == len(text) - 1
    return False


def _raw_args(text: str) -> tuple[tuple[str, str], ...]:
    """``(k=[v], ...)`` as (key, value) pairs, aliases kept."""
    inner = text.strip()
    if inner.startswith("(") and inner.endswith(")"):
        inner = inner[1:-1]
    out = []
    for part in split_top(inner):
        key, _, value = part.partition("=")
        value = value.strip()
        if value.startswith("[") and value.endswith("]"):
            value = value[1:-1]
        out.append((key.strip(), value))
    return tuple(out)


def _args(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((key, _ALIAS.sub("", value)) for key, value in _raw_args(text))


def stateful_operators(graph: Mapping[str, Any]) -> list[Operator]:
    """The stateful operators of a job graph, sources first, with their derivations."""
    nodes = list(graph.get("nodes", []))
    by_id = {str(n.get("id", "")): n for n in nodes}
    found: list[Operator] = []
    for node in _topological(nodes):
        lines = _lines(node)
        for i, (kind, rest) in enumerate(lines):
            if kind not in STATEFUL:
                continue
            head = str(node.get("id", "")) if i == 0 else ""
            upstream = _upstream(lines[:i], node, by_id)
            derived, filters, traced = _derive(rest, upstream)
            context = tuple(re.sub(r"\[\d+\]:?", "", f"{k}{args}") for k, args in upstream)
            found.append(Operator(kind, _args(rest), head, derived, filters, traced, context))
    return found


def _lines(node: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A vertex's chained operators in order: (kind, argument text)."""
    lines = html.unescape(str(node.get("description", ""))).split("<br/>")
    out = []
    for line in lines:
        match = _OP.match(line) if line.strip() else None
        if match:
            out.append((match.group(1), match.group(2)))
    return out


def _upstream(
    before: list[tuple[str, str]], node: Mapping[str, Any], by_id: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """The operators feeding one, nearest first: its chain, then its inputs' chains."""
    out = list(reversed(before))
    queue = [str(e.get("id", "")) for e in node.get("inputs", []) or []]
    seen: set[str] = set()
    while queue:
        vertex = queue.pop(0)
        if vertex in seen or vertex not in by_id:
            continue
        seen.add(vertex)
        out.extend(reversed(_lines(by_id[vertex])))
        queue.extend(str(e.get("id", "")) for e in by_id[vertex].get("inputs", []) or [])
    return out


# Parts of a stateful operator whose meaning its state depends on, and that name fields.
DERIVED_KEYS = ("groupBy", "partitionBy", "key", "orderBy", "where", "window", "select")
#: keys among them that say what the state is keyed by
KEY_PARTS = ("groupBy", "partitionBy", "key")
_FIELD = re.compile(r"(?<![\w$'.])([A-Za-z_$][\w$]*)(?![\w$]*\s*\()")
_GENERATED = re.compile(r"^(?:\$f\d+|EXPR\$\d+|\$\w+|\w+\$\d+)$")
_CALL_OR_NAME = re.compile(r"[\w$.]+(?:\(.*\))?|\(.*\)", re.DOTALL)
_AS = re.compile(r"^(.*?)\s+AS\s+([`\w$]+)$", re.IGNORECASE | re.DOTALL)
_TABLE = re.compile(r"table=\[\[(?:[^\]]*,\s*)?([^\],]+)\]\]")
#: marks a definition that is a source table's field: traced no further
_SOURCE = "@"


def _derive(
    rest: str, upstream: list[tuple[str, str]]
) -> tuple[tuple[tuple[str, str | None], ...], tuple[str, ...], tuple[str | None, ...]]:
    """The operator's keys, condition and select list in terms of source fields, and the
    filters on the way (as printed, and traced from where each one stands)."""
    definitions = [_definitions(k, args) for k, args in upstream]
    derived = []
    for key, value in _args(rest):
        if key not in DERIVED_KEYS:
            continue
        parts = split_top(value)
        if parts:
            traced = [_trace(p, definitions, 0) for p in parts]
            joined = None if None in traced else ", ".join(t for t in traced if t)
            derived.append((key, joined))
    filters = [
        (where, _trace(where, definitions, i + 1))
        for i, (k, args) in enumerate(upstream)
        if k == "Calc" and (where := dict(_raw_args(args)).get("where", ""))
    ]
    return tuple(derived), tuple(f for f, _ in filters), tuple(t for _, t in filters)


def _definitions(kind: str, args: str) -> dict[str, str]:
    """What an operator's ``select`` computes: output field -> expression; a source
    scan's fields -> the qualified source field (``src.mid``)."""
    raw = dict(_raw_args(args))
    if kind == "TableSourceScan":
        table = _TABLE.search(args)
        name = table.group(1).strip() if table else "?"
        return {f: f"{_SOURCE}{name}.{f}" for f in split_top(raw.get("fields") or "")}
    out: dict[str, str] = {}
    for item in split_top(raw.get("select") or ""):
        match = _AS.match(item)
        if match:
            out[match.group(2).strip("`")] = match.group(1).strip()
        else:
            out[item] = item
    return out


def _trace(expression: str, definitions: list[dict[str, str]], depth: int) -> str | None:
    """``expression`` with every computed field replaced by what computes it, up the graph;
    None when a generated field (``$f0``, ``EXPR$0``) is defined nowhere upstream."""
    unresolved = False

    def replace(match: re.Match[str], level: int = depth) -> str:
        nonlocal unresolved
        name = match.group(1)
        for i in range(level, len(definitions)):
            value = definitions[i].get(name)
            if value is None or value == name:
                continue
            if value.startswith(_SOURCE):
                return value[len(_SOURCE) :]
            traced = _trace(value, definitions, i + 1)
            if traced is None:
                unresolved = True
                return name
            return traced if _CALL_OR_NAME.fullmatch(traced) else f"({traced})"
        if _GENERATED.match(name) and not any(name in d for d in definitions[level:]):
            unresolved = True
        return name

    result = _FIELD.sub(replace, expression)
    return None if unresolved else result


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
