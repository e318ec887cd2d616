"""A job's SQL read for a test: its statements with every source replaced by a bounded file
of given rows and every sink by a ``print`` table that Flink writes, with each row's kind,
to its stdout; an ``OPTIONS`` hint on a replaced source is dropped (it configures the
replaced connector). The job's tables are read by ``flinkops.sql.tables``.

Everything else (views, functions, SET, hints, the INSERTs) is the job's own text, so the
test runs what is deployed. Pure: no I/O.
"""

from __future__ import annotations

import re

from flinkops.sql.tables import Column, JobTables, TableShape, read_job_tables, with_options

__all__ = ["Column", "JobTables", "TableShape", "read_job_tables", "rewrite_statements"]


def rewrite_statements(
    tables: JobTables, data_dirs: dict[str, str], print_ids: dict[str, str]
) -> list[str]:
    """The job's statements with each source reading ``data_dirs[table]`` (a directory URI
    holding JSON lines) and each sink printing under ``print_ids[table]``."""
    out = list(tables.statements)
    for name in tables.sources:
        shape = tables.tables[name]
        options = {"connector": "filesystem", "path": data_dirs[name], "format": "json"}
        out[shape.statement] = with_options(out[shape.statement], options)
    for name in tables.sinks:
        shape = tables.tables[name]
        options = {"connector": "print", "print-identifier": print_ids[name]}
        out[shape.statement] = with_options(out[shape.statement], options)
    replaced = {tables.tables[n].statement for n in (*tables.sources, *tables.sinks)}
    return [
        text if i in replaced else _drop_options_hints(text, tables.sources)
        for i, text in enumerate(out)
    ]


_QUOTED = r"'(?:[^']|'')*'"
_OPTIONS_HINT = rf"\s*/\*\+\s*OPTIONS\s*\((?:{_QUOTED}|[^')])*\)\s*\*/"


def _drop_options_hints(text: str, sources: tuple[str, ...]) -> str:
    """``src /*+ OPTIONS('scan.startup.mode'='earliest-offset') */`` becomes ``src``: an
    OPTIONS hint sets options of the connector a test replaces (other hints stay)."""
    for name in sources:
        pattern = rf"(?i)((?<![\w`])`?{re.escape(name)}`?){_OPTIONS_HINT}"
        text = re.sub(pattern, r"\1", text)
    return text
