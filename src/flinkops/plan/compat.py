"""State compatibility of an update, read from Flink's own planner: a rule list.

Flink compiles the old and the new SQL (``jars/:id/plan``); this module compares
the stateful operators of the two job graphs (``plan/_operators.py`` reads them).
Vertex ids alone are not enough: on Flink 2.3 they are topology hashes, identical for
``SUM(v)`` and ``MAX(v)`` over the same GROUP BY, and such a job restores the old
accumulators silently. So the operators' descriptions (group keys, aggregate calls,
join keys, rank settings) and what computes their inputs are compared, and any change
to them is ``at-risk`` even when Flink would accept the savepoint. Where flinkops is
sure Flink refuses the savepoint (an operator id gone, an accumulator row that changes
arity) the finding is ``incompatible``; never where it is not sure. A changed filter
before the operator (a Calc's ``where``) is a note, not a risk: it applies to new rows
only.

Each rule is one small function in ``GRAPH_RULES`` or ``OPERATOR_RULES``; a new rule
is one function and one entry there, and one row in DESIGN.md's rule table. Pure:
graphs in, verdict out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from flinkops.plan._operators import DERIVED_KEYS, Operator, split_top, stateful_operators
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


def settings_changed(old: Operator, new: Operator, c: Compared) -> Iterator[Finding]:
    """Keys, calls, join or window settings differ: Flink restores the old state anyway."""
    a, b = dict(old.args), dict(new.args)
    keys = sorted(
        set(a) | set(b),
        key=lambda k: (_KEY_ORDER.index(k) if k in _KEY_ORDER else len(_KEY_ORDER), k),
    )
    for key in keys:
        if a.get(key) != b.get(key):
            before, after = _shown(key, a.get(key), b.get(key))
            yield Finding(
                StateImpact.AT_RISK, f"{old.kind} {_label(key)} changed: {before} -> {after}"
            )


def computed_differently(old: Operator, new: Operator, c: Compared) -> Iterator[Finding]:
    """Same description, different meaning: a key or argument now computed otherwise."""
    if dict(old.args) != dict(new.args):
        return  # settings_changed names the difference
    if old.upstream == new.upstream:
        return  # the same operators compute its inputs: nothing can mean otherwise
    a, b = dict(old.derived), dict(new.derived)
    for key in [k for k in DERIVED_KEYS if k in a or k in b]:
        what = "aggregate calls are" if key == "select" else f"{_label(key)} {_VERB[key]}"
        if a.get(key) is None or b.get(key) is None:
            yield Finding(
                StateImpact.AT_RISK,
                f"unknown: {old.kind} {what} computed by operators Flink's graph does not "
                "show, so a change to them cannot be ruled out",
            )
        elif a[key] != b[key]:
            yield Finding(
                StateImpact.AT_RISK,
                f"{old.kind} {what} computed differently: {a[key]} -> {b[key]} "
                "(the state is kept under the old meaning)",
            )


_VERB = {"groupBy": "are", "partitionBy": "are", "orderBy": "is", "where": "is"}


def filter_changed(old: Operator, new: Operator, c: Compared) -> Iterator[Finding]:
    """A filter before the operator changed: it applies to new rows only (a note)."""
    if old.filters == new.filters:
        return
    before = " AND ".join(old.filters) or "(none)"
    after = " AND ".join(new.filters) or "(none)"
    yield Finding(
        StateImpact.PRESERVED,
        f"filter before {old.kind} changed: {before} -> {after} (applies to new rows only)",
    )


#: Rules over the two graphs as a whole, in the order their reasons are shown.
GRAPH_RULES: tuple[GraphRule, ...] = (operator_added, operator_removed)
#: Rules over each old stateful operator and the new one it maps to, in order.
OPERATOR_RULES: tuple[OperatorRule, ...] = (
    operator_id_changed,
    accumulators_changed,
    settings_changed,
    computed_differently,
    filter_changed,
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
