"""Expression nodes for Flink SQL that sqlglot has no node for."""

from __future__ import annotations

from sqlglot import exp

__all__ = [
    "AddPartitions",
    "AlterObject",
    "AnalyzeTable",
    "AsDefinition",
    "Call",
    "CommentIs",
    "CompilePlan",
    "CreateCatalog",
    "DropCatalog",
    "DropSchema",
    "ExecutePlan",
    "Explain",
    "FlinkStatement",
    "FreshnessProperty",
    "JarStatement",
    "LifecycleAction",
    "MatchRecognize",
    "MetadataColumnConstraint",
    "ModuleStatement",
    "PartitionOptions",
    "Positioned",
    "RefreshModeProperty",
    "RenameTo",
    "Reset",
    "ResetOptions",
    "SchemaChange",
    "SetOptions",
    "StatementSet",
    "StopJob",
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


# -- catalogs, ALTER, and Flink's other statements (parsed in _statements.py) -----------


class FlinkStatement(exp.Expression):
    """A whole statement of Flink's own (CREATE CATALOG, ALTER ..., CALL, ...)."""


class CreateCatalog(FlinkStatement):
    """``CREATE CATALOG [IF NOT EXISTS] c [COMMENT '...'] WITH (options)``."""

    arg_types = {"this": True, "exists": False, "comment": False, "properties": False}


class DropCatalog(FlinkStatement):
    """``DROP CATALOG [IF EXISTS] c``."""

    arg_types = {"this": True, "exists": False}


class AlterObject(FlinkStatement):
    """``ALTER <kind> [IF EXISTS] name <action>``; kind is TABLE, CATALOG, DATABASE, VIEW,
    FUNCTION (with ``temporary``/``system``) or MATERIALIZED TABLE."""

    arg_types = {
        "kind": True,
        "this": True,
        "action": True,
        "exists": False,
        "temporary": False,
        "system": False,
    }


class SchemaChange(exp.Expression):
    """``ADD|MODIFY item`` or ``ADD|MODIFY (item, ...)``: columns, watermark, key."""

    arg_types = {"kind": True, "expressions": True, "wrapped": False}


class Positioned(exp.Expression):
    """A schema item placed ``FIRST`` or ``AFTER column``."""

    arg_types = {"this": True, "position": True, "after": False}


class DropSchema(exp.Expression):
    """``DROP col``, ``DROP (cols)``, ``DROP PRIMARY KEY|WATERMARK``, ``DROP CONSTRAINT c``,
    ``DROP PARTITION (...)[, PARTITION (...)]``; kind says which."""

    arg_types = {"kind": True, "expressions": False, "wrapped": False}


class AddPartitions(exp.Expression):
    """``ADD [IF NOT EXISTS] PARTITION (spec) [WITH (options)] ...``."""

    arg_types = {"expressions": True, "exists": False}


class PartitionOptions(exp.Expression):
    """One ``PARTITION (spec) [WITH (options)]`` of ADD PARTITION."""

    arg_types = {"this": True, "properties": False}


class RenameTo(exp.Expression):
    """``RENAME [column] TO name``."""

    arg_types = {"this": False, "to": True}


class SetOptions(exp.Expression):
    """``SET ('k' = 'v', ...)``."""

    arg_types = {"expressions": True}


class ResetOptions(exp.Expression):
    """``RESET ('k', ...)``."""

    arg_types = {"expressions": True}


class CommentIs(exp.Expression):
    """``COMMENT 'text'`` as an ALTER action."""

    arg_types = {"this": True}


class AsDefinition(exp.Expression):
    """``AS query`` (ALTER VIEW) or ``AS 'class' [LANGUAGE x]`` (ALTER FUNCTION)."""

    arg_types = {"this": True, "language": False}


class LifecycleAction(exp.Expression):
    """``SUSPEND``, ``RESUME [WITH (...)]`` or ``REFRESH [PARTITION (...)]``."""

    arg_types = {"this": True, "properties": False, "partition": False}


class AnalyzeTable(FlinkStatement):
    """``ANALYZE TABLE t [PARTITION (...)] COMPUTE STATISTICS [FOR ALL COLUMNS|FOR COLUMNS a]``."""

    arg_types = {"this": True, "partition": False, "columns": False, "all_columns": False}


class Call(FlinkStatement):
    """``CALL [cat.]db.procedure(arg, name => value, ...)``."""

    arg_types = {"this": True, "expressions": False}


class ModuleStatement(FlinkStatement):
    """``LOAD MODULE m [WITH (...)]``, ``UNLOAD MODULE m``, ``USE MODULES a, b``."""

    arg_types = {"kind": True, "expressions": True, "properties": False}


class JarStatement(FlinkStatement):
    """``ADD JAR 'path'`` / ``REMOVE JAR 'path'``."""

    arg_types = {"kind": True, "this": True}


class StopJob(FlinkStatement):
    """``STOP JOB 'id' [WITH SAVEPOINT] [WITH DRAIN]``."""

    arg_types = {"this": True, "savepoint": False, "drain": False}


class CompilePlan(FlinkStatement):
    """``COMPILE PLAN 'file' [IF NOT EXISTS] FOR statement``."""

    arg_types = {"this": True, "expression": True, "exists": False}


class ExecutePlan(FlinkStatement):
    """``EXECUTE PLAN 'file'``."""

    arg_types = {"this": True}


class FreshnessProperty(exp.Property):
    """``FRESHNESS = INTERVAL ...`` of a materialized table."""

    arg_types = {"this": True}


class RefreshModeProperty(exp.Property):
    """``REFRESH_MODE = FULL|CONTINUOUS`` of a materialized table."""

    arg_types = {"this": True}
