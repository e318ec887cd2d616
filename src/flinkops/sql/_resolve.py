"""Resolve the columns of Flink queries to the source table columns they come from.

The rules (issue 4): a column's sources are the source-table columns referenced by the
expression computing it (window OVER specs and aggregate arguments included; WHERE,
JOIN ON, GROUP BY and HAVING are not). Views, CTEs, subqueries, joins, set
operations, window TVFs, UNNEST, LATERAL TABLE and MATCH_RECOGNIZE are resolved
through. A computed column resolves to the physical columns in its expression, a
metadata column is a source itself (both read from CREATE TABLE in
``flinkops.sql._catalogs``), a nested ROW field maps to its top-level column.
"""

from __future__ import annotations

from sqlglot import exp

from flinkops.sql._catalogs import Catalog, declare_table, find_named
from flinkops.sql._expressions import TableArgument
from flinkops.sql._kinds import EXPRESSION, IDENTITY, WINDOW_TIME, expression_kind
from flinkops.sql._relations import (
    NO_SOURCES,
    Relation,
    Sources,
    TableDef,
    table_name,
    union_sources,
)

# Catalog, TableDef, declare_table and table_name are re-exported for lineage.
__all__ = ["Catalog", "Relation", "Resolver", "TableDef", "declare_table", "table_name"]

_WINDOW_TVFS = {"TUMBLE", "HOP", "CUMULATE", "SESSION"}
_TIME_UNITS = {
    "NANOSECOND", "MICROSECOND", "MILLISECOND", "SECOND", "MINUTE", "HOUR", "DAY", "WEEK",
    "MONTH", "QUARTER", "YEAR",
}  # fmt: skip
_WINDOW_COLUMNS = ("window_start", "window_end", "window_time")


class Resolver:
    """Resolves queries against a catalog, collecting tables read, views and warnings."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.tables_read: set[str] = set()
        self.warnings: list[str] = []
        self._expanding: set[str] = set()  # views being expanded (a view reading itself)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    # -- queries ---------------------------------------------------------------

    def query(
        self,
        node: exp.Expr,
        ctes: dict[str, Relation] | None = None,
        outer: dict[str, Relation] | None = None,
    ) -> Relation:
        ctes = dict(ctes or {})
        with_ = node.args.get("with_")
        if with_ is not None:
            for cte in with_.expressions:
                relation = self.query(cte.this, ctes, outer)
                names = [c.name for c in cte.args["alias"].columns] if cte.args.get("alias") else []
                ctes[cte.alias] = relation.renamed(names) if names else relation
        if isinstance(node, exp.Subquery):
            return self.query(node.this, ctes, outer)
        if isinstance(node, exp.SetOperation):
            left = self.query(node.this, ctes, outer)
            right = self.query(node.expression, ctes, outer)
            rights = list(right.columns.values())
            return Relation(
                {
                    name: sources | (rights[i] if i < len(rights) else NO_SOURCES)
                    for i, (name, sources) in enumerate(left.columns.items())
                },
                kinds=dict(left.kinds),
            )
        if isinstance(node, exp.Values):
            width = len(node.expressions[0].expressions) if node.expressions else 0
            alias = node.args.get("alias")
            names = [c.name for c in alias.columns] if alias and alias.columns else []
            names = names or [f"EXPR${i}" for i in range(width)]
            return Relation({name: NO_SOURCES for name in names})
        if isinstance(node, exp.Select):
            return self._select(node, ctes, outer or {})
        self.warn(f"cannot resolve the columns of {node.key.upper()} queries")
        return Relation()

    def _select(
        self, node: exp.Select, ctes: dict[str, Relation], outer: dict[str, Relation]
    ) -> Relation:
        scope: dict[str, Relation] = {}
        from_ = node.args.get("from_")
        if from_ is not None:
            self._add_from_item(from_.this, scope, ctes, outer)
        for join in node.args.get("joins") or []:
            self._add_from_item(join.this, scope, ctes, outer)
        for lateral in node.args.get("laterals") or []:
            self._add_from_item(lateral, scope, ctes, outer)
        match = node.args.get("match")
        if match is not None and scope:
            alias, relation = next(iter(scope.items()))
            scope = {match.alias or alias: self._match_recognize(match, relation, ctes)}
        # Tables read only by subqueries in WHERE / ON / HAVING are still read.
        for key in ("where", "having"):
            if node.args.get(key) is not None:
                self._read_subqueries(node.args[key], scope, ctes, outer)
        for join in node.args.get("joins") or []:
            if join.args.get("on") is not None:
                self._read_subqueries(join.args["on"], scope, ctes, outer)

        out: dict[str, Sources] = {}
        kinds: dict[str, str] = {}
        for position, projection in enumerate(node.expressions):
            if isinstance(projection, exp.Star):
                for relation in scope.values():
                    out.update(relation.columns)
                    kinds.update({c: relation.kind(c) for c in relation.columns})
            elif isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
                table = self._relation(projection.table, scope, outer)
                if table is not None:
                    out.update(table.columns)
                    kinds.update({c: table.kind(c) for c in table.columns})
            else:
                name = _output_name(projection, position, out)
                out[name] = self.sources(projection, scope, ctes, outer)
                kinds[name] = self.kind_of(projection, scope, outer)
        return Relation(out, kinds=kinds)

    def _read_subqueries(
        self,
        condition: exp.Expr,
        scope: dict[str, Relation],
        ctes: dict[str, Relation],
        outer: dict[str, Relation],
    ) -> None:
        stack = list(condition.iter_expressions())
        while stack:
            node = stack.pop()
            if isinstance(node, exp.Select | exp.SetOperation):
                self.query(node, ctes, {**outer, **scope})
            else:
                stack.extend(node.iter_expressions())

    # -- FROM items ------------------------------------------------------------

    def _add_from_item(
        self,
        item: exp.Expr,
        scope: dict[str, Relation],
        ctes: dict[str, Relation],
        outer: dict[str, Relation],
    ) -> None:
        alias_node = item.args.get("alias")
        alias_columns = [c.name for c in alias_node.columns] if alias_node else []
        if isinstance(item, exp.Table) and isinstance(item.this, exp.Anonymous):
            relation = self._table_function(item.this, scope, ctes, outer)
            name = item.alias or "TABLE"
        elif isinstance(item, exp.Table):
            relation = self.named(table_name(item), ctes)
            name = item.alias or item.name
        elif isinstance(item, exp.Subquery):
            relation = self.query(item.this, ctes, {**outer, **scope})
            name = item.alias
        elif isinstance(item, exp.Unnest):
            sources = union_sources(self.sources(e, scope, ctes, outer) for e in item.expressions)
            names = alias_columns or ([item.alias] if item.alias else ["EXPR$0"])
            relation = Relation({n: sources for n in names}, kinds=dict.fromkeys(names, EXPRESSION))
            alias_columns = []
            name = item.alias or "UNNEST"
        elif isinstance(item, exp.Lateral):
            if isinstance(item.this, exp.Subquery | exp.Select):
                relation = self.query(item.this, ctes, {**outer, **scope})
            else:
                relation = self._table_function(item.this, scope, ctes, outer)
            name = item.alias or "LATERAL"
        else:
            self.warn(f"cannot resolve FROM item {item.sql(dialect='flink')[:60]!r}")
            return
        if alias_columns:
            relation = relation.renamed(alias_columns)
        scope[name] = relation

    def _table_function(
        self,
        call: exp.Expr,
        scope: dict[str, Relation],
        ctes: dict[str, Relation],
        outer: dict[str, Relation],
    ) -> Relation:
        """``TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), ...))`` or a user table function."""
        if isinstance(call, exp.Anonymous) and call.name.upper() == "TABLE" and call.expressions:
            call = call.expressions[0]
        name = call.name.upper() if isinstance(call, exp.Anonymous) else call.key.upper()
        raw = call.expressions if isinstance(call, exp.Anonymous) else call.iter_expressions()
        args = [a.expression if isinstance(a, exp.Kwarg) else a for a in raw]
        data = next((a for a in args if isinstance(a, TableArgument)), None)
        if name in _WINDOW_TVFS and data is not None:
            relation = self.named(table_name(data.this), ctes)
            descriptor = next(
                (
                    a
                    for a in args
                    if isinstance(a, exp.Anonymous) and a.name.upper() == "DESCRIPTOR"
                ),
                None,
            )
            time_sources = NO_SOURCES
            if descriptor is not None:
                time_sources = union_sources(
                    relation.lookup(c.name) or NO_SOURCES for c in descriptor.find_all(exp.Column)
                )
            columns = dict(relation.columns)
            columns.update({c: time_sources for c in _WINDOW_COLUMNS})
            kinds = {**relation.kinds, **dict.fromkeys(_WINDOW_COLUMNS, WINDOW_TIME)}
            return Relation(columns, kinds=kinds)
        sources = union_sources(self.sources(a, scope, ctes, outer) for a in args)
        self.warn(
            f"table function {call.name or name}: its output columns are taken to derive "
            "from all of its arguments"
        )
        return Relation({"EXPR$0": sources}, kinds={"EXPR$0": EXPRESSION})

    def _match_recognize(
        self, match: exp.MatchRecognize, relation: Relation, ctes: dict[str, Relation]
    ) -> Relation:
        """Partition columns pass through; measures derive from the columns they use."""
        columns: dict[str, Sources] = {}
        kinds: dict[str, str] = {}
        rows = match.args.get("rows")
        if rows is not None and "ALL ROWS" in rows.name.upper():
            columns.update(relation.columns)
            kinds.update(relation.kinds)
        for column in match.args.get("partition_by") or []:
            columns[column.alias_or_name] = relation.lookup(column.name) or NO_SOURCES
            kinds[column.alias_or_name] = relation.kind(column.name)
        pattern_scope = _AnyAlias(relation)
        for measure in match.args.get("measures") or []:
            expression = measure.this
            columns[expression.alias_or_name] = self.sources(expression, pattern_scope, ctes, {})
            kinds[expression.alias_or_name] = self.kind_of(expression, pattern_scope, {})
        return Relation(columns, kinds=kinds)

    def named(self, name: str, ctes: dict[str, Relation]) -> Relation:
        """A table, view or CTE by name; an undeclared table is open, with a warning."""
        if name in ctes:
            return ctes[name]
        view = self.catalog.find_view(name)
        if view is not None and name not in self._expanding:
            query, names = view
            self._expanding.add(name)
            try:
                relation = self.query(query)
            finally:
                self._expanding.discard(name)
            return relation.renamed(names) if names else relation
        table = self.catalog.find_table(name)
        if table is not None:
            self.tables_read.add(table.name)
            return Relation(dict(table.columns), kinds=dict.fromkeys(table.computed, EXPRESSION))
        self.tables_read.add(name)
        self.catalog.note_undeclared(name)
        self.warn(f"table {name} is not declared in this SQL; its columns are taken as referenced")
        return Relation(open_table=name)

    # -- expressions -------------------------------------------------------------

    def sources(
        self,
        expression: exp.Expr,
        scope: dict[str, Relation],
        ctes: dict[str, Relation],
        outer: dict[str, Relation],
    ) -> Sources:
        """Source columns referenced by an expression (subqueries resolved)."""
        found: set[str] = set()
        stack = [expression]
        while stack:
            node = stack.pop()
            if isinstance(node, exp.Column):
                found |= self._column(node, scope, outer)
                continue
            if isinstance(node, exp.Select | exp.SetOperation | exp.Subquery):
                sub = self.query(node, ctes, {**outer, **scope})
                found |= union_sources(sub.columns.values())
                continue
            stack.extend(node.iter_expressions())
        return frozenset(found)

    def _column(
        self, column: exp.Column, scope: dict[str, Relation], outer: dict[str, Relation]
    ) -> Sources:
        if isinstance(column.this, exp.Star):
            return NO_SOURCES
        parts = [p.name for p in column.parts]
        # `t.col.field` / `t.col` name a relation first; `col.field` a column's ROW field.
        if len(parts) >= 2:
            relation = self._relation(parts[0], scope, outer)
            if relation is not None:
                found = relation.lookup(parts[1])
                if found is not None:
                    return found
        for relations in (scope, outer):
            found = _lookup_unqualified(parts[0], relations)
            if found is not None:
                return found
        if len(parts) == 1 and parts[0].upper() in _TIME_UNITS:
            return NO_SOURCES  # TIMESTAMPADD(HOUR, ...): a unit, not a column
        if len(parts) == 1 or self._relation(parts[0], scope, outer) is None:
            self.warn(f"column {'.'.join(parts)} is not found in the tables of its query")
        return NO_SOURCES

    def kind_of(
        self, expression: exp.Expr, scope: dict[str, Relation], outer: dict[str, Relation]
    ) -> str:
        """What a projection does to its sources (see ``flinkops.sql._kinds``)."""
        return expression_kind(expression, lambda c: self._column_kind(c, scope, outer))

    def _column_kind(
        self, column: exp.Column, scope: dict[str, Relation], outer: dict[str, Relation]
    ) -> str:
        parts = [p.name for p in column.parts]
        if len(parts) >= 2:
            relation = self._relation(parts[0], scope, outer)
            if relation is not None and relation.lookup(parts[1]) is not None:
                return relation.kind(parts[1])
        for relations in (scope, outer):
            for relation in relations.values():
                if any(c.lower() == parts[0].lower() for c in relation.columns):
                    return relation.kind(parts[0])
        return IDENTITY

    @staticmethod
    def _relation(
        name: str, scope: dict[str, Relation], outer: dict[str, Relation]
    ) -> Relation | None:
        for relations in (scope, outer):
            if isinstance(relations, _AnyAlias):
                return relations.relation
            found = find_named(relations, name)
            if found is not None:
                return found
        return None


def _output_name(projection: exp.Expr, position: int, taken: dict[str, Sources]) -> str:
    """A projection's output name; Flink calls an unnamed expression ``EXPR$<position>``.

    Two unaliased expressions never share a name, so ``AVG(t), MAX(t)`` stay two columns.
    """
    name = projection.alias_or_name
    if isinstance(projection, exp.Alias | exp.Column) and name and name not in taken:
        return name
    return f"EXPR${position}"


class _AnyAlias(dict[str, Relation]):
    """MATCH_RECOGNIZE scope: every pattern variable (A.x, B.x) is the input relation."""

    def __init__(self, relation: Relation) -> None:
        super().__init__({"": relation})
        self.relation = relation


def _lookup_unqualified(name: str, relations: dict[str, Relation]) -> Sources | None:
    """An unqualified column: a declared match first, else the only undeclared table."""
    for relation in relations.values():
        if name in relation.columns or any(c.lower() == name.lower() for c in relation.columns):
            return relation.lookup(name)
    opened = [r for r in relations.values() if r.open_table is not None]
    if len(opened) == 1:
        return opened[0].lookup(name)
    return None
