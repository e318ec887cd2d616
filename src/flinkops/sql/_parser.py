"""The Flink dialect's parser: its statement tables and Flink's own clauses.

A statement is dispatched by its first token (``STATEMENT_PARSERS``) or, for words the
tokenizer leaves as plain names, by that word (``WORD_STATEMENTS``); the catalog, ALTER
and utility statements themselves are parsed in ``flinkops.sql._statements``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlglot import exp, parser
from sqlglot.tokens import Token, TokenType

from flinkops.sql._chunks import statement_chunks
from flinkops.sql._clauses import (
    parse_distributed,
    parse_freshness,
    parse_refresh_mode,
    parse_set,
)
from flinkops.sql._expressions import (
    Explain,
    FlinkStatement,
    MatchRecognize,
    MetadataColumnConstraint,
    Reset,
    StatementSet,
    TableArgument,
    Utility,
)
from flinkops.sql._statements import (
    LOAD_MODULE,
    USE_MODULES,
    WORD_STATEMENTS,
    parse_alter,
    parse_analyze,
    parse_create,
    parse_drop,
    parse_execute_plan,
)
from flinkops.sql._types import RowTypes

__all__ = ["FlinkParser"]

# Commands of the SQL client, not of Flink's SQL: kept as text (Utility).
_CLIENT_WORDS = ("HELP", "QUIT", "EXIT", "CLEAR")
# What a statement may parse to; a bare expression (`foo bar`) is not a statement.
_STATEMENT_TYPES = (
    exp.Query,
    exp.Values,
    exp.Insert,
    exp.Create,
    exp.Drop,
    exp.Use,
    exp.Set,
    exp.Delete,
    exp.Update,
    exp.TruncateTable,
    exp.Describe,
    exp.Command,
    exp.Alter,
    exp.Analyze,
    Explain,
    Reset,
    StatementSet,
    FlinkStatement,
)
_EXPLAIN_DETAILS = {"ESTIMATED_COST", "CHANGELOG_MODE", "PLAN_ADVICE", "JSON_EXECUTION_PLAN"}


def _build_metadata(self: FlinkParser) -> MetadataColumnConstraint:
    """``METADATA [FROM 'key'] [VIRTUAL]``."""
    key = (self._parse_string() or self._parse_id_var()) if self._match(TokenType.FROM) else None
    return self.expression(
        MetadataColumnConstraint(this=key, virtual=self._match_text_seq("VIRTUAL"))
    )


def _build_watermark(self: FlinkParser) -> exp.WatermarkColumnConstraint:
    """``WATERMARK FOR column AS expression``."""
    column = self._match(TokenType.FOR) and self._parse_column()
    expression = self._match(TokenType.ALIAS) and self._parse_disjunction()
    return self.expression(exp.WatermarkColumnConstraint(this=column, expression=expression))


def _build_kwarg(self: FlinkParser, expressions: list[exp.Expr]) -> exp.Kwarg:
    """A named argument ``NAME => value``; the value may be ``TABLE t``."""
    value = self._parse_table_argument() or self._parse_disjunction() or self._parse_select()
    name = expressions[0].find(exp.Identifier)
    this = name.copy() if name is not None and name.quoted else exp.var(expressions[0].name)
    return self.expression(exp.Kwarg(this=this, expression=value))


def _top_level_statement(self: parser.Parser) -> exp.Expr | None:
    """A whole statement; a bare expression (`foo bar`) is not one in Flink."""
    start = self._curr
    statement = self._parse_statement()
    if statement is not None and start and not isinstance(statement, _STATEMENT_TYPES):
        self.raise_error(f"{start.text!r} does not start a Flink SQL statement", start)
    return statement


def _parse_timestampdiff(self: FlinkParser) -> exp.TimestampDiff:
    """``TIMESTAMPDIFF(unit, t1, t2)`` is t2 - t1 in ``unit``."""
    args = self._parse_csv(self._parse_disjunction)
    if len(args) != 3:
        self.raise_error(f"TIMESTAMPDIFF takes (unit, start, end), got {len(args)} arguments")
        return exp.TimestampDiff()
    unit = args[0]
    if isinstance(unit, exp.Column):
        unit = exp.var(unit.name.upper())
    return exp.TimestampDiff(this=args[2], expression=args[1], unit=unit)


class FlinkParser(RowTypes, parser.Parser):
    """Flink SQL: DDL with metadata and watermarks, statement sets, Flink's utilities."""

    PROPERTY_PARSERS = {
        **parser.Parser.PROPERTY_PARSERS,
        "DISTRIBUTED": parse_distributed,
        "FRESHNESS": parse_freshness,
        "REFRESH_MODE": parse_refresh_mode,
    }
    CONSTRAINT_PARSERS = {
        **parser.Parser.CONSTRAINT_PARSERS,
        "METADATA": _build_metadata,
        "WATERMARK": _build_watermark,
    }
    # Names Flink leaves to user functions (sqlglot would demand its own arity).
    FUNCTIONS = {
        **{k: v for k, v in parser.Parser.FUNCTIONS.items() if k not in {"SPLIT"}},
    }
    FUNCTION_PARSERS = {**parser.Parser.FUNCTION_PARSERS, "TIMESTAMPDIFF": _parse_timestampdiff}
    SCHEMA_UNNAMED_CONSTRAINTS = {*parser.Parser.SCHEMA_UNNAMED_CONSTRAINTS, "WATERMARK"}
    FUNC_TOKENS = {*parser.Parser.FUNC_TOKENS, TokenType.SESSION}
    LAMBDAS = {**parser.Parser.LAMBDAS, TokenType.FARROW: _build_kwarg}

    STATEMENT_PARSERS = {
        **parser.Parser.STATEMENT_PARSERS,
        TokenType.ALTER: parse_alter,
        TokenType.ANALYZE: parse_analyze,
        TokenType.BEGIN: lambda self: self._parse_begin(),
        TokenType.CREATE: parse_create,
        TokenType.DESC: lambda self: self._parse_client_command(),
        TokenType.DESCRIBE: lambda self: self._parse_client_command(),
        TokenType.DROP: parse_drop,
        TokenType.END: lambda self: self._parse_client_command(),
        TokenType.EXECUTE: lambda self: self._parse_execute(),
        TokenType.INSERT: lambda self: self._parse_flink_insert(),
        TokenType.LOAD: LOAD_MODULE,
        TokenType.SET: parse_set,
        TokenType.SHOW: lambda self: self._parse_client_command(),
        TokenType.USE: lambda self: (
            USE_MODULES(self)
            if self._match_text_seq("MODULES", advance=False)
            else self._parse_use()
        ),
    }
    # Statements whose first word the tokenizer reads as a plain name.
    WORD_STATEMENTS = {
        **WORD_STATEMENTS,
        "EXPLAIN": lambda self: self._parse_explain(),
        "RESET": lambda self: self.expression(
            Reset(this=self._parse_string() or self._parse_var_path())
        ),
        "STATEMENT": lambda self: self._parse_execute(),
        **dict.fromkeys(_CLIENT_WORDS, lambda self: self._parse_client_command()),
    }

    def _parse(
        self,
        parse_method: Callable[[parser.Parser], exp.Expr | None],
        raw_tokens: list[Token],
        sql: str | None = None,
    ) -> list[exp.Expr | None]:
        """sqlglot's statement loop, with chunks that keep statement set blocks whole."""
        self.reset()
        self.sql = sql or ""
        self._chunks = statement_chunks(raw_tokens)
        if getattr(parse_method, "__name__", "") == "_parse_statement":
            parse_method = _top_level_statement
        return self._parse_batch_statements(parse_method=parse_method, sep_first_statement=False)

    def _parse_statement(self) -> exp.Expr | None:
        word = self._curr and self._curr.token_type == TokenType.VAR and self._curr.text
        parse = self.WORD_STATEMENTS.get(word.upper()) if word else None
        if parse is None:
            return super()._parse_statement()
        self._advance()
        return parse(self)

    def _parse_begin(self) -> exp.Expr | None:
        """The SQL client's ``BEGIN STATEMENT SET`` (its statements follow, up to END)."""
        if self._match_text_seq("STATEMENT", "SET"):
            return self._utility_from(self._tokens[self._index - 3])
        return self._parse_transaction()

    def _parse_client_command(self) -> Utility:
        """A command of the SQL client (SHOW, DESCRIBE, HELP, END ...), kept as text."""
        start = self._prev
        while self._curr:
            self._advance()
        return self._utility_from(start)

    def _parse_var_path(self) -> exp.Expr | None:
        """An unquoted dotted key, as in ``RESET execution.savepoint.path``."""
        if not self._curr:
            return None
        start = self._curr
        while self._curr:
            self._advance()
        return exp.var(self._find_sql(start, self._prev))

    def _utility_from(self, start: Token) -> Utility:
        text = self._find_sql(start, self._prev)
        head = start.text.upper()
        return Utility(this=head, expression=text[len(start.text) :])

    def _parse_execute(self) -> exp.Expr | None:
        """``[EXECUTE] STATEMENT SET BEGIN ... END``, ``EXECUTE INSERT``, ``EXECUTE PLAN``."""
        execute = self._prev.token_type == TokenType.EXECUTE
        if not execute:
            self._retreat(self._index - 1)  # STATEMENT: read again as part of the block
        if self._match_text_seq("STATEMENT", "SET", "BEGIN"):
            inserts: list[exp.Expr] = []
            while self._curr and not self._match_text_seq("END"):
                if self._match(TokenType.SEMICOLON):
                    continue
                inserts.append(self._parse_inner_statement())
            return self.expression(StatementSet(expressions=inserts, execute=execute))
        if self._match_text_seq("PLAN", advance=False):
            return parse_execute_plan(self)
        statement = super()._parse_statement() if execute else None
        if statement is None:
            self.raise_error("Expected STATEMENT SET, PLAN or an INSERT after EXECUTE")
        return statement

    def _parse_inner_statement(self) -> exp.Expr:
        """One statement inside a block, up to (not including) its ``;``."""
        statement = super()._parse_statement()
        if statement is None:
            self.raise_error("Expected a statement")
            return exp.Expr()  # only at a lenient error level: IMMEDIATE has raised
        return statement

    def _parse_explain(self) -> Explain:
        details: list[exp.Expr] = []
        plan_for = self._match_text_seq("PLAN", "FOR")
        while self._curr and self._curr.text.upper() in _EXPLAIN_DETAILS:
            details.append(exp.var(self._curr.text.upper()))
            self._advance()
            self._match(TokenType.COMMA)
        return self.expression(
            Explain(this=self._parse_statement(), expressions=details, plan_for=plan_for)
        )

    def _parse_lambda(self, alias: bool = False) -> exp.Expr | None:
        return self._parse_table_argument() or super()._parse_lambda(alias=alias)

    def _parse_table_argument(self) -> TableArgument | None:
        """``TABLE t [PARTITION BY cols]`` as a table function's argument."""
        if not (self._curr and self._curr.token_type == TokenType.TABLE and self._next):
            return None
        if self._next.token_type not in (TokenType.VAR, TokenType.IDENTIFIER):
            return None
        self._advance()
        table = self._parse_table_parts()
        partition = None
        if self._match(TokenType.PARTITION_BY):
            if self._match(TokenType.L_PAREN):
                partition = self._parse_csv(self._parse_column)
                self._match_r_paren()
            else:
                column = self._parse_column()
                if column is None:
                    self.raise_error("Expected a column after PARTITION BY")
                partition = [column] if column is not None else []
        return self.expression(TableArgument(this=table, partition_by=partition))

    def _parse_match_recognize(self) -> exp.MatchRecognize | None:
        self._within: exp.Expr | None = None
        self._in_match_recognize = True
        try:
            match = super()._parse_match_recognize()
        finally:
            self._in_match_recognize = False
        if match is None or self._within is None:
            return match
        return self.expression(MatchRecognize(**match.args, within=self._within))

    def _match_text_seq(self, *texts: str, advance: bool = True) -> bool:
        # `PATTERN (...) WITHIN INTERVAL ...` sits where sqlglot looks for DEFINE.
        in_match = texts == ("DEFINE",) and getattr(self, "_in_match_recognize", False)
        if in_match and self._curr and self._curr.text.upper() == "WITHIN":
            self._advance()
            self._within = self._parse_interval()
        return super()._match_text_seq(*texts, advance=advance)

    def _parse_projections(self) -> tuple[list[exp.Expr], list[exp.Expr] | None]:
        projections, rest = super()._parse_projections()
        if self._prev and self._prev.token_type == TokenType.COMMA:
            self.raise_error("Expected a column after ',' (Flink has no trailing commas)")
        return projections, rest

    def _parse_create_like(self) -> exp.LikeProperty | None:
        """``LIKE t [(INCLUDING|EXCLUDING ALL|CONSTRAINTS|... [OVERWRITING ...])]``."""
        table = self._parse_table_parts(schema=True)
        options: list[exp.Expr] = []
        if self._match(TokenType.L_PAREN):
            while self._match_texts(("INCLUDING", "EXCLUDING", "OVERWRITING")):
                this = self._prev.text.upper()
                if not self._curr:
                    self.raise_error(f"Expected what {this} applies to (ALL, OPTIONS, ...)")
                    break
                self._advance()
                what = exp.var(self._prev.text.upper())
                options.append(self.expression(exp.Property(this=this, value=what)))
            self._match_r_paren()
        return self.expression(exp.LikeProperty(this=table, expressions=options))

    def _parse_flink_insert(self) -> exp.Expr:
        """INSERT, which in Flink always has a query or VALUES."""
        insert = self._parse_insert()
        if isinstance(insert, exp.Insert) and insert.expression is None:
            self.raise_error("Expected a query or VALUES after the INSERT's table")
        return insert

    def _parse_bracket(self, this: exp.Expr | None = None) -> exp.Expr | None:
        if self._curr and self._curr.token_type == TokenType.L_BRACE:
            self.raise_error("Flink SQL has no {...} literal (a template placeholder?)")
        return super()._parse_bracket(this)

    def _parse_insert_table(self) -> exp.Expr | None:
        """The target of INSERT INTO: a table name, never a query."""
        start = self._curr
        target = super()._parse_insert_table()
        table = target.this if isinstance(target, exp.Schema) else target
        if not isinstance(table, exp.Table):
            self.raise_error("Expected the name of the table to insert into", start)
        return target

    def _parse_table_parts(self, *args: Any, **kwargs: Any) -> exp.Table | exp.Dot | None:
        table = super()._parse_table_parts(*args, **kwargs)
        # None: the fast path found no plain name (and went back to where it started)
        if table is not None and self._match(TokenType.HINT) and self._prev_comments:
            text = self._prev_comments[0]
            # The hint is a node now, not a comment to carry along.
            self._prev.comments = []
            self._prev_comments = []
            hint = exp.maybe_parse(text, into=exp.Hint, dialect=self.dialect)
            table.set("hints", [hint])
        return table
