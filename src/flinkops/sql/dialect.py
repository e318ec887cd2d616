"""The Flink SQL dialect for sqlglot, registered as ``flink``.

Defining the class registers it: after ``import flinkops.sql``,
``sqlglot.parse(sql, read="flink")`` works. Flink's own utility statements (SHOW,
DESCRIBE, ALTER ..., LOAD MODULE, ADD JAR, CALL, ...) parse to ``Utility`` nodes that
keep their text; everything lineage needs (DDL, DML, queries) parses to real trees.

As in sqlglot's own dialects, the class holds the tokenizer and names its parser
(``flinkops.sql._parser``, with the statement tables) and generator
(``flinkops.sql._generator``).
"""

from __future__ import annotations

from sqlglot import tokens
from sqlglot.dialects.dialect import Dialect, NormalizationStrategy
from sqlglot.tokens import TokenType

from flinkops.sql._chunks import opens_statement_set_block, statement_chunks
from flinkops.sql._generator import FlinkGenerator
from flinkops.sql._parser import FlinkParser

__all__ = ["Flink", "opens_statement_set_block", "statement_chunks"]


class Flink(Dialect):
    """Apache Flink SQL (Calcite-based, backtick identifiers, case-sensitive names)."""

    NORMALIZATION_STRATEGY = NormalizationStrategy.CASE_SENSITIVE
    NORMALIZE_FUNCTIONS: bool | str = False  # function names are written as the user wrote them

    class Tokenizer(tokens.Tokenizer):
        IDENTIFIERS = ["`"]
        HEX_STRINGS = [("X'", "'"), ("x'", "'")]
        QUOTES = ["'"]
        STRING_ESCAPES = ["'"]

        KEYWORDS = {
            **tokens.Tokenizer.KEYWORDS,
            "BYTES": TokenType.VARBINARY,
            "MATCH_RECOGNIZE": TokenType.MATCH_RECOGNIZE,
            "STRING": TokenType.TEXT,
            "TIMESTAMP_LTZ": TokenType.TIMESTAMPLTZ,
        }

        KEYWORDS.pop("EXPLAIN")  # a statement the parser reads, not an opaque command
        KEYWORDS.pop("CALL")  # likewise

        # EXECUTE and SHOW open statements the parser reads itself.
        COMMANDS = tokens.Tokenizer.COMMANDS - {TokenType.EXECUTE, TokenType.SHOW}
        # `FROM t /*+ OPTIONS(...) */`: a hint may follow a table name.
        TOKENS_PRECEDING_HINT = {
            *tokens.Tokenizer.TOKENS_PRECEDING_HINT,
            TokenType.VAR,
            TokenType.IDENTIFIER,
        }

    Parser = FlinkParser

    Generator = FlinkGenerator
