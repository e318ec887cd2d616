"""Split a Flink SQL script into statements with the Flink tokenizer, and check it.

Splitting runs on the dialect's tokenizer, so a ``;`` inside a string, a backtick
identifier or a comment never ends a statement. ``EXECUTE STATEMENT SET BEGIN ...
END`` is one statement; SQL-client style ``BEGIN STATEMENT SET;`` and ``END;`` are
statements of their own. Chunks holding only comments are dropped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlglot
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token

from flinkops.errors import SqlError
from flinkops.sql.dialect import Flink, statement_chunks

__all__ = ["Statement", "check_sql", "parse_statement", "split_statements"]


@dataclass(frozen=True)
class Statement:
    """One statement of a script, located where it starts in the script."""

    text: str  # the statement without its trailing ';', stripped of surrounding whitespace
    line: int  # 1-based line in the given SQL text where the statement starts
    col: int  # 1-based column


def _line_col(sql: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = sql.count("\n", 0, offset) + 1
    return line, offset - (sql.rfind("\n", 0, offset) + 1) + 1


def _locate_unterminated(sql: str) -> tuple[str, int]:
    """Find the string, identifier or comment that never ends: (what, start offset)."""
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end < 0:
                return "comment '/*'", i
            i = end + 2
        elif ch in "'`":
            j = i + 1
            while True:
                j = sql.find(ch, j)
                if j < 0:
                    what = "string literal" if ch == "'" else "backtick identifier"
                    return what, i
                if sql.startswith(ch * 2, j):
                    j += 2
                    continue
                break
            i = j + 1
        else:
            i += 1
    return "token", max(n - 1, 0)


def _tokenize(sql: str) -> list[Token]:
    """Tokenize with the Flink tokenizer; a located SqlError if something never ends."""
    try:
        return Flink().tokenize(sql)
    except TokenError as exc:
        what, offset = _locate_unterminated(sql)
        line, col = _line_col(sql, offset)
        raise SqlError(
            f"unterminated {what}: close it or remove it ({exc.args[0][:60]!r})", line, col
        ) from None


def split_statements(sql: str) -> list[Statement]:
    """Split ``sql`` into statements; raises SqlError for an unterminated string/comment."""
    tokens = _tokenize(sql)
    return [
        _make_statement(sql, chunk[0], chunk[-1]) for chunk in statement_chunks(tokens) if chunk
    ]


def _make_statement(sql: str, first: Token, last: Token) -> Statement:
    """The statement from its first to its last token (comments before it excluded)."""
    begin = first.start
    text = sql[begin : last.end + 1].strip()
    line, col = _line_col(sql, begin)
    return Statement(text=text, line=line, col=col)


def parse_statement(statement: Statement) -> sqlglot.exp.Expr:
    """Parse one statement with the Flink dialect; a SqlError located in the script."""
    try:
        with _quiet_sqlglot():
            tree = sqlglot.parse_one(statement.text, read=Flink)
    except ParseError as exc:
        raise _located(statement, exc) from None
    except TokenError as exc:
        raise SqlError(str(exc), statement.line, statement.col) from None
    return tree


_CLAUSES = {"Where", "Having", "Group", "Order", "Join", "Limit", "From", "Window", "Qualify"}


@contextmanager
def _quiet_sqlglot() -> Iterator[None]:
    """sqlglot logs a warning when it falls back to a Command; we report errors ourselves."""
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _located(statement: Statement, exc: ParseError) -> SqlError:
    """A ParseError re-raised at its line/col in the whole script."""
    info = exc.errors[0] if exc.errors else {}
    line = int(info.get("line") or 1)
    col = int(info.get("col") or 1)
    message = str(info.get("description") or exc).split("\n")[0]
    message = re.sub(r"<Token token_type: TokenType\.\w+, text: ([^,]*),.*?>", r"'\1'", message)
    message = re.sub(
        r"Required keyword: '(\w+)' missing for <class '[\w.]*\.(\w+)'>",
        lambda m: (
            f"incomplete {m.group(2).upper()} clause"
            if m.group(2) in _CLAUSES
            else "incomplete expression"
        ),
        message,
    )
    message = message.replace("'SENTINEL'", "the end of the statement")
    highlight = info.get("highlight")
    if highlight:
        message = f"{message} near {highlight!r}"
    # sqlglot's col is the last character of the offending token: point at its start.
    if highlight and col >= len(highlight):
        col = col - len(highlight) + 1
    abs_line = statement.line + line - 1
    abs_col = statement.col + col - 1 if line == 1 else col
    return SqlError(message, abs_line, abs_col)


def check_sql(sql: str) -> list[SqlError]:
    """Split and parse every statement; each error located in ``sql``. Empty = fine."""
    try:
        statements = split_statements(sql)
    except SqlError as exc:
        return [exc]
    errors: list[SqlError] = []
    for statement in statements:
        try:
            parse_statement(statement)
        except SqlError as exc:
            errors.append(exc)
    return errors
