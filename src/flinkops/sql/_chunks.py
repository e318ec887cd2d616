"""Statement boundaries on the Flink tokenizer's tokens, shared by the parser and split.

A ``;`` ends a statement, except inside ``[EXECUTE] STATEMENT SET BEGIN ... END``.
"""

from __future__ import annotations

from sqlglot.tokens import Token, TokenType

__all__ = ["opens_statement_set_block", "statement_chunks"]


def opens_statement_set_block(tokens: list[Token], i: int) -> bool:
    """True at ``[EXECUTE] STATEMENT SET BEGIN``: a block whose ``;`` do not end it."""
    words: tuple[str, ...] = ("EXECUTE", "STATEMENT", "SET", "BEGIN")
    if tokens[i].text.upper() != "EXECUTE":
        words = words[1:]
    if i + len(words) > len(tokens):
        return False
    return all(tokens[i + k].text.upper() == w for k, w in enumerate(words))


def statement_chunks(tokens: list[Token]) -> list[list[Token]]:
    """Tokens grouped per statement; a statement set block keeps its inner ``;``."""
    chunks: list[list[Token]] = [[]]
    in_block = False
    for i, token in enumerate(tokens):
        chunk = chunks[-1]
        if not chunk and token.token_type != TokenType.SEMICOLON:
            in_block = opens_statement_set_block(tokens, i)
        if token.token_type != TokenType.SEMICOLON or (
            in_block and not (len(chunk) > 1 and chunk[-1].text.upper() == "END")
        ):
            chunk.append(token)
        elif chunk:
            chunks.append([])
    if not chunks[-1] and len(chunks) > 1:
        chunks.pop()
    return chunks
