"""The Flink dialect's generator: Flink's spellings of types, functions and clauses.

The catalog, ALTER and utility statements' ``<expression>_sql`` methods come from
``flinkops.sql._statements`` (``StatementsGenerator``), mixed in here.
"""

from __future__ import annotations

from sqlglot import exp, generator

from flinkops.sql._clauses import (
    TRAILING_PROPERTIES,
    distributedbyproperty_sql,
    substring_sql,
    trim_sql,
)
from flinkops.sql._expressions import (
    Explain,
    FreshnessProperty,
    MatchRecognize,
    MetadataColumnConstraint,
    RefreshModeProperty,
    Reset,
    StatementSet,
    TableArgument,
    Utility,
)
from flinkops.sql._statements import StatementsGenerator, generator_transforms

__all__ = ["FlinkGenerator"]


def _string_key(key: str) -> exp.Literal:
    """A WITH option key is always a quoted string in Flink."""
    return exp.Literal.string(key)


class FlinkGenerator(StatementsGenerator, generator.Generator):
    """Writes trees back as Flink SQL: Flink's type names, property order and functions."""

    TABLE_HINTS = False  # table_parts writes hints right after the name, as Flink wants
    INSERT_OVERWRITE = " OVERWRITE"
    PROPERTIES_LOCATION = {
        **generator.Generator.PROPERTIES_LOCATION,
        exp.PartitionedByProperty: exp.Properties.Location.POST_SCHEMA,
        exp.DistributedByProperty: exp.Properties.Location.POST_SCHEMA,
        FreshnessProperty: exp.Properties.Location.POST_SCHEMA,
        RefreshModeProperty: exp.Properties.Location.POST_SCHEMA,
    }
    TYPE_MAPPING = {
        **generator.Generator.TYPE_MAPPING,
        exp.DType.STRUCT: "ROW",
        exp.DType.TEXT: "STRING",
        exp.DType.TIMESTAMPLTZ: "TIMESTAMP_LTZ",
        exp.DType.VARBINARY: "BYTES",
    }
    TRANSFORMS = {
        **generator.Generator.TRANSFORMS,
        **generator_transforms(),
        exp.DistributedByProperty: distributedbyproperty_sql,
        FreshnessProperty: lambda self, e: f"FRESHNESS = {self.sql(e, 'this')}",
        RefreshModeProperty: lambda self, e: f"REFRESH_MODE = {self.sql(e, 'this')}",
        exp.JSONKeyValue: lambda self, e: (
            f"{self.sql(e, 'this')} VALUE {self.sql(e, 'expression')}"
        ),
        MetadataColumnConstraint: lambda self, e: self._metadata_sql(e),
        TableArgument: lambda self, e: self._table_argument_sql(e),
        exp.PartitionedByProperty: lambda self, e: f"PARTITIONED BY {self.sql(e, 'this')}",
        exp.SchemaCommentProperty: lambda self, e: f"COMMENT {self.sql(e, 'this')}",
        Reset: lambda self, e: f"RESET {self.sql(e, 'this')}".rstrip(),
        Utility: lambda self, e: f"{self.sql(e, 'this')}{e.text('expression')}",
        Explain: lambda self, e: self._explain_sql(e),
        exp.Array: lambda self, e: f"ARRAY[{self.expressions(e, flat=True)}]",
        exp.Length: lambda self, e: self.func("CHAR_LENGTH", e.this),
        exp.CurrentDate: lambda self, e: "CURRENT_DATE",
        exp.CurrentTime: lambda self, e: "CURRENT_TIME",
        exp.CurrentTimestamp: lambda self, e: "CURRENT_TIMESTAMP",
        exp.StrPosition: lambda self, e: (
            f"POSITION({self.sql(e, 'substr')} IN {self.sql(e, 'this')})"
        ),
        exp.Substring: substring_sql,
        exp.TimestampDiff: lambda self, e: self.func(
            "TIMESTAMPDIFF", e.args.get("unit"), e.expression, e.this
        ),
        exp.Trim: trim_sql,
        MatchRecognize: lambda self, e: self._match_recognize_sql(e),
        StatementSet: lambda self, e: self._statement_set_sql(e),
    }

    def _metadata_sql(self, expression: MetadataColumnConstraint) -> str:
        key = self.sql(expression, "this")
        virtual = " VIRTUAL" if expression.args.get("virtual") else ""
        return f"METADATA{' FROM ' + key if key else ''}{virtual}"

    def _match_recognize_sql(self, expression: MatchRecognize) -> str:
        sql = self.matchrecognize_sql(expression)
        pattern = self.seg(f"PATTERN ({self.sql(expression, 'pattern')})")
        within = f" WITHIN {self.sql(expression, 'within')}"
        return sql.replace(pattern, pattern + within, 1)

    def _table_argument_sql(self, expression: TableArgument) -> str:
        partition = self.expressions(expression, key="partition_by", flat=True)
        partition = f" PARTITION BY {partition}" if partition else ""
        return f"TABLE {self.sql(expression, 'this')}{partition}"

    def likeproperty_sql(self, expression: exp.LikeProperty) -> str:
        options = " ".join(f"{e.name} {self.sql(e, 'value')}" for e in expression.expressions)
        return f"LIKE {self.sql(expression, 'this')}{f' ({options})' if options else ''}"

    def _statement_set_sql(self, expression: StatementSet) -> str:
        execute = "EXECUTE " if expression.args.get("execute") else ""
        body = "".join(f"{self.sql(e)};\n" for e in expression.expressions)
        return f"{execute}STATEMENT SET\nBEGIN\n{body}END"

    def _explain_sql(self, expression: Explain) -> str:
        plan_for = " PLAN FOR" if expression.args.get("plan_for") else ""
        details = self.expressions(expression, flat=True)
        details = f" {details}" if details else ""
        return f"EXPLAIN{plan_for}{details} {self.sql(expression, 'this')}"

    def version_sql(self, expression: exp.Version) -> str:
        if expression.name == "TIMESTAMP" and expression.text("kind") == "AS OF":
            return f"FOR SYSTEM_TIME AS OF {self.sql(expression, 'expression')}"
        return super().version_sql(expression)

    def table_parts(self, expression: exp.Table) -> str:
        parts = super().table_parts(expression)
        hints = self.expressions(expression, key="hints", sep=" ").strip()
        return f"{parts} {hints}" if hints else parts

    def create_sql(self, expression: exp.Create) -> str:
        """``CREATE [TEMPORARY] FUNCTION f AS 'class' [LANGUAGE x]`` in Flink's order."""
        props = expression.args.get("properties")
        found = props.expressions if props else []
        plain = all(isinstance(p, exp.TemporaryProperty | exp.LanguageProperty) for p in found)
        body = expression.expression
        if expression.text("kind").upper() != "FUNCTION" or not plain:
            return super().create_sql(expression)
        if not isinstance(body, exp.Literal):
            return super().create_sql(expression)
        temporary = "TEMPORARY " if any(isinstance(p, exp.TemporaryProperty) for p in found) else ""
        exists = "IF NOT EXISTS " if expression.args.get("exists") else ""
        language = next((p for p in found if isinstance(p, exp.LanguageProperty)), None)
        lang = f" LANGUAGE {self.sql(language, 'this')}" if language else ""
        name = self.sql(expression, "this")
        return f"CREATE {temporary}FUNCTION {exists}{name} AS {self.sql(body)}{lang}"

    def properties_sql(self, expression: exp.Properties) -> str:
        """Flink's order: COMMENT, DISTRIBUTED, PARTITIONED BY, WITH (...), then FRESHNESS,
        REFRESH_MODE (materialized tables) and LIKE."""
        found = expression.expressions
        trailing = [p for kind in TRAILING_PROPERTIES for p in found if type(p) is kind]
        if not trailing:
            return super().properties_sql(expression)
        rest = exp.Properties(expressions=[p for p in found if p not in trailing])
        rest.parent = expression.parent
        parts = [super().properties_sql(rest), *(self.sql(p) for p in trailing)]
        return " ".join(p for p in parts if p)

    def property_sql(self, expression: exp.Property) -> str:
        if type(expression) is exp.Property and isinstance(expression.this, exp.Literal):
            return f"{self.sql(_string_key(expression.name))} = {self.sql(expression, 'value')}"
        return super().property_sql(expression)
