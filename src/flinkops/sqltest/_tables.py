"""A job's SQL read for a test: its tables' schemas, which it reads (sources) and writes
(sinks), and its statements with every source replaced by a bounded file of given rows and
every sink by a ``print`` table that Flink writes, with each row's kind, to its stdout;
an ``OPTIONS`` hint on a replaced source is dropped (it configures the replaced connector).

Everything else (views, functions, SET, hints, the INSERTs) is the job's own text, so the
test runs what is deployed. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from flinkops.sql import lineage_of_sql, split_statements

__all__ = ["Column", "JobTables", "TableShape", "read_job_tables", "rewrite_statements"]


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
    return TableShape(_name(schema.this), tuple(columns), key, index)


def _name(table: exp.Expr) -> str:
    return table.name if isinstance(table, exp.Table) else table.sql(dialect="flink")


def rewrite_statements(
    tables: JobTables, data_dirs: dict[str, str], print_ids: dict[str, str]
) -> list[str]:
    """The job's statements with each source reading ``data_dirs[table]`` (a directory URI
    holding JSON lines) and each sink printing under ``print_ids[table]``."""
    out = list(tables.statements)
    for name in tables.sources:
        shape = tables.tables[name]
        options = {"connector": "filesystem", "path": data_dirs[name], "format": "json"}
        out[shape.statement] = _with_options(out[shape.statement], options)
    for name in tables.sinks:
        shape = tables.tables[name]
        options = {"connector": "print", "print-identifier": print_ids[name]}
        out[shape.statement] = _with_options(out[shape.statement], options)
    replaced = {tables.tables[n].statement for n in (*tables.sources, *tables.sinks)}
    return [
        text if i in replaced else _drop_options_hints(text, tables.sources)
        for i, text in enumerate(out)
    ]


_QUOTED = r"'(?:[^']|'')*'"
_OPTIONS_HINT = rf"\s*/\*\+\s*OPTIONS\s*\((?:{_QUOTED}|[^')])*\)\s*\*/"


def _drop_options_hints(text: str, sources: tuple[str, ...]) -> str:
    """``src /*+ OPTIONS('scan.startup.mode'='earliest-offset') */`` becomes ``src``: an
    OPTIONS hint sets options of the connector a test replaces (other hints stay)."""
    for name in sources:
        pattern = rf"(?i)((?<![\w`])`?{re.escape(name)}`?){_OPTIONS_HINT}"
        text = re.sub(pattern, r"\1", text)
    return text


def _with_options(text: str, options: dict[str, str]) -> str:
    tree = sqlglot.parse_one(text, read="flink")
    props = exp.Properties(
        expressions=[
            exp.Property(this=exp.Literal.string(k), value=exp.Literal.string(v))
            for k, v in options.items()
        ]
    )
    tree.set("properties", props)
    return tree.sql(dialect="flink")
