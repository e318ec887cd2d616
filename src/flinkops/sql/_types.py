"""Flink's nested types for the dialect's parser: ``ROW<name type, ...>`` at any depth.

A mixin of the Flink parser: ``ROW<...>`` (and ``ROW(name type, ...)``, which in a
query is a row value instead) inside ARRAY, MAP, CAST and other ROWs.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp, parser
from sqlglot.tokens import TokenType

__all__ = ["RowTypes"]


class RowTypes(parser.Parser):
    """Parser methods for Flink's ROW types."""

    def _parse_types(self, *args: Any, **kwargs: Any) -> exp.Expr | None:
        """Adds ``ROW<name type, ...>`` and ``ROW(name type, ...)``, nested at any depth."""
        if self._curr and self._curr.text.upper() == "AFTER":
            return None  # `col AS expr AFTER other` in ALTER TABLE: a position, not a type
        if self._curr and self._curr.token_type == TokenType.ROW and self._next:
            closing = {TokenType.LT: TokenType.GT, TokenType.L_PAREN: TokenType.R_PAREN}
            close = closing.get(self._next.token_type)
            if close == TokenType.GT or (close and self._next_is_row_field()):
                self._advance(2)
                fields: list[exp.ColumnDef] | None = [] if self._match(close) else None
                if fields is None:
                    fields = self._parse_csv(self._parse_row_field)
                    if not self._match(close):
                        self.raise_error(f"Expected {'>' if close == TokenType.GT else ')'}")
                return exp.DataType(this=exp.DType.STRUCT, expressions=fields, nested=True)
        return super()._parse_types(*args, **kwargs)

    def _next_is_row_field(self) -> bool:
        """After ``ROW(``: a field ``name type``, not a row value ``ROW(a, b)``."""
        after = self._tokens[self._index + 2 : self._index + 4]
        not_a_type = (TokenType.COMMA, TokenType.R_PAREN, TokenType.DOT, TokenType.L_PAREN)
        return len(after) == 2 and after[1].token_type not in not_a_type

    def _parse_row_field(self) -> exp.ColumnDef:
        """``name type [NOT NULL] [COMMENT 'text']`` inside ROW<...>."""
        name = self._parse_id_var(any_token=True)
        kind = self._parse_types(allow_identifiers=False)
        if name is None or kind is None:
            self.raise_error("Expected a ROW field: name type")
        constraints = []
        if self._match_pair(TokenType.NOT, TokenType.NULL):
            constraints.append(exp.ColumnConstraint(kind=exp.NotNullColumnConstraint()))
        if self._match(TokenType.COMMENT):
            comment = exp.CommentColumnConstraint(this=self._parse_string())
            constraints.append(exp.ColumnConstraint(kind=comment))
        return self.expression(exp.ColumnDef(this=name, kind=kind, constraints=constraints or None))
