"""A job's SQL made harmless for a rehearsal: every sink table becomes a ``blackhole``
table of the same columns, and every source commits nothing back. Pure: no I/O.

What is done per connector family, and why it is safe, is DESIGN.md's "Rehearsal"
table; ``SOURCE_GUARDS`` and ``READ_ONLY_SOURCES`` are that table's source half. A
job whose tables cannot be made harmless (a sink or source not created in its SQL, a
source connector flinkops does not know, an ``OPTIONS`` hint that could set a replaced
option back) is not rehearsed: ``RehearsalSql.problem`` says why, and the rehearsal is
``skipped`` with it. Everything else (views, functions, SET, the INSERTs) is the job's
own text, so the rehearsal restores into what apply would submit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import sqlglot
import sqlglot.errors
from sqlglot import exp

from flinkops.errors import SqlError
from flinkops.sql.tables import JobTables, TableShape, read_job_tables, with_options

__all__ = ["READ_ONLY_SOURCES", "SOURCE_GUARDS", "RehearsalSql", "rehearsal_sql"]

#: Source connectors that read without writing anything back (no offsets, no
#: acknowledgements, no consumer progress): left as they are.
READ_ONLY_SOURCES = frozenset({"datagen", "filesystem", "jdbc", "iceberg"})

#: Source connectors that would commit what they read, and the options that stop it
#: (``{group}``: a consumer group of the rehearsal's own). Keys set to None are removed.
SOURCE_GUARDS: Mapping[str, Mapping[str, str | None]] = {
    "kafka": {
        "properties.enable.auto.commit": "false",
        "properties.commit.offsets.on.checkpoint": "false",
        "properties.group.id": "{group}",
    },
    "upsert-kafka": {
        "properties.enable.auto.commit": "false",
        "properties.commit.offsets.on.checkpoint": "false",
        "properties.group.id": "{group}",
    },
    # a consumer id makes a Paimon reader record its progress in the table
    "paimon": {"consumer-id": None, "consumer.expiration-time": None},
}

_OPTIONS_HINT = re.compile(r"/\*\+\s*OPTIONS\s*\(", re.IGNORECASE)


@dataclass(frozen=True)
class RehearsalSql:
    """The rehearsal's statements; ``replaced``: what was done to each table, as
    ``name (connector: what)``; ``sinks``: the sink tables replaced; ``problem``: why
    the job cannot be rehearsed without side effects (then nothing else is set)."""

    statements: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    sinks: tuple[str, ...] = ()
    problem: str | None = None


def rehearsal_sql(job: str, sql: str, group: str) -> RehearsalSql:
    """``sql`` (job ``job``'s) with its sinks replaced by ``blackhole`` and its sources
    kept from committing; ``group``: the consumer group a Kafka source uses instead of
    its own. A job whose SQL does not parse, or whose tables cannot be made harmless,
    gets a ``problem`` instead."""
    try:
        tables = read_job_tables(job, sql)
    except (SqlError, sqlglot.errors.ParseError) as exc:
        return RehearsalSql(problem=f"the job's SQL does not parse: {exc}")
    problem = _problem(tables)
    if problem is not None:
        return RehearsalSql(problem=problem)
    out = list(tables.statements)
    replaced = []
    for name in tables.sinks:
        shape = tables.tables[name]
        out[shape.statement] = _blackhole(out[shape.statement])
        replaced.append(f"{name} ({shape.option('connector')}: replaced by blackhole)")
    for name in tables.sources:
        shape = tables.tables[name]
        connector = shape.option("connector") or ""
        guard = SOURCE_GUARDS.get(connector)
        if guard is None:
            continue
        out[shape.statement] = with_options(out[shape.statement], _guarded(shape, guard, group))
        replaced.append(f"{name} ({connector}: commits nothing, group {group})")
    return RehearsalSql(tuple(out), tuple(replaced), tables.sinks)


def _problem(tables: JobTables) -> str | None:
    """Why the job's tables cannot be made harmless, or None."""
    if tables.undeclared:
        listed = ", ".join(tables.undeclared)
        return (
            f"tables not created in the job's SQL (catalog tables) cannot be replaced or "
            f"guarded: {listed}"
        )
    for name in tables.sources:
        connector = tables.tables[name].option("connector") or "(none)"
        if connector not in READ_ONLY_SOURCES and connector not in SOURCE_GUARDS:
            return (
                f"source {name} uses connector {connector!r}, which flinkops cannot keep "
                "from committing or acknowledging what it reads"
            )
    declared = {tables.tables[n].statement for n in (*tables.sources, *tables.sinks)}
    hinted = [
        i for i, text in enumerate(tables.statements)
        if i not in declared and _OPTIONS_HINT.search(text)
    ]  # fmt: skip
    if hinted:
        return (
            f"statement {hinted[0] + 1} sets table options with an OPTIONS hint, which could "
            "set back what the rehearsal replaces"
        )
    return None


def _guarded(shape: TableShape, guard: Mapping[str, str | None], group: str) -> dict[str, str]:
    """The source's options with ``guard`` applied: keys set, or removed when None."""
    options = dict(shape.options)
    for key, value in guard.items():
        options.pop(key, None)
        if value is not None:
            options[key] = value.format(group=group)
    return options


def _blackhole(text: str) -> str:
    """A sink's CREATE TABLE as a ``blackhole`` table of the columns the job writes: a
    persisted metadata column becomes a plain column (blackhole writes no metadata), a
    virtual one (never written) is dropped, and the partitioning goes with the options."""
    tree = sqlglot.parse_one(text, read="flink")
    schema = tree.this
    if isinstance(schema, exp.Schema):
        kept = []
        for part in schema.expressions:
            if isinstance(part, exp.ColumnDef):
                constraints = part.args.get("constraints") or []
                meta = [c for c in constraints if _metadata(c)]
                if meta and meta[0].args["kind"].args.get("virtual"):
                    continue
                part.set("constraints", [c for c in constraints if not _metadata(c)] or None)
            kept.append(part)
        schema.set("expressions", kept)
    return with_options(tree.sql(dialect="flink"), {"connector": "blackhole"})


def _metadata(constraint: exp.Expr) -> bool:
    return type(constraint.args.get("kind")).__name__ == "MetadataColumnConstraint"
