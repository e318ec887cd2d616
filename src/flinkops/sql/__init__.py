"""Flink SQL: the sqlglot dialect (registered as ``flink``), splitting, checking, lineage.

Importing this package registers the dialect, so ``sqlglot.parse(sql, read="flink")``
works afterwards.
"""

from __future__ import annotations

from flinkops.sql.dialect import Flink
from flinkops.sql.split import Statement, check_sql, parse_statement, split_statements

__all__ = ["Flink", "Statement", "check_sql", "parse_statement", "split_statements"]
