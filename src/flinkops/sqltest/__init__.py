"""Unit tests of a job's SQL (`flinkops test`): ``*.test.yaml`` files of given and expected
rows, run by Flink's own engine on the job's own SQL. May import spec, sql, flink and errors.

The pieces: ``_model`` loads and validates test files (and ``tests:`` in job specs);
``_tables`` rewrites a job's sources and sinks (its tables read by
``flinkops.sql.tables``); ``_values`` converts values by Flink type; ``_check`` and
``_prepare`` check tests against their jobs (pure, before any cluster); ``_run`` runs
them on a cluster (the adapter); ``_diff`` compares rows; ``_report`` renders text,
JSON, JUnit XML and markdown.
"""

from flinkops.sqltest._check import PreparedTest
from flinkops.sqltest._model import SqlTest, load_spec_tests, load_test_files
from flinkops.sqltest._prepare import prepare_all
from flinkops.sqltest._report import (
    render_text,
    result_line,
    summary_line,
    to_json,
    to_junit,
    to_markdown,
)
from flinkops.sqltest._run import Outcome, SqlTestJob, SqlTestResult, run_tests

__all__ = [
    "Outcome",
    "PreparedTest",
    "SqlTest",
    "SqlTestJob",
    "SqlTestResult",
    "load_spec_tests",
    "load_test_files",
    "prepare_all",
    "render_text",
    "result_line",
    "run_tests",
    "summary_line",
    "to_json",
    "to_junit",
    "to_markdown",
]
