"""Flink SQL: the sqlglot dialect (registered as ``flink``), splitting, checking, lineage,
and a job's tables (``tables``: their schemas and options, which it reads and writes,
one table's ``WITH`` clause set anew; `flinkops test` and rehearsals rewrite them).
Pure: reads no cluster, file or store. May import errors, nothing else of flinkops.

Importing this package registers the dialect, so ``sqlglot.parse(sql, read="flink")``
works afterwards.
"""

from __future__ import annotations

from flinkops.sql._kinds import split_kind
from flinkops.sql.dialect import Flink
from flinkops.sql.lineage import (
    JobLineage,
    Lineage,
    LineageDiff,
    diff_lineage,
    lineage_of_sql,
    project_lineage,
)
from flinkops.sql.render import to_dot, to_mermaid, to_text
from flinkops.sql.split import Statement, check_sql, parse_statement, split_statements

__all__ = [
    "Flink",
    "JobLineage",
    "Lineage",
    "LineageDiff",
    "Statement",
    "check_sql",
    "diff_lineage",
    "lineage_of_sql",
    "parse_statement",
    "project_lineage",
    "split_kind",
    "split_statements",
    "to_dot",
    "to_mermaid",
    "to_text",
]
