"""Clauses of Flink DDL that sqlglot reads differently: bucketing, freshness, ``SET``.

``DISTRIBUTED BY [HASH|RANGE] (cols) [INTO n BUCKETS]`` and ``DISTRIBUTED INTO n
BUCKETS`` (Flink 1.20), a materialized table's ``FRESHNESS = INTERVAL ...`` and
``REFRESH_MODE = ...``, and the SQL client's unquoted ``SET key = value``.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.generator import Generator
from sqlglot.parser import Parser
from sqlglot.tokens import TokenType

from flinkops.sql._expressions import FreshnessProperty, RefreshModeProperty

__all__ = [
    "TRAILING_PROPERTIES",
    "distributedbyproperty_sql",
    "parse_distributed",
    "parse_freshness",
    "parse_refresh_mode",
    "parse_set",
    "substring_sql",
    "trim_sql",
]

# Written after WITH (...), in this order, where Flink's grammar puts them.
TRAILING_PROPERTIES = (FreshnessProperty, RefreshModeProperty, exp.LikeProperty)


def parse_distributed(self: Parser) -> exp.DistributedByProperty:
    """``DISTRIBUTED BY [HASH|RANGE] (cols) [INTO n BUCKETS]`` / ``DISTRIBUTED INTO n BUCKETS``."""
    kind, columns = None, None
    if self._match_text_seq("BY"):
        kind = self._prev.text.upper() if self._match_texts(("HASH", "RANGE")) else ""
        columns = self._parse_wrapped_csv(self._parse_id_var)
    buckets = None
    if self._match(TokenType.INTO):
        buckets = self._parse_number()
        if buckets is None or not self._match_text_seq("BUCKETS"):
            self.raise_error("Expected INTO <number> BUCKETS")
    if columns is None and buckets is None:
        self.raise_error("Expected BY (columns) or INTO <number> BUCKETS after DISTRIBUTED")
    return self.expression(
        exp.DistributedByProperty(
            expressions=columns, kind=exp.Var(this=kind or ""), buckets=buckets
        )
    )


def distributedbyproperty_sql(self: Generator, e: exp.DistributedByProperty) -> str:
    columns = self.expressions(e, flat=True)
    kind = e.text("kind")
    by = f" BY {kind}({columns})" if columns else ""
    buckets = f" INTO {self.sql(e, 'buckets')} BUCKETS" if e.args.get("buckets") else ""
    return f"DISTRIBUTED{by}{buckets}"


def parse_freshness(self: Parser) -> FreshnessProperty:
    """``FRESHNESS = INTERVAL '1' HOUR``."""
    self._match(TokenType.EQ)
    interval = self._parse_interval()
    if interval is None:
        self.raise_error("Expected FRESHNESS = INTERVAL '<n>' <unit>")
    return self.expression(FreshnessProperty(this=interval))


def parse_refresh_mode(self: Parser) -> RefreshModeProperty:
    """``REFRESH_MODE = FULL|CONTINUOUS``."""
    self._match(TokenType.EQ)
    if not self._match_texts(("FULL", "CONTINUOUS")):
        self.raise_error("Expected REFRESH_MODE = FULL or CONTINUOUS")
    return self.expression(RefreshModeProperty(this=exp.var(self._prev.text.upper())))


def parse_set(self: Parser) -> exp.Set:
    """``SET``, ``SET 'key' = 'value'`` or the SQL client's ``SET key.with-dash = value``."""
    if not self._curr:
        return self.expression(exp.Set(expressions=[]))
    key = self._parse_string() or _raw_until(self, TokenType.EQ)
    if not self._match(TokenType.EQ):
        self.raise_error("Expected SET 'key' = 'value'")
    value = self._parse_string() or _raw_until(self, None)
    if self._curr:
        self.raise_error("Expected the end of SET after the quoted value")
    item = exp.SetItem(this=exp.EQ(this=key, expression=value))
    return self.expression(exp.Set(expressions=[item]))


def _raw_until(self: Parser, stop: TokenType | None) -> exp.Var:
    """The text up to ``stop`` (or the end) as written: ``execution.runtime-mode``."""
    start = self._curr
    if start is None or start.token_type == stop:
        self.raise_error("Expected a key or value")
    while self._curr and self._curr.token_type != stop:
        self._advance()
    return exp.var(self._find_sql(start, self._prev))


def trim_sql(self: Generator, expression: exp.Trim) -> str:
    """``TRIM([BOTH|LEADING|TRAILING] [chars] FROM s)``, Flink's only form with options."""
    position = self.sql(expression, "position")
    chars = self.sql(expression, "expression")
    if not (position or chars):
        return self.func("TRIM", expression.this)
    spec = " ".join(p for p in (position, chars) if p)
    return f"TRIM({spec} FROM {self.sql(expression, 'this')})"


def substring_sql(self: Generator, expression: exp.Substring) -> str:
    length = self.sql(expression, "length")
    start = self.sql(expression, "start")
    bounds = f" FROM {start}" + (f" FOR {length}" if length else "") if start else ""
    return f"SUBSTRING({self.sql(expression, 'this')}{bounds})"
