"""Table- and column-level lineage of Flink SQL jobs, and across jobs.

``lineage_of_sql(sql, job)`` reads one job's SQL: every INSERT (statement sets
included) gives its sink's source tables and, per sink column, its source columns
(rules in ``flinkops.sql._resolve``). ``project_lineage`` joins jobs: a table one
job writes and another reads, with the same connector identity (same catalog table,
or same connector and path/topic/table options), links the two. All results are
frozen data; nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from flinkops.sql._expressions import CreateCatalog, StatementSet
from flinkops.sql._kinds import IDENTITY, split_kind, strongest
from flinkops.sql._resolve import (
    Catalog,
    Relation,
    Resolver,
    TableDef,
    declare_table,
    table_name,
)
from flinkops.sql.split import parse_statement, split_statements

__all__ = [
    "ColumnLineage",
    "JobEdge",
    "JobLineage",
    "Lineage",
    "LineageDiff",
    "TableLineage",
    "connector_identity",
    "diff_lineage",
    "lineage_of_sql",
    "lineage_of_trees",
    "project_lineage",
]

# Per connector family, the options that say *which* data it reads or writes (not how).
_IDENTITY_OPTIONS = {
    "filesystem": ("path",),
    "kafka": ("topic", "topic-pattern"),
    "jdbc": ("url", "table-name"),
    "elasticsearch": ("hosts", "index"),
    "hbase": ("zookeeper.quorum", "table-name"),
}
_FAMILIES = {"upsert-kafka": "kafka"}
_GENERIC_IDENTITY = ("path", "topic", "url", "table-name", "index", "table.identifier")


@dataclass(frozen=True, order=True)
class TableLineage:
    job: str
    sink: str
    sources: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"job": self.job, "sink": self.sink, "sources": list(self.sources)}


@dataclass(frozen=True, order=True)
class ColumnLineage:
    job: str
    sink: str  # "table.column"
    sources: tuple[str, ...]  # "table.column", sorted
    #: what happened on the edge: identity, expression, aggregation:FN or window time
    kind: str = field(default=IDENTITY, compare=False)

    @property
    def label(self) -> str:
        """The kind as shown on an edge: ``identity``, ``SUM``, ``window time``."""
        name, function = split_kind(self.kind)
        return function or name

    def to_json(self) -> dict[str, object]:
        name, function = split_kind(self.kind)
        data: dict[str, object] = {
            "job": self.job,
            "sink": self.sink,
            "sources": list(self.sources),
        }
        data["kind"] = name
        if function:
            data["function"] = function
        return data


@dataclass(frozen=True, order=True)
class JobEdge:
    """``from_job`` writes ``from_table``; ``to_job`` reads it as ``to_table``."""

    from_job: str
    from_table: str
    to_job: str
    to_table: str
    via: str  # the connector identity both tables share

    def to_json(self) -> dict[str, object]:
        return {
            "from_job": self.from_job,
            "from_table": self.from_table,
            "to_job": self.to_job,
            "to_table": self.to_table,
            "via": self.via,
        }


@dataclass(frozen=True)
class JobLineage:
    """One job's lineage: per sink, per sink column; plus what could not be resolved."""

    job: str
    tables: tuple[TableLineage, ...]
    columns: tuple[ColumnLineage, ...]
    warnings: tuple[str, ...] = ()
    sinks: tuple[str, ...] = ()  # tables the job writes
    identities: tuple[tuple[str, str], ...] = ()  # (table, connector identity), sorted
    #: WITH options of each declared table the job reads or writes, sorted (secrets
    #: included: for naming datasets, never for output)
    options: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = field(default=(), repr=False)

    def table_options(self, table: str) -> dict[str, str]:
        return dict(dict(self.options).get(table, ()))

    def identity(self, table: str) -> str | None:
        return dict(self.identities).get(table)

    def to_json(self) -> dict[str, list[Any]]:
        return Lineage(self.tables, self.columns, (), self.warnings).to_json()


@dataclass(frozen=True)
class Lineage:
    """Lineage of a project: each job's, plus the edges between jobs."""

    tables: tuple[TableLineage, ...]
    columns: tuple[ColumnLineage, ...]
    jobs: tuple[JobEdge, ...] = ()
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, list[Any]]:
        return {
            "tables": [t.to_json() for t in sorted(self.tables)],
            "columns": [c.to_json() for c in sorted(self.columns)],
            "jobs": [e.to_json() for e in sorted(self.jobs)],
            "warnings": sorted(self.warnings),
        }

    def impact(self, column: str) -> list[str]:
        """Every downstream ``job: table.col`` of ``column`` (``table.col``), across jobs."""
        start_job, name = _split_job(column)
        frontier = [(job, name) for job in self._job_names() if start_job in (None, job)]
        return sorted(f"{job}: {col}" for job, col in self._walk(frontier, downstream=True))

    def upstream(self, column: str) -> list[str]:
        """Every upstream ``job: table.col`` that ``column`` (a sink column) derives from."""
        start_job, name = _split_job(column)
        frontier = [(job, name) for job in self._job_names() if start_job in (None, job)]
        return sorted(f"{job}: {col}" for job, col in self._walk(frontier, downstream=False))

    def unknown(self, column: str) -> str | None:
        """Why ``column`` (``[job: ]table.col``) names nothing this lineage knows, or None:
        no such job, no such table, or no such column of the table in any edge."""
        job, name = _split_job(column)
        jobs = self._job_names()
        if job is not None and job not in jobs:
            return f"no job {job!r} (jobs: {', '.join(jobs) or 'none'})"
        table, _, col = name.rpartition(".")
        if not table or not col:
            return f"{name!r} is not TABLE.COL"
        edges = [c for c in self.columns if job in (None, c.job)]
        known = {x for c in edges for x in (c.sink, *c.sources)}
        tables = {t for e in self.tables if job in (None, e.job) for t in (e.sink, *e.sources)}
        tables |= {x.rpartition(".")[0] for x in known}
        if table not in tables:
            shown = ", ".join(sorted(tables)) or "none"
            return f"no table {table!r} in the lineage (tables: {shown})"
        if name not in known:
            cols = sorted(x.rpartition(".")[2] for x in known if x.rpartition(".")[0] == table)
            shown = ", ".join(cols) or "none"
            return f"table {table!r} has no column {col!r} in the lineage (columns: {shown})"
        return None

    def _job_names(self) -> list[str]:
        return sorted({c.job for c in self.columns} | {t.job for t in self.tables})

    def _walk(self, frontier: list[tuple[str, str]], *, downstream: bool) -> set[tuple[str, str]]:
        seen: set[tuple[str, str]] = set()
        while frontier:
            job, col = frontier.pop()
            for edge in self.columns:
                if edge.job != job:
                    continue
                hits = [edge.sink] if downstream and col in edge.sources else []
                if not downstream and edge.sink == col:
                    hits = list(edge.sources)
                for node in [(job, h) for h in hits]:
                    for same in [node, *self._across(*node, downstream=downstream)]:
                        if same not in seen:
                            seen.add(same)
                            frontier.append(same)
        return seen

    def _across(self, job: str, col: str, *, downstream: bool) -> list[tuple[str, str]]:
        """The same column as another job sees it, through a cross-job edge."""
        table, _, name = col.rpartition(".")
        found = []
        for e in self.jobs:
            if downstream and (e.from_job, e.from_table) == (job, table):
                found.append((e.to_job, f"{e.to_table}.{name}"))
            if not downstream and (e.to_job, e.to_table) == (job, table):
                found.append((e.from_job, f"{e.from_table}.{name}"))
        return found


@dataclass(frozen=True)
class LineageDiff:
    """Sink columns added, removed or re-sourced between two versions of a job."""

    added: tuple[ColumnLineage, ...] = ()
    removed: tuple[ColumnLineage, ...] = ()
    resourced: tuple[tuple[ColumnLineage, ColumnLineage], ...] = ()  # (old, new)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.resourced)

    def to_json(self) -> dict[str, list[object]]:
        return {
            "added": [c.to_json() for c in self.added],
            "removed": [c.to_json() for c in self.removed],
            "resourced": [
                {"sink": new.sink, "old": list(old.sources), "new": list(new.sources)}
                for old, new in self.resourced
            ],
        }


def _split_job(column: str) -> tuple[str | None, str]:
    """``"job: t.c"`` -> ("job", "t.c"); ``"t.c"`` -> (None, "t.c")."""
    if ": " in column:
        job, _, rest = column.partition(": ")
        return job.strip(), rest.strip()
    return None, column.strip()


def connector_identity(options: dict[str, str]) -> str | None:
    """What data a table stands for: connector family plus its location options, or None.

    ``kafka`` and ``upsert-kafka`` on one topic are the same data; a filesystem path
    with or without a trailing ``/`` is the same path. Connectors without a location
    (datagen, print, blackhole) have no identity and never link jobs.
    """
    connector = options.get("connector", "")
    family = _FAMILIES.get(connector, connector.split("-")[0] if connector else "")
    keys = _IDENTITY_OPTIONS.get(family, _GENERIC_IDENTITY)
    present = [k for k in keys if options.get(k)]
    if not family or not present:
        return None
    parts = [f"{k}={options[k].rstrip('/') if k == 'path' else options[k]}" for k in present]
    return f"{family}:{','.join(parts)}"


# -- one job ---------------------------------------------------------------------------


def lineage_of_sql(sql: str, job: str) -> JobLineage:
    """Lineage of every INSERT in ``sql``; raises SqlError (located) for bad SQL."""
    trees = [parse_statement(statement) for statement in split_statements(sql)]
    return lineage_of_trees(trees, job)


def lineage_of_trees(trees: Iterable[exp.Expr], job: str) -> JobLineage:
    """Lineage of already parsed statements, in order (DDL before the INSERTs using it)."""
    catalog = Catalog()
    tables: dict[str, set[str]] = {}
    columns: dict[str, set[str]] = {}
    kinds: dict[str, str] = {}
    warnings: list[str] = []
    for tree in trees:
        for sink, read, sink_columns, notes in _statement_lineage(tree, catalog):
            tables.setdefault(sink, set()).update(read)
            for column, sources, kind in sink_columns:
                key = f"{sink}.{column}"
                columns.setdefault(key, set()).update(sources)
                kinds[key] = strongest(kinds[key], kind) if key in kinds else kind
            warnings.extend(n for n in notes if n not in warnings)
    names = set(tables) | {s for sources in tables.values() for s in sources}
    identities, options = [], []
    for name in sorted(names):
        declared = catalog.find_table(name)
        identity = _identity(catalog, name)
        if identity:
            identities.append((name, identity))
        if declared is not None:
            options.append((name, tuple(sorted(declared.options.items()))))
    return JobLineage(
        job=job,
        tables=tuple(TableLineage(job, s, tuple(sorted(r))) for s, r in sorted(tables.items())),
        columns=tuple(
            ColumnLineage(job, s, tuple(sorted(r)), kinds[s]) for s, r in sorted(columns.items())
        ),
        warnings=tuple(warnings),
        sinks=tuple(sorted(tables)),
        identities=tuple(identities),
        options=tuple(options),
    )


def _identity(catalog: Catalog, name: str) -> str | None:
    """A table's connector identity, or its catalog's (see ``flinkops.sql._catalogs``)."""
    declared = catalog.find_table(name)
    if declared is not None and declared.options.get("connector"):
        return connector_identity(declared.options)
    if declared is not None:
        return catalog.catalog_identity_of(declared.name, declared=True)
    return catalog.catalog_identity_of(name, declared=False)


_StatementResult = tuple[str, set[str], list[tuple[str, frozenset[str], str]], list[str]]


def _statement_lineage(tree: exp.Expr, catalog: Catalog) -> list[_StatementResult]:
    """Record DDL in the catalog; return (sink, tables read, columns, warnings) per INSERT."""
    if isinstance(tree, StatementSet):
        return [r for inner in tree.expressions for r in _statement_lineage(inner, catalog)]
    if isinstance(tree, CreateCatalog):
        props = tree.args.get("properties")
        options = {p.name: p.text("value") for p in props.expressions} if props else {}
        catalog.catalogs[tree.name] = options
        return []
    if isinstance(tree, exp.Use) and isinstance(tree.this, exp.Table):
        if tree.text("kind").upper() == "CATALOG":
            catalog.use(tree.this.name, None)
        elif not tree.args.get("kind"):
            catalog.use(tree.this.text("db") or None, tree.this.name)
        return []
    if isinstance(tree, exp.Create):
        kind = (tree.args.get("kind") or "").upper()
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        if kind == "VIEW" and tree.expression is not None:
            names = (
                [i.name for i in tree.this.expressions] if isinstance(tree.this, exp.Schema) else []
            )
            catalog.views[table_name(target)] = (tree.expression, names)
        elif kind == "TABLE":
            table = declare_table(tree, catalog)
            if tree.expression is None:
                catalog.declare(table)
                return []
            return [_insert(table.name, [], tree.expression, catalog, ctas=table)]
        return []
    if isinstance(tree, exp.Insert):
        target = tree.this
        listed = [i.name for i in target.expressions] if isinstance(target, exp.Schema) else []
        table = target.this if isinstance(target, exp.Schema) else target
        static = [
            e.this.name
            for e in (
                table.args.get("partition").expressions if table.args.get("partition") else []
            )
            if isinstance(e, exp.EQ)
        ]
        return [_insert(table_name(table), listed, tree.expression, catalog, static=static)]
    return []


def _insert(
    sink: str,
    listed: list[str],
    query: exp.Expr,
    catalog: Catalog,
    *,
    static: Sequence[str] = (),
    ctas: TableDef | None = None,
) -> _StatementResult:
    resolver = Resolver(catalog)
    out: Relation = resolver.query(query)
    declared = catalog.find_table(sink)
    names = listed
    if declared is not None:
        sink = declared.name
        names = names or [c for c in declared.writable if c not in static]
    if ctas is not None:
        names = list(out.columns)
        catalog.declare(_ctas_table(sink, names, ctas))
    elif not names:
        names = list(out.columns)
        catalog.note_undeclared(sink)
        resolver.warn(
            f"sink table {sink} is not declared in this SQL; columns taken from the query"
        )
    values = list(out.columns.values())
    kinds = [out.kind(c) for c in out.columns]
    if len(values) != len(names):
        resolver.warn(
            f"INSERT INTO {sink}: the query gives {len(values)} columns "
            f"for {len(names)} sink columns"
        )
    pairs = [(name, values[i], kinds[i]) for i, name in enumerate(names) if i < len(values)]
    return sink, set(resolver.tables_read), pairs, resolver.warnings


def _ctas_table(sink: str, names: list[str], base: TableDef) -> TableDef:
    """The table a CREATE TABLE ... AS SELECT declares: the query's columns."""
    columns = {n: frozenset({f"{sink}.{n}"}) for n in names}
    return TableDef(sink, columns, names, base.options)


# -- many jobs -----------------------------------------------------------------------------


def project_lineage(jobs: Sequence[tuple[str, str]]) -> Lineage:
    """Lineage of (job name, SQL) pairs, with cross-job edges by connector identity."""
    return combine([lineage_of_sql(sql, name) for name, sql in jobs])


def combine(parts: Sequence[JobLineage]) -> Lineage:
    """Join already computed job lineages into one project lineage."""
    edges = []
    for writer in parts:
        for sink in writer.sinks:
            identity = writer.identity(sink)
            if identity is None:
                continue
            for reader in parts:
                for table_edge in reader.tables:
                    for source in table_edge.sources:
                        if reader.identity(source) == identity and (
                            reader.job != writer.job or source != sink
                        ):
                            edges.append(JobEdge(writer.job, sink, reader.job, source, identity))
    return Lineage(
        tables=tuple(t for p in parts for t in p.tables),
        columns=tuple(c for p in parts for c in p.columns),
        jobs=tuple(sorted(set(edges))),
        warnings=tuple(f"{p.job}: {w}" for p in parts for w in p.warnings),
    )


def diff_lineage(old: JobLineage | None, new: JobLineage | None) -> LineageDiff:
    """Sink columns added, removed or re-sourced from ``old`` to ``new``."""
    before = {c.sink: c for c in (old.columns if old else ())}
    after = {c.sink: c for c in (new.columns if new else ())}
    return LineageDiff(
        added=tuple(after[s] for s in sorted(after.keys() - before.keys())),
        removed=tuple(before[s] for s in sorted(before.keys() - after.keys())),
        resourced=tuple(
            (before[s], after[s])
            for s in sorted(before.keys() & after.keys())
            if before[s].sources != after[s].sources
        ),
    )
