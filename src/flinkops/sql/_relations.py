"""What column resolution works on: a relation's columns with their sources, a declared table.

A column's sources are the ``table.column`` names it derives from (``Sources``); a
relation is a FROM item's or a query's ordered output columns, each with its sources and
how it was made (``flinkops.sql._kinds``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlglot import exp

from flinkops.sql._kinds import IDENTITY

__all__ = ["NO_SOURCES", "Relation", "Sources", "TableDef", "table_name", "union_sources"]

Sources = frozenset[str]
NO_SOURCES: Sources = frozenset()


def table_name(table: exp.Table) -> str:
    """The table's name as written, without quotes: ``cat.db.t`` or ``t``."""
    return ".".join(part.name for part in table.parts)


def union_sources(groups: Iterable[Sources]) -> Sources:
    """All the sources of several columns."""
    result: set[str] = set()
    for group in groups:
        result |= group
    return frozenset(result)


@dataclass
class Relation:
    """The ordered output columns of a FROM item or query, each with its sources.

    ``open_table`` marks a table nobody declared: any column asked of it exists and
    is its own source (``open_table.col``).
    """

    columns: dict[str, Sources] = field(default_factory=dict)
    open_table: str | None = None
    kinds: dict[str, str] = field(default_factory=dict)  # how a column was made; identity if absent

    def kind(self, name: str) -> str:
        found = self.kinds.get(name)
        if found is None:
            lowered = name.lower()
            found = next((k for c, k in self.kinds.items() if c.lower() == lowered), None)
        return found or IDENTITY

    def lookup(self, name: str) -> Sources | None:
        if name in self.columns:
            return self.columns[name]
        lowered = name.lower()
        for column, sources in self.columns.items():
            if column.lower() == lowered:
                return sources
        if self.open_table is not None:
            return frozenset({f"{self.open_table}.{name}"})
        return None

    def renamed(self, names: list[str]) -> Relation:
        """The same columns under the alias's column names, by position."""
        values = list(self.columns.values())
        kinds = [self.kind(c) for c in self.columns]
        columns = {n: values[i] if i < len(values) else NO_SOURCES for i, n in enumerate(names)}
        return Relation(columns, kinds={n: kinds[i] for i, n in enumerate(names) if i < len(kinds)})


@dataclass
class TableDef:
    """A table declared by CREATE TABLE: column sources, writable columns, WITH options."""

    name: str
    columns: dict[str, Sources]
    writable: list[str]
    options: dict[str, str]
    column_defs: list[exp.ColumnDef] = field(default_factory=list)
    computed: tuple[str, ...] = ()  # computed columns: an expression of the physical ones
