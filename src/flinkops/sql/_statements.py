"""Flink's catalog, ALTER and utility statements: parsers and their generator methods.

Each statement is one entry in the parser's ``STATEMENT_PARSERS`` (keyed by its first
token; words the tokenizer leaves as plain names go in ``WORD_STATEMENTS``; both tables
are in ``flinkops.sql._parser``) and one ``<expression>_sql`` method in
``StatementsGenerator``. The parsers here run after the statement's first word has been
consumed.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp
from sqlglot.parser import Parser
from sqlglot.tokens import TokenType

from flinkops.sql import _expressions
from flinkops.sql._expressions import (
    AddPartitions,
    AlterObject,
    AnalyzeTable,
    AsDefinition,
    Call,
    CommentIs,
    CompilePlan,
    CreateCatalog,
    DropCatalog,
    DropSchema,
    ExecutePlan,
    JarStatement,
    LifecycleAction,
    ModuleStatement,
    PartitionOptions,
    Positioned,
    RenameTo,
    ResetOptions,
    SchemaChange,
    SetOptions,
    StopJob,
)

__all__ = ["WORD_STATEMENTS", "StatementsGenerator", "parse_alter", "parse_create", "parse_drop"]


def _options(self: Parser) -> exp.Properties | None:
    """``WITH ('k' = 'v', ...)`` if present."""
    if not self._match(TokenType.WITH):
        return None
    return exp.Properties(expressions=self._parse_wrapped_properties())


def _name(self: Parser) -> exp.Expr:
    """A possibly dotted object name; an error when there is none."""
    name = self._parse_table_parts()
    if not name or not name.name:
        self.raise_error("Expected a name")
        return exp.Expr()  # only at a lenient error level: IMMEDIATE has raised
    return name


def _string(self: Parser, what: str) -> exp.Expr:
    value = self._parse_string()
    if value is None:
        self.raise_error(f"Expected {what} as a quoted string")
        return exp.Expr()  # only at a lenient error level: IMMEDIATE has raised
    return value


def parse_create(self: Parser) -> exp.Expr | None:
    """``CREATE CATALOG`` here; every other CREATE is sqlglot's."""
    if not self._match_text_seq("CATALOG"):
        return self._parse_create()
    exists = self._parse_exists(not_=True)
    name = self._parse_id_var()
    if name is None:
        self.raise_error("Expected the catalog's name")
    comment = self._parse_string() if self._match(TokenType.COMMENT) else None
    return self.expression(
        CreateCatalog(this=name, exists=exists, comment=comment, properties=_options(self))
    )


def parse_drop(self: Parser) -> exp.Expr | None:
    """``DROP CATALOG`` here; every other DROP is sqlglot's."""
    if not self._match_text_seq("CATALOG"):
        return self._parse_drop()
    exists = self._parse_exists()
    return self.expression(DropCatalog(this=self._parse_id_var(), exists=exists))


def parse_alter(self: Parser) -> exp.Expr:
    """``ALTER TABLE|VIEW|CATALOG|DATABASE|FUNCTION|MATERIALIZED TABLE ...``."""
    temporary = self._match(TokenType.TEMPORARY)
    system = self._match_text_seq("SYSTEM")
    for kind in _ALTERABLES:
        if self._match_text_seq(*kind.split()):
            break
    else:
        self.raise_error("Expected TABLE, VIEW, CATALOG, DATABASE or FUNCTION after ALTER")
        return exp.Expr()
    exists = self._parse_exists()
    name = _name(self)
    action = _ALTER_ACTIONS.get(self._curr.text.upper()) if self._curr else None
    if action is None:
        self.raise_error(f"Expected what to change in {kind} {name.sql('flink')}")
        return exp.Expr()
    self._advance()
    return self.expression(
        AlterObject(
            kind=kind,
            this=name,
            action=action(self),
            exists=exists,
            temporary=temporary,
            system=system,
        )
    )


_ALTERABLES = ("MATERIALIZED TABLE", "TABLE", "VIEW", "CATALOG", "DATABASE", "FUNCTION")


def _schema_item(self: Parser) -> exp.Expr:
    """A column, watermark or key, with its ``FIRST`` / ``AFTER col`` position."""
    item = self._parse_constraint() or self._parse_field_def()
    if item is None:
        self.raise_error("Expected a column, WATERMARK or PRIMARY KEY")
        return exp.Expr()
    if self._match_text_seq("FIRST"):
        return self.expression(Positioned(this=item, position="FIRST"))
    if self._match_text_seq("AFTER"):
        after = self._parse_id_var()
        return self.expression(Positioned(this=item, position="AFTER", after=after))
    return item


def _schema_change(kind: str) -> Callable[[Parser], exp.Expr]:
    def parse(self: Parser) -> exp.Expr:
        if kind == "ADD" and self._match_text_seq("IF", "NOT", "EXISTS", advance=False):
            return _add_partitions(self)
        if kind == "ADD" and self._match(TokenType.PARTITION, advance=False):
            return _add_partitions(self)
        wrapped = self._match(TokenType.L_PAREN)
        items = self._parse_csv(lambda: _schema_item(self)) if wrapped else [_schema_item(self)]
        if wrapped:
            self._match_r_paren()
        return self.expression(SchemaChange(kind=kind, expressions=items, wrapped=wrapped))

    return parse


def _add_partitions(self: Parser) -> AddPartitions:
    exists = self._parse_exists(not_=True)
    specs = []
    while spec := self._parse_partition():
        specs.append(self.expression(PartitionOptions(this=spec, properties=_options(self))))
    return self.expression(AddPartitions(expressions=specs, exists=exists))


def _drop_schema(self: Parser) -> DropSchema:
    for kind in ("PRIMARY KEY", "WATERMARK"):
        if self._match_text_seq(*kind.split()):
            return self.expression(DropSchema(kind=kind))
    if self._match_text_seq("CONSTRAINT"):
        return self.expression(DropSchema(kind="CONSTRAINT", expressions=[self._parse_id_var()]))
    if self._match(TokenType.PARTITION, advance=False):
        parts = self._parse_csv(self._parse_partition)
        return self.expression(DropSchema(kind="PARTITION", expressions=parts))
    wrapped = self._match(TokenType.L_PAREN)
    columns = self._parse_csv(self._parse_id_var) if wrapped else [self._parse_id_var()]
    if wrapped:
        self._match_r_paren()
    if not all(columns):
        self.raise_error("Expected the columns to drop")
    return self.expression(DropSchema(kind="COLUMN", expressions=columns, wrapped=wrapped))


def _rename(self: Parser) -> RenameTo:
    old = None if self._match_text_seq("TO") else self._parse_id_var()
    if old is not None and not self._match_text_seq("TO"):
        self.raise_error("Expected TO in RENAME ... TO ...")
    new = self._parse_table_parts() if old is None else self._parse_id_var()
    return self.expression(RenameTo(this=old, to=new))


def _set_options(self: Parser) -> exp.Expr:
    return self.expression(SetOptions(expressions=self._parse_wrapped_properties()))


def _reset_options(self: Parser) -> exp.Expr:
    return self.expression(ResetOptions(expressions=self._parse_wrapped_csv(self._parse_string)))


def _as_definition(self: Parser) -> exp.Expr:
    body = self._parse_string() or self._parse_select()
    language = self._parse_var(any_token=True) if self._match_text_seq("LANGUAGE") else None
    return self.expression(AsDefinition(this=body, language=language))


def _lifecycle(word: str) -> Callable[[Parser], exp.Expr]:
    def parse(self: Parser) -> exp.Expr:
        partition = self._parse_partition() if word == "REFRESH" else None
        return self.expression(
            LifecycleAction(this=word, properties=_options(self), partition=partition)
        )

    return parse


_ALTER_ACTIONS: dict[str, Callable[[Parser], exp.Expr]] = {
    "ADD": _schema_change("ADD"),
    "MODIFY": _schema_change("MODIFY"),
    "DROP": _drop_schema,
    "RENAME": _rename,
    "SET": _set_options,
    "RESET": _reset_options,
    "COMMENT": lambda self: self.expression(CommentIs(this=_string(self, "the comment"))),
    "AS": _as_definition,
    "SUSPEND": _lifecycle("SUSPEND"),
    "RESUME": _lifecycle("RESUME"),
    "REFRESH": _lifecycle("REFRESH"),
}


def parse_analyze(self: Parser) -> AnalyzeTable:
    """``ANALYZE TABLE t [PARTITION (...)] COMPUTE STATISTICS [FOR ...]``."""
    if not self._match(TokenType.TABLE):
        self.raise_error("Expected TABLE after ANALYZE")
    table = _name(self)
    partition = self._parse_partition()
    if not self._match_text_seq("COMPUTE", "STATISTICS"):
        self.raise_error("Expected COMPUTE STATISTICS")
    all_columns = self._match_text_seq("FOR", "ALL", "COLUMNS")
    columns = None
    if not all_columns and self._match_text_seq("FOR", "COLUMNS"):
        columns = self._parse_csv(self._parse_id_var)
    return self.expression(
        AnalyzeTable(this=table, partition=partition, columns=columns, all_columns=all_columns)
    )


def _parse_call(self: Parser) -> Call:
    """``CALL [catalog.][db.]proc(args)``; an argument may be named: ``name => value``."""
    parts = [self._parse_id_var(any_token=False)]
    while parts[-1] is not None and self._match(TokenType.DOT):
        parts.append(self._parse_id_var(any_token=True))
    if None in parts or len(parts) > 3 or not self._match(TokenType.L_PAREN):
        self.raise_error("Expected a procedure call: CALL [catalog.][db.]procedure(...)")
        return Call()
    name = exp.Table(**dict(zip(("this", "db", "catalog"), reversed(parts), strict=False)))
    args: list[exp.Expr] | None = [] if self._match(TokenType.R_PAREN) else None
    if args is None:
        args = self._parse_csv(self._parse_lambda)
        self._match_r_paren()
    return self.expression(Call(this=name, expressions=args))


def _modules(kind: str) -> Callable[[Parser], exp.Expr]:
    def parse(self: Parser) -> exp.Expr:
        if not self._match_text_seq("MODULES" if kind == "USE" else "MODULE"):
            self.raise_error(f"Expected MODULE{'S' if kind == 'USE' else ''} after {kind}")
        names = self._parse_csv(self._parse_id_var) if kind == "USE" else [self._parse_id_var()]
        return self.expression(
            ModuleStatement(kind=kind, expressions=names, properties=_options(self))
        )

    return parse


def _jar(kind: str) -> Callable[[Parser], exp.Expr]:
    def parse(self: Parser) -> exp.Expr:
        if not self._match_text_seq("JAR"):
            self.raise_error(f"Expected JAR after {kind}")
        return self.expression(JarStatement(kind=kind, this=_string(self, "the jar's path")))

    return parse


def _stop_job(self: Parser) -> StopJob:
    if not self._match_text_seq("JOB"):
        self.raise_error("Expected JOB after STOP")
    job = _string(self, "the job id")
    savepoint = self._match_text_seq("WITH", "SAVEPOINT")
    drain = self._match_text_seq("WITH", "DRAIN")
    return self.expression(StopJob(this=job, savepoint=savepoint, drain=drain))


def _compile_plan(self: Parser) -> CompilePlan:
    if not self._match_text_seq("PLAN"):
        self.raise_error("Expected PLAN after COMPILE")
    path = _string(self, "the plan file")
    exists = self._parse_exists(not_=True)
    if not self._match(TokenType.FOR):
        self.raise_error("Expected FOR <statement> in COMPILE PLAN")
    statement = self._parse_statement()
    if statement is None:
        self.raise_error("Expected the statement to compile")
    return self.expression(CompilePlan(this=path, expression=statement, exists=exists))


def parse_execute_plan(self: Parser) -> ExecutePlan:
    """``EXECUTE PLAN 'file'``; EXECUTE has been consumed, PLAN is next."""
    self._match_text_seq("PLAN")
    return self.expression(ExecutePlan(this=_string(self, "the plan file")))


# Statements whose first word the tokenizer leaves as a plain name (VAR).
WORD_STATEMENTS: dict[str, Callable[[Parser], exp.Expr]] = {
    "CALL": _parse_call,
    "UNLOAD": _modules("UNLOAD"),
    "ADD": _jar("ADD"),
    "REMOVE": _jar("REMOVE"),
    "STOP": _stop_job,
    "COMPILE": _compile_plan,
}
LOAD_MODULE = _modules("LOAD")
USE_MODULES = _modules("USE")


class StatementsGenerator:
    """Generator methods for the nodes above, mixed into the Flink generator."""

    sql: Callable[..., str]
    expressions: Callable[..., str]

    def _with(self, expression: exp.Expr, key: str = "properties") -> str:
        props = expression.args.get(key)
        return f" WITH ({self.expressions(props, flat=True)})" if props else ""

    def createcatalog_sql(self, e: CreateCatalog) -> str:
        exists = " IF NOT EXISTS" if e.args.get("exists") else ""
        comment = f" COMMENT {self.sql(e, 'comment')}" if e.args.get("comment") else ""
        return f"CREATE CATALOG{exists} {self.sql(e, 'this')}{comment}{self._with(e)}"

    def dropcatalog_sql(self, e: DropCatalog) -> str:
        exists = " IF EXISTS" if e.args.get("exists") else ""
        return f"DROP CATALOG{exists} {self.sql(e, 'this')}"

    def alterobject_sql(self, e: AlterObject) -> str:
        temporary = " TEMPORARY" if e.args.get("temporary") else ""
        system = " SYSTEM" if e.args.get("system") else ""
        exists = " IF EXISTS" if e.args.get("exists") else ""
        head = f"ALTER{temporary}{system} {e.text('kind')}{exists} {self.sql(e, 'this')}"
        return f"{head} {self.sql(e, 'action')}"

    def schemachange_sql(self, e: SchemaChange) -> str:
        items = self.expressions(e, flat=True)
        return (
            f"{e.text('kind')} ({items})" if e.args.get("wrapped") else f"{e.text('kind')} {items}"
        )

    def positioned_sql(self, e: Positioned) -> str:
        after = f" {self.sql(e, 'after')}" if e.args.get("after") else ""
        return f"{self.sql(e, 'this')} {e.text('position')}{after}"

    def dropschema_sql(self, e: DropSchema) -> str:
        kind = e.text("kind")
        items = self.expressions(e, flat=True)
        if kind == "COLUMN":
            return f"DROP ({items})" if e.args.get("wrapped") else f"DROP {items}"
        return f"DROP {items}" if kind == "PARTITION" else f"DROP {kind} {items}".rstrip()

    def addpartitions_sql(self, e: AddPartitions) -> str:
        exists = " IF NOT EXISTS" if e.args.get("exists") else ""
        return f"ADD{exists} {self.expressions(e, sep=' ', flat=True)}"

    def partitionoptions_sql(self, e: PartitionOptions) -> str:
        return f"{self.sql(e, 'this')}{self._with(e)}"

    def renameto_sql(self, e: RenameTo) -> str:
        old = f" {self.sql(e, 'this')}" if e.args.get("this") else ""
        return f"RENAME{old} TO {self.sql(e, 'to')}"

    def setoptions_sql(self, e: SetOptions) -> str:
        return f"SET ({self.expressions(e, flat=True)})"

    def resetoptions_sql(self, e: ResetOptions) -> str:
        return f"RESET ({self.expressions(e, flat=True)})"

    def commentis_sql(self, e: CommentIs) -> str:
        return f"COMMENT {self.sql(e, 'this')}"

    def asdefinition_sql(self, e: AsDefinition) -> str:
        language = f" LANGUAGE {self.sql(e, 'language')}" if e.args.get("language") else ""
        return f"AS {self.sql(e, 'this')}{language}"

    def lifecycleaction_sql(self, e: LifecycleAction) -> str:
        partition = f" {self.sql(e, 'partition')}" if e.args.get("partition") else ""
        return f"{e.text('this')}{partition}{self._with(e)}"

    def analyzetable_sql(self, e: AnalyzeTable) -> str:
        partition = f" {self.sql(e, 'partition')}" if e.args.get("partition") else ""
        columns = self.expressions(e, key="columns", flat=True)
        target = " FOR ALL COLUMNS" if e.args.get("all_columns") else ""
        target = f" FOR COLUMNS {columns}" if columns else target
        return f"ANALYZE TABLE {self.sql(e, 'this')}{partition} COMPUTE STATISTICS{target}"

    def call_sql(self, e: Call) -> str:
        return f"CALL {self.sql(e, 'this')}({self.expressions(e, flat=True)})"

    def modulestatement_sql(self, e: ModuleStatement) -> str:
        word = "MODULES" if e.text("kind") == "USE" else "MODULE"
        return f"{e.text('kind')} {word} {self.expressions(e, flat=True)}{self._with(e)}"

    def jarstatement_sql(self, e: JarStatement) -> str:
        return f"{e.text('kind')} JAR {self.sql(e, 'this')}"

    def stopjob_sql(self, e: StopJob) -> str:
        savepoint = " WITH SAVEPOINT" if e.args.get("savepoint") else ""
        drain = " WITH DRAIN" if e.args.get("drain") else ""
        return f"STOP JOB {self.sql(e, 'this')}{savepoint}{drain}"

    def compileplan_sql(self, e: CompilePlan) -> str:
        exists = " IF NOT EXISTS" if e.args.get("exists") else ""
        return f"COMPILE PLAN {self.sql(e, 'this')}{exists} FOR {self.sql(e, 'expression')}"

    def executeplan_sql(self, e: ExecutePlan) -> str:
        return f"EXECUTE PLAN {self.sql(e, 'this')}"


def generator_transforms() -> dict[type[exp.Expr], Callable[..., str]]:
    """Each node above to its ``<expression>_sql`` method (sqlglot finds those only for its
    own nodes)."""
    methods = {
        name[: -len("_sql")]: name for name in vars(StatementsGenerator) if name.endswith("_sql")
    }
    nodes = [getattr(_expressions, name) for name in _expressions.__all__]
    return {
        node: getattr(StatementsGenerator, methods[node.key])
        for node in nodes
        if node.key in methods
    }
