"""What happens on a column lineage edge: identity, expression, aggregation, window time.

A kind is composed through views, CTEs and subqueries: a column passed through keeps
the kind of what it passes, an expression over an aggregated column stays an
aggregation, and an aggregate says which function (``aggregation:SUM``). When two
INSERTs write one sink column, the stronger kind is kept.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

__all__ = ["IDENTITY", "WINDOW_TIME", "expression_kind", "split_kind", "strongest"]

IDENTITY = "identity"
EXPRESSION = "expression"
WINDOW_TIME = "window time"
AGGREGATION = "aggregation"
_RANK = {IDENTITY: 0, WINDOW_TIME: 1, EXPRESSION: 2, AGGREGATION: 3}


def split_kind(kind: str) -> tuple[str, str]:
    """``aggregation:SUM`` -> (``aggregation``, ``SUM``); others have no function."""
    name, _, function = kind.partition(":")
    return name, function


def strongest(*kinds: str) -> str:
    """The kind that says the most about the edge (identity < window time < expression <
    aggregation); the first of equal ones."""
    return max(kinds, key=lambda k: _RANK.get(split_kind(k)[0], 0), default=IDENTITY)


def expression_kind(node: exp.Expr, column_kind: Callable[[exp.Column], str]) -> str:
    """The kind of a projection: its own aggregate, else composed from its columns."""
    node = node.this if isinstance(node, exp.Alias) else node
    if isinstance(node, exp.Column):
        return column_kind(node)
    aggregate = next(
        (a for a in node.bfs() if isinstance(a, exp.AggFunc) and not _in_subquery(a, node)),
        None,
    )
    if aggregate is not None:
        return f"{AGGREGATION}:{aggregate.sql_name()}"
    inner = [column_kind(c) for c in node.find_all(exp.Column) if not _in_subquery(c, node)]
    aggregated = [k for k in inner if split_kind(k)[0] == AGGREGATION]
    return aggregated[0] if aggregated else EXPRESSION


def _in_subquery(node: exp.Expr, top: exp.Expr) -> bool:
    if node is top:
        return False
    parent = node.parent
    while parent is not None and parent is not top:
        if isinstance(parent, exp.Select | exp.Subquery):
            return True
        parent = parent.parent
    return False
