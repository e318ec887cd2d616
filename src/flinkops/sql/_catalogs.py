"""The session a job's statements build up: catalogs, the current catalog and database,
and the tables and views declared so far.

A table is identified by catalog, database and name; an unqualified or partly
qualified name is completed from the current catalog and database, which ``USE
CATALOG`` and ``USE`` change. A catalog's identity comes from its options (type plus
warehouse, metastore URI or base URL), so two jobs reading ``lake.db.orders`` under
catalogs of the same identity read the same data, though neither declares the table.
An in-memory catalog is private to its job and has no identity. A ``$``-suffixed
system table (``orders$changelog``, ``orders$snapshots``) stands for its table.

``declare_table`` reads a CREATE TABLE (its LIKE included) into the ``TableDef`` the
catalog keeps: a physical or metadata column is its own source, a computed column's
sources are the physical columns in its expression.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from sqlglot import exp

from flinkops.sql._expressions import MetadataColumnConstraint
from flinkops.sql._relations import Relation, Sources, TableDef, table_name, union_sources

__all__ = [
    "DEFAULT_CATALOG",
    "DEFAULT_DATABASE",
    "Catalog",
    "catalog_identity",
    "declare_table",
    "find_named",
]

DEFAULT_CATALOG = "default_catalog"
DEFAULT_DATABASE = "default_database"
# Options that say where a catalog's data lives, by what the catalog type calls them.
_LOCATION_OPTIONS = ("warehouse", "uri", "hive.metastore.uris", "base-url", "hive-conf-dir")
_T = TypeVar("_T")
Qualified = tuple[str, str, str]


def catalog_identity(options: dict[str, str]) -> str | None:
    """``type:location`` of a catalog, or None when it has no shared location."""
    kind = options.get("type", "")
    location = next((options[k].rstrip("/") for k in _LOCATION_OPTIONS if options.get(k)), "")
    if not kind or not location or kind == "generic_in_memory":
        return None
    return f"{kind}:{location}"


@dataclass
class Catalog:
    """What the statements so far declared, and where unqualified names resolve."""

    tables: dict[str, TableDef] = field(default_factory=dict)
    views: dict[str, tuple[exp.Expr, list[str]]] = field(default_factory=dict)
    catalogs: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> options
    current: tuple[str, str] = (DEFAULT_CATALOG, DEFAULT_DATABASE)
    qualified: dict[str, Qualified] = field(default_factory=dict)  # declared name -> full
    seen: dict[str, Qualified] = field(default_factory=dict)  # undeclared name -> full, at use

    def qualify(self, name: str) -> Qualified:
        """``t`` / ``db.t`` / ``cat.db.t`` completed from the current catalog and database."""
        parts = name.split(".")
        catalog, database = self.current
        if len(parts) >= 3:
            return parts[-3], parts[-2], parts[-1]
        if len(parts) == 2:
            return catalog, parts[0], parts[1]
        return catalog, database, parts[0]

    def declare(self, table: TableDef) -> None:
        self.tables[table.name] = table
        self.qualified[table.name] = self.qualify(table.name)

    def find_table(self, name: str) -> TableDef | None:
        """A declared table by the name written, or by the same catalog.db.table."""
        found = find_named(self.tables, name)
        if found is not None:
            return found
        wanted = _lower(self.qualify(name))
        return next(
            (self.tables[n] for n, q in self.qualified.items() if _lower(q) == wanted), None
        )

    def find_view(self, name: str) -> tuple[exp.Expr, list[str]] | None:
        return find_named(self.views, name)

    def use(self, catalog: str | None, database: str | None) -> None:
        """``USE CATALOG c`` (its default database) or ``USE [c.]db``."""
        if catalog is not None and database is None:
            options = self.catalogs.get(catalog, {})
            default = DEFAULT_DATABASE if catalog == DEFAULT_CATALOG else "default"
            self.current = (catalog, options.get("default-database", default))
        elif database is not None:
            self.current = (catalog or self.current[0], database)

    def note_undeclared(self, name: str) -> None:
        """Remember where an undeclared table's name pointed when it was used."""
        self.seen.setdefault(name, self.qualify(name))

    def catalog_identity_of(self, name: str, *, declared: bool) -> str | None:
        """``catalog:<catalog identity>/db.t`` when the table's catalog has a location; for
        an undeclared table otherwise its name (full unless in the default database)."""
        where = self.qualified if declared else self.seen
        catalog, database, table = where.get(name) or self.qualify(name)
        table = table.split("$")[0]  # t$snapshots, t$changelog: system tables of t
        location = catalog_identity(self.catalogs.get(catalog, {}))
        if location:
            return f"catalog:{location}/{database}.{table}"
        if declared:
            return None
        if catalog == DEFAULT_CATALOG and database == DEFAULT_DATABASE:
            return f"catalog:{table}"
        return f"catalog:{catalog}.{database}.{table}"


def _lower(name: Qualified) -> Qualified:
    return (name[0].lower(), name[1].lower(), name[2].lower())


def find_named(mapping: dict[str, _T], name: str) -> _T | None:
    """Exact name first, then case-insensitive (docs mix `Orders` and `orders`)."""
    if name in mapping:
        return mapping[name]
    lowered = name.lower()
    return next((v for k, v in mapping.items() if k.lower() == lowered), None)


# -- CREATE TABLE -------------------------------------------------------------------


def declare_table(create: exp.Create, catalog: Catalog) -> TableDef:
    """A TableDef from CREATE TABLE (with LIKE and CTAS handled by the caller's query)."""
    target = create.this
    table = target.this if isinstance(target, exp.Schema) else target
    name = table_name(table)
    defs = (
        [e for e in target.expressions if isinstance(e, exp.ColumnDef)]
        if isinstance(target, exp.Schema)
        else []
    )
    options: dict[str, str] = {}
    properties = create.args.get("properties")
    like_defs: list[exp.ColumnDef] = []
    for prop in properties.expressions if properties else []:
        if isinstance(prop, exp.LikeProperty):
            base = catalog.find_table(table_name(prop.this))
            excluded = {f"{o.name} {o.text('value')}" for o in prop.expressions}
            if base is not None:
                like_defs = list(base.column_defs)
                if not excluded & {"EXCLUDING OPTIONS", "EXCLUDING ALL"}:
                    options = {**base.options, **options}
        elif type(prop) is exp.Property:
            options[prop.name] = prop.text("value")
    own = {d.name for d in defs}
    column_defs = [d for d in like_defs if d.name not in own] + defs
    columns, writable = _columns_of(name, column_defs)
    computed = tuple(
        d.name
        for d in column_defs
        for c in d.args.get("constraints") or []
        if isinstance(c.args.get("kind"), exp.ComputedColumnConstraint)
    )
    return TableDef(name, columns, writable, options, column_defs, computed)


def _columns_of(name: str, defs: list[exp.ColumnDef]) -> tuple[dict[str, Sources], list[str]]:
    """Sources of each column when read, and the columns an INSERT writes."""
    columns: dict[str, Sources] = {}
    writable: list[str] = []
    computed: dict[str, exp.Expr] = {}
    for column_def in defs:
        kinds = [c.args.get("kind") for c in column_def.args.get("constraints") or []]
        computed_kind = next(
            (k for k in kinds if isinstance(k, exp.ComputedColumnConstraint)), None
        )
        metadata = next((k for k in kinds if isinstance(k, MetadataColumnConstraint)), None)
        if computed_kind is not None:
            computed[column_def.name] = computed_kind.this
            continue
        columns[column_def.name] = frozenset({f"{name}.{column_def.name}"})
        if metadata is None or not metadata.args.get("virtual"):
            writable.append(column_def.name)
    physical = Relation(dict(columns))
    for column_def in defs:
        expression = computed.get(column_def.name)
        if expression is not None:
            refs = [physical.lookup(c.parts[0].name) for c in expression.find_all(exp.Column)]
            columns[column_def.name] = union_sources(r for r in refs if r is not None)
    ordered = {d.name: columns[d.name] for d in defs if d.name in columns}
    return ordered, writable
