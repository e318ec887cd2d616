"""A job's tables as its SQL creates them: their schemas and connector options, which it
reads (sources) and writes (sinks), and which it uses without creating them (catalog
tables); and one table's ``WITH`` clause set anew (``with_options``). Pure: no I/O.

`flinkops test` (sqltest/_tables.py) replaces sources and sinks with files and ``print``;
a rehearsal (apply/rehearse/) replaces sinks with ``blackhole`` and keeps sources from
committing.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from flinkops.sql.lineage import lineage_of_sql
from flinkops.sql.split import split_statements

__all__ = ["Column", "JobTables", "TableShape", "read_job_tables", "with_options"]


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Flink SQL type as written, e.g. DECIMAL(10, 2); "" for a computed column
    computed: bool = False
    metadata: bool = False


@dataclass(frozen=True)
class TableShape:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    statement: int  # index into the job's statements
    options: tuple[tuple[str, str], ...] = ()  # its WITH clause, in order

    def option(self, key: str) -> str | None:
        return next((v for k, v in self.options if k == key), None)

    @property
    def physical(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.computed and not c.metadata)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class JobTables:
    statements: tuple[str, ...]
    tables: dict[str, TableShape]
    sources: tuple[str, ...]  # tables the job reads (declared in its SQL), sorted
    sinks: tuple[str, ...]  # tables the job writes, sorted
    undeclared: tuple[str, ...]  # read or written but not created in the SQL (catalog tables)


def read_job_tables(job: str, sql: str) -> JobTables:
    """The tables ``sql`` creates, reads and writes. Raises SqlError for SQL that does not parse."""
    statements = tuple(s.text for s in split_statements(sql))
    tables: dict[str, TableShape] = {}
    for i, text in enumerate(statements):
        tree = sqlglot.parse_one(text, read="flink")
        shape = _shape(tree, i)
        if shape is not None:
            tables[shape.name] = shape
    lineage = lineage_of_sql(sql, job)
    sinks = set(lineage.sinks)
    read = {s for t in lineage.tables for s in t.sources} - sinks
    used = read | sinks
    return JobTables(
        statements,
        tables,
        tuple(sorted(read & tables.keys())),
        tuple(sorted(sinks & tables.keys())),
        tuple(sorted(used - tables.keys())),
    )


def _shape(tree: exp.Expr, index: int) -> TableShape | None:
    if not isinstance(tree, exp.Create) or str(tree.args.get("kind", "")).upper() != "TABLE":
        return None
    schema = tree.this
    if not isinstance(schema, exp.Schema):
        return None  # CREATE TABLE ... AS SELECT / LIKE: not a table this runner can replace
    columns: list[Column] = []
    key: tuple[str, ...] = ()
    for part in schema.expressions:
        if isinstance(part, exp.ColumnDef):
            kinds = [c.args.get("kind") for c in part.args.get("constraints") or []]
            computed = any(isinstance(k, exp.ComputedColumnConstraint) for k in kinds)
            metadata = any(type(k).__name__ == "MetadataColumnConstraint" for k in kinds)
            kind = part.args.get("kind")
            type_sql = kind.sql(dialect="flink") if kind is not None else ""
            columns.append(Column(part.name, type_sql, computed, metadata))
        elif isinstance(part, exp.PrimaryKey):
            key = tuple(e.name for e in part.expressions)
    return TableShape(_name(schema.this), tuple(columns), key, index, _options(tree))


def _options(tree: exp.Expr) -> tuple[tuple[str, str], ...]:
    """A CREATE TABLE's ``WITH ('k' = 'v', ...)`` as pairs (keys as written)."""
    props = tree.args.get("properties")
    out = []
    for prop in props.expressions if isinstance(props, exp.Properties) else []:
        key, value = prop.args.get("this"), prop.args.get("value")
        if isinstance(prop, exp.Property) and key is not None and value is not None:
            out.append((_literal(key), _literal(value)))
    return tuple(out)


def _literal(node: exp.Expr) -> str:
    return str(node.this) if isinstance(node, exp.Literal) else node.sql(dialect="flink")


def _name(table: exp.Expr) -> str:
    return table.name if isinstance(table, exp.Table) else table.sql(dialect="flink")


def with_options(text: str, options: dict[str, str]) -> str:
    """The CREATE TABLE statement ``text`` with its ``WITH`` clause replaced by ``options``."""
    tree = sqlglot.parse_one(text, read="flink")
    props = exp.Properties(
        expressions=[
            exp.Property(this=exp.Literal.string(k), value=exp.Literal.string(v))
            for k, v in options.items()
        ]
    )
    tree.set("properties", props)
    return tree.sql(dialect="flink")
