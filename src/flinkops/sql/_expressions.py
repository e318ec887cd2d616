"""Expression nodes for Flink SQL that sqlglot has no node for."""

from __future__ import annotations

from sqlglot import exp

__all__ = [
    "Explain",
    "MatchRecognize",
    "MetadataColumnConstraint",
    "Reset",
    "StatementSet",
    "TableArgument",
    "Utility",
]


class Utility(exp.Command):
    """A Flink utility statement kept as text on purpose (SHOW, DESCRIBE, ALTER, LOAD ...).

    Unlike a plain ``exp.Command`` (sqlglot's fallback when it cannot parse), this one
    is recognised by the dialect: its statement keyword is one Flink has.
    """


class MetadataColumnConstraint(exp.Expression, exp.ColumnConstraintKind):
    """``METADATA [FROM 'key'] [VIRTUAL]`` on a column."""

    arg_types = {"this": False, "virtual": False}


class TableArgument(exp.Expression):
    """``TABLE t [PARTITION BY ...]`` passed to a table function: ``TUMBLE(TABLE t, ...)``."""

    arg_types = {"this": True, "partition_by": False}


class StatementSet(exp.Expression):
    """``EXECUTE STATEMENT SET BEGIN insert; ... END``."""

    arg_types = {"expressions": True, "execute": False}


class Reset(exp.Expression):
    """``RESET ['key']``."""

    arg_types = {"this": False}


class Explain(exp.Expression):
    """``EXPLAIN [PLAN FOR | detail, ...] statement``."""

    arg_types = {"this": True, "expressions": False, "plan_for": False}


class MatchRecognize(exp.MatchRecognize):
    """MATCH_RECOGNIZE with Flink's ``PATTERN (...) WITHIN interval``."""

    arg_types = {**exp.MatchRecognize.arg_types, "within": False}
