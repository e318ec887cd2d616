"""State compatibility of an update, read from Flink's own planner: a rule list.

Flink compiles the old and the new SQL (``jars/:id/plan``); this module compares
the stateful operators of the two job graphs (``plan/_operators.py`` reads them).
Vertex ids alone are not enough: on Flink 2.3 they are topology hashes, identical for
``SUM(v)`` and ``MAX(v)`` over the same GROUP BY, and such a job restores the old
accumulators silently. So what the state holds is compared, not how the operator is
printed: each key, condition and select item traced to qualified source fields
(``Operator.derived``). A part that differs in print only (an alias, a field renamed in
a subquery or a view) is a note; a part that means something else is ``at-risk`` even
when Flink would accept the savepoint. Where flinkops is sure Flink refuses the savepoint
(an operator id gone, an accumulator row that changes arity) the finding is
``incompatible``; never where it is not sure, and never ``preserved`` where it cannot
tell. A changed filter before the operator is preserved only when it narrows on the
operator's own keys (the state of every key it keeps is what the new query keeps);
otherwise the restored state holds rows the new query excludes, or lacks rows it admits.

Each rule is one small function in ``GRAPH_RULES`` or ``OPERATOR_RULES``; a new rule
is one function and one entry there, and one row in DESIGN.md's rule table. Pure:
graphs in, verdict out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from flinkops.plan._operators import (
    DERIVED_KEYS,
    KEY_PARTS,
    Operator,
    conjuncts,
    split_top,
    stateful_operators,
)
from flinkops.plan._types import Compat, StateImpact

__all__ = [
    "GRAPH_RULES",
    "OPERATOR_RULES",
    "Compared",
    "Finding",
    "compare_graphs",
    "findings",
    "unknown",
    "with_config",
]

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


def unknown(why: str) -> Compat:
    return Compat(StateImpact.AT_RISK, (f"unknown: {why}",))


def _label(key: str) -> str:
    return {
        "select": "select list",
        "groupBy": "group keys",
        "partitionBy": "partition keys",
        "orderBy": "order",
        "where": "condition",
        "key": "key",
    }.get(key, key)


def _shown(key: str, old: str | None, new: str | None) -> tuple[str, str]:
    """The two values as a reason shows them: a select list by its calls when they differ."""
    if key == "select" and old is not None and new is not None:
        calls_old = [i for i in split_top(old) if "(" in i]
        calls_new = [i for i in split_top(new) if "(" in i]
        if (calls_old or calls_new) and calls_old != calls_new:
            return ", ".join(calls_old) or "(no calls)", ", ".join(calls_new) or "(no calls)"
    return old if old is not None else "(none)", new if new is not None else "(none)"


# ---------------------------------------------------------------- the rules
#
# A rule reads the two graphs (``Compared``) and yields findings: an impact and the reason
# people read. ``compare_graphs`` runs GRAPH_RULES, then OPERATOR_RULES on each old
# stateful operator and the new one it maps to, and the verdict is the worst finding.
# Reasons keep the rules' order, findings that leave the state preserved (notes) last.
# DESIGN.md ("State compatibility") lists the rules with the Flink behaviour behind each.


@dataclass(frozen=True)
class Finding:
    """What one rule found: the impact on the job's state and the reason, for people."""

    impact: StateImpact
    reason: str


@dataclass(frozen=True)
class Compared:
    """Two compiled job graphs as the rules read them."""

    before: tuple[Operator, ...]  # the applied version's stateful operators
    after: tuple[Operator, ...]  # the new version's
    new_ids: frozenset[str]  # the new graph's vertex ids
    allow_non_restored_state: bool  # the spec lets Flink drop state it cannot map

    @classmethod
    def of(
        cls, old: Mapping[str, Any], new: Mapping[str, Any], allow_non_restored_state: bool
    ) -> Compared:
        return cls(
            tuple(stateful_operators(old)),
            tuple(stateful_operators(new)),
            frozenset(str(n.get("id", "")) for n in new.get("nodes", [])),
            allow_non_restored_state,
        )

    def pairs(self) -> Iterator[tuple[Operator, Operator]]:
        """Each old stateful operator with the new one whose state it becomes: the next
        new operator of its kind, in graph order."""
        pending = list(self.after)
        for op in self.before:
            match = next((o for o in pending if o.kind == op.kind), None)
            if match is not None:
                pending.remove(match)
                yield op, match

    def unpaired(self) -> list[Operator]:
        """The old stateful operators no new operator takes the state of."""
        paired = [id(old) for old, _ in self.pairs()]
        return [op for op in self.before if id(op) not in paired]


GraphRule = Callable[[Compared], Iterator[Finding]]
OperatorRule = Callable[[Operator, Operator, Compared], Iterator[Finding]]


def _kinds(ops: Iterable[Operator]) -> Counter[str]:
    return Counter(op.kind for op in ops)


def _by_kind(ops: Iterable[Operator]) -> list[tuple[str, list[Operator]]]:
    grouped: dict[str, list[Operator]] = {}
    for op in ops:
        grouped.setdefault(op.kind, []).append(op)
    return sorted(grouped.items())


def operator_added(c: Compared) -> Iterator[Finding]:
    """A stateful operator kind the old graph has fewer of: nothing to restore it from."""
    for kind, n in sorted((_kinds(c.after) - _kinds(c.before)).items()):
        yield Finding(StateImpact.AT_RISK, f"{kind} added ({n}): its state starts empty")


def operator_removed(c: Compared) -> Iterator[Finding]:
    """Savepoint state no new operator takes: Flink refuses it unless told to drop it.

    Sure (incompatible) when the removed operator headed its vertex and that id is gone
    from the new graph; at-risk when its id lives on under another operator, whose
    state Flink would then try to restore from it.
    """
    for kind, ops in _by_kind(c.unpaired()):
        n = len(ops)
        if c.allow_non_restored_state:
            yield Finding(
                StateImpact.LOST,
                f"{kind} removed ({n}): its state is dropped (allowNonRestoredState)",
            )
        elif all(op.vertex and op.vertex not in c.new_ids for op in ops):
            ids = ", ".join(f"{op.vertex[:8]}..." for op in ops)
            yield Finding(
                StateImpact.INCOMPATIBLE,
                f"{kind} removed ({n}; operator id {ids}): Flink will refuse the savepoint "
                "(its state has no operator in the new program) unless allowNonRestoredState",
            )
        else:
            yield Finding(
                StateImpact.AT_RISK,
                f"{kind} removed ({n}): its operator id is still in the new graph, under "
                "another operator, which Flink may hand its state to or refuse",
            )


def operator_id_changed(old: Operator, new: Operator, c: Compared) -> Iterator[Finding]:
    """Flink maps savepoint state by operator id, and the id hashes the graph's shape."""
    if not old.vertex or old.vertex in c.new_ids:
        return
    if c.allow_non_restored_state:
        yield Finding(
            StateImpact.LOST,
            f"{old.kind} operator id changed ({old.vertex[:8]}...): its state is dropped "
            "(allowNonRestoredState)",
        )
    else:
        yield Finding(
            StateImpact.INCOMPATIBLE,
            f"{old.kind} operator id changed ({old.vertex[:8]}...; the job graph's shape "
            "changed, e.g. a first filter or projection before it): Flink cannot map its "
            "state and will refuse the savepoint",
        )


#: Operators whose keyed state holds one row of accumulators, one or more fields per
#: aggregate call: more or fewer calls change the row's arity, and Flink refuses to
#: restore it (checked on Flink 2.3, DESIGN.md). Window aggregates are not checked yet.
_ACCUMULATOR_ROWS = frozenset({"GroupAggregate"})


def _calls(select: str | None) -> Counter[str]:
    return Counter(i for i in split_top(select or "") if "(" in i)


def accumulators_changed(old: Operator, new: Operator, c: Compared) -> Iterator[Finding]:
    """Aggregate calls only added or only removed: the accumulator row's arity changes.

    Only when sure: calls of a changelog input (``*_RETRACT``, which may share hidden
    counters) and calls both added and removed (``AVG`` -> ``SUM, COUNT`` may keep the
    arity) are left to ``settings_changed`` (at-risk).
    """
    if old.kind not in _ACCUMULATOR_ROWS or new.kind != old.kind:
        return
    before, after = _calls(dict(old.args).get("select")), _calls(dict(new.args).get("select"))
    if before == after or any("_RETRACT(" in call for call in before | after):
        return
    if not (before < after or after < before):
        return
    what = "added" if before < after else "removed"
    calls = ", ".join(sorted(((after - before) or (before - after)).elements()))
    yield Finding(
        StateImpact.INCOMPATIBLE,
        f"{old.kind} aggregate calls {what} ({calls}): its accumulators change shape and "
        "Flink will refuse to restore its state",
    )


def _parts(old: Operator, new: Operator) -> list[tuple[str, str | None, str | None]]:
    """Each description key of the two operators with its printed values, in show order."""
    a, b = dict(old.args), dict(new.args)
    keys = sorted(
        set(a) | set(b),
        key=lambda k: (_KEY_ORDER.index(k) if k in _KEY_ORDER else len(_KEY_ORDER), k),
    )
    return [(key, a.get(key), b.get(key)) for key in keys]


def _same_meaning(old: Operator, new: Operator, key: str) -> bool:
    """Both sides of ``key`` trace to the same source fields and expressions."""
    a, b = dict(old.derived).get(key), dict(new.derived).get(key)
    return a is not None and a == b


def settings_changed(old: Operator, new: Operator, c: Compared) -> Iterator[Finding]:
    """Keys, calls, join or window settings differ: Flink restores the old state anyway.

    A part whose printed names differ but that traces to the same source fields and
    expressions (a renamed alias or field, a view) is ``names_only``'s, not a change; a
    narrowed setting with a rule of its own (``_NARROWING``) is that rule's.
    """
    for key, before, after in _parts(old, new):
        if before == after or _same_meaning(old, new, key) or key in _NARROWING:
            continue
        shown = _shown(key, before, after)
        if shown[0] == shown[1]:  # differs only where traced: show what it means
            shown = _shown(key, dict(old.derived).get(key), dict(new.derived).get(key))
        yield Finding(
            StateImpact.AT_RISK, f"{old.kind} {_label(key)} changed: {shown[0]} -> {shown[1]}"
        )


def names_only(old: Operator, new: Operator, c: Compared) -> Iterator[Finding]:
    """Printed differently, meaning the same: every field traces to the same source field
    and expression, so the state holds the same values in the same places (a note)."""
    for key, before, after in _parts(old, new):
        if before != after and _same_meaning(old, new, key):
            yield Finding(
                StateImpact.PRESERVED,
                f"{old.kind} {_label(key)} renamed only: {before} -> {after} "
                f"(the same source fields: {dict(old.derived)[key]})",
            )


def computed_differently(old: Operator, new: Operator, c: Compared) -> Iterator[Finding]:
    """Same description, different meaning: a key or argument now computed otherwise."""
    if old.upstream == new.upstream:
        return  # the same operators compute its inputs: nothing can mean otherwise
    a, b, printed = _own(old), _own(new), dict(new.args)
    for key in [k for k in DERIVED_KEYS if k in a or k in b]:
        if dict(old.args).get(key) != printed.get(key):
            continue  # settings_changed or names_only says it
        what = "aggregate calls are" if key == "select" else f"{_label(key)} {_VERB[key]}"
        if a.get(key) is None or b.get(key) is None:
            yield Finding(
                StateImpact.AT_RISK,
                f"unknown: {old.kind} {what} computed by operators Flink's graph does not "
                "show, so a change to them cannot be ruled out",
            )
        elif a[key] != b[key]:
            before, after = _shown(key, a[key], b[key])
            yield Finding(
                StateImpact.AT_RISK,
                f"{old.kind} {what} computed differently: {before} -> {after} "
                "(the state is kept under the old meaning)",
            )


def _own(op: Operator) -> dict[str, str | None]:
    """``op.derived`` with the select list's keys left out (its key parts say them)."""
    derived = dict(op.derived)
    keys = {k for part in KEY_PARTS if (v := derived.get(part)) for k in split_top(v)}
    select = derived.get("select")
    if select is not None and keys:
        derived["select"] = ", ".join(p for p in split_top(select) if p not in keys)
    return derived


_VERB = {
    "groupBy": "are",
    "partitionBy": "are",
    "key": "is",
    "orderBy": "is",
    "where": "is",
    "window": "is",
    "select": "is",
}


def rank_range_changed(old: Operator, new: Operator, c: Compared) -> Iterator[Finding]:
    """A Top-N's range changed. Narrowed (same start, lower end) is still at-risk: Flink's
    rank functions keep the rows they restored (the old top N of each partition) and drop
    one per row that enters, so rows ranked past the new end can still be emitted."""
    before, after = dict(old.args).get("rankRange"), dict(new.args).get("rankRange")
    if before == after:
        return
    old_range, new_range = _range(before), _range(after)
    narrowed = (
        old_range is not None
        and new_range is not None
        and old_range[0] == new_range[0]
        and new_range[1] < old_range[1]
    )
    why = (
        f"narrowed to rank {new_range[1]} but the restored state holds the old top "
        f"{old_range[1]} of each partition, which Flink's rank keeps and emits from"
        if narrowed and old_range and new_range
        else "the restored state holds only the old range's rows of each partition"
    )
    yield Finding(StateImpact.AT_RISK, f"{old.kind} rankRange changed: {before} -> {after} ({why})")


def _range(text: str | None) -> tuple[int, int] | None:
    values = dict(p.split("=", 1) for p in split_top(text or "") if "=" in p)
    try:
        return int(values["rankStart"]), int(values["rankEnd"])
    except (KeyError, ValueError):
        return None


#: description keys that a rule of their own judges rather than ``settings_changed``
_NARROWING = frozenset({"rankRange"})


def filter_changed(old: Operator, new: Operator, c: Compared) -> Iterator[Finding]:
    """A filter before the operator changed. The restored state was built from the rows the
    old filter let through, so it means what the new query means only when the new filter
    keeps a subset of whole keys: it adds conditions (so every row it keeps, the old one
    kept) on the operator's own key fields only (so a key it keeps had every row counted,
    and one it drops is no longer updated). Anything else is at-risk: old rows the new
    filter excludes are still in the state, or rows it admits never reached it."""
    if old.filters == new.filters:
        return
    before = " AND ".join(old.filters) or "(none)"
    after = " AND ".join(new.filters) or "(none)"
    added = _added_conditions(old, new)
    keys = _key_fields(new)
    if added and keys and all(_fields(cond) <= keys for cond in added):
        yield Finding(
            StateImpact.PRESERVED,
            f"filter before {old.kind} narrowed on its keys only: {before} -> {after} (each "
            "key it keeps had all its rows counted before; keys it drops stop updating)",
        )
        return
    why = (
        "the restored state includes rows the new filter excludes"
        if added
        else "the restored state lacks rows the new filter admits or holds rows it excludes"
    )
    yield Finding(
        StateImpact.AT_RISK, f"filter before {old.kind} changed: {before} -> {after} ({why})"
    )


def _added_conditions(old: Operator, new: Operator) -> list[str] | None:
    """The traced conditions the new filters add, when they keep every old one; else None."""
    if None in old.traced_filters or None in new.traced_filters:
        return None
    was = {c for f in old.traced_filters if f for c in conjuncts(f)}
    now = {c for f in new.traced_filters if f for c in conjuncts(f)}
    return sorted(now - was) if was <= now and now != was else None


def _key_fields(op: Operator) -> set[str]:
    """The source fields an operator is keyed by, when every key is one plain field."""
    derived = dict(op.derived)
    keys = [k for part in KEY_PARTS if (v := derived.get(part)) for k in split_top(v)]
    return set(keys) if keys and all(_SOURCE_FIELD.fullmatch(k) for k in keys) else set()


_SOURCE_FIELD = re.compile(r"[\w$]+\.[\w$]+")


_QUALIFIED = re.compile(r"(?<![\w$'.])[A-Za-z_$][\w$]*\.[\w$]+")
_NAME = re.compile(r"(?<![\w$'.:])[A-Za-z_$][\w$]*(?![\w$]*\s*\()")
#: words a traced condition may hold besides source fields and calls
_WORDS = frozenset({"AND", "OR", "NOT", "IS", "TRUE", "FALSE", "NULL", "UNKNOWN", "Sarg"})


def _fields(condition: str) -> set[str]:
    """The qualified source fields a traced condition reads; ``?`` among them when it reads
    anything else flinkops cannot place (a field not traced to its source)."""
    fields = set(_QUALIFIED.findall(condition))
    rest = set(_NAME.findall(_QUALIFIED.sub("", condition))) - _WORDS
    return fields | {"?"} if rest or not fields else fields


#: Rules over the two graphs as a whole, in the order their reasons are shown.
GRAPH_RULES: tuple[GraphRule, ...] = (operator_added, operator_removed)
#: Rules over each old stateful operator and the new one it maps to, in order.
OPERATOR_RULES: tuple[OperatorRule, ...] = (
    operator_id_changed,
    accumulators_changed,
    settings_changed,
    computed_differently,
    rank_range_changed,
    filter_changed,
    names_only,
)


def findings(c: Compared) -> Iterator[Finding]:
    """Every rule's findings: the graph rules, then the operator rules pair by pair."""
    for rule in GRAPH_RULES:
        yield from rule(c)
    for old, new in c.pairs():
        for operator_rule in OPERATOR_RULES:
            yield from operator_rule(old, new, c)


def _verdict(found: list[Finding], when_preserved: str | None) -> Compat:
    """The worst of ``found``, its reasons (worse than preserved) first, notes last."""
    impact = StateImpact.worst(StateImpact.PRESERVED, *(f.impact for f in found))
    reasons = [f.reason for f in found if f.impact > StateImpact.PRESERVED]
    if impact is StateImpact.PRESERVED and when_preserved:
        reasons.append(when_preserved)
    notes = [f.reason for f in found if f.impact <= StateImpact.PRESERVED]
    return Compat(impact, tuple(dict.fromkeys(reasons + notes)))


def with_config(compat: Compat, config: Iterable[Finding]) -> Compat:
    """``compat`` (from the graphs) with the configuration's own findings
    (``_config_rules``): their reasons first, the worse impact."""
    config = list(config)
    if not config:
        return compat
    graphs = [Finding(compat.impact, r) for r in compat.reasons]
    return replace(_verdict(config + graphs, None), basis=compat.basis)


def compare_graphs(
    old: Mapping[str, Any], new: Mapping[str, Any], *, allow_non_restored_state: bool = False
) -> Compat:
    """Verdict on restoring ``old``'s state into ``new``: the worst finding, with the reasons."""
    if not old.get("nodes") or not new.get("nodes"):
        return unknown("Flink returned no job graph to compare")
    c = Compared.of(old, new, allow_non_restored_state)
    if not c.before and not c.after:
        return Compat(StateImpact.PRESERVED, ("no stateful operators",))
    unchanged = f"stateful operators unchanged ({', '.join(sorted(_kinds(c.before)))})"
    return _verdict(list(findings(c)), unchanged)
