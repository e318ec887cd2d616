"""The Flink SQL dialect for sqlglot, registered as ``flink``."""

from __future__ import annotations

from sqlglot import generator, parser, tokens
from sqlglot.dialects.dialect import Dialect, NormalizationStrategy
from sqlglot.tokens import TokenType

__all__ = ["Flink"]


class Flink(Dialect):
    """Apache Flink SQL (Calcite-based, backtick identifiers, case-sensitive names)."""

    NORMALIZATION_STRATEGY = NormalizationStrategy.CASE_SENSITIVE

    class Tokenizer(tokens.Tokenizer):
        IDENTIFIERS = ["`"]
        QUOTES = ["'"]
        STRING_ESCAPES = ["'"]

        KEYWORDS = {
            **tokens.Tokenizer.KEYWORDS,
        }

        # EXECUTE opens parsed statements in Flink (EXECUTE STATEMENT SET, EXECUTE PLAN).
        COMMANDS = tokens.Tokenizer.COMMANDS - {TokenType.EXECUTE}

    class Parser(parser.Parser):
        pass

    class Generator(generator.Generator):
        pass
