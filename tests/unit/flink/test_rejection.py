"""Taking apart Flink's rejection of a statement (``flink/runner/rejection.py``): the
texts are those Flink 2.3 answered ``jars/:id/plan`` with, through the SQL runner."""

from __future__ import annotations

from flinkops.errors import FlinkError
from flinkops.flink.runner import Rejection, rejection_of
from flinkops.flink.runner.rejection import without_mark

URL = "http://localhost:8081/jars/4a9e_flinkops-sql-runner-1fc2.jar/plan"


def _answer(message: str) -> FlinkError:
    """A jars/:id/plan error as Flink 2.3 sends it (a wrapper, then the server's trace)."""
    trace = (
        "<Exception on server side:\n"
        "org.apache.flink.client.program.ProgramInvocationException: The main method "
        f"caused an error: {message}\n"
        "\tat org.apache.flink.client.program.PackagedProgram.callMainMethod(...)\n"
        f"Caused by: java.lang.IllegalStateException: {message}\n"
        "\t... 12 more\n"
        "\nEnd of exception on server side>"
    )
    return FlinkError(
        f"POST {URL}: HTTP 500: ...",
        url=URL,
        status=500,
        flink_errors=["Internal server error.", trace],
    )


def test_a_validation_error_names_its_statement_and_position() -> None:
    exc = _answer(
        "flinkops statement 2: SQL validation failed. From line 3, column 7 to line 3, "
        "column 13: Column 'amountt' not found in any table"
    )
    assert rejection_of(exc) == Rejection(
        "SQL validation failed. Column 'amountt' not found in any table", 2, 3, 7
    )


def test_a_parse_error_names_its_statement_and_position() -> None:
    exc = _answer(
        'flinkops statement 0: SQL parse failed. Encountered "views" at line 1, column 18.'
    )
    assert rejection_of(exc) == Rejection('SQL parse failed. Encountered "views".', 0, 1, 18)


def test_an_error_of_no_one_statement_keeps_flinks_words_without_the_url() -> None:
    exc = _answer("flinkops: the job's SQL has no INSERT statement, so there is nothing to run")
    found = rejection_of(exc)
    assert found.statement is None and found.line is None and found.column is None
    assert "no INSERT statement" in found.message
    assert "/jars/" not in found.message


def test_without_flinks_texts_the_message_loses_its_request_and_status() -> None:
    exc = FlinkError(f"POST {URL}: HTTP 400: Bad request", url=URL, status=400)
    assert rejection_of(exc) == Rejection("Bad request")


def test_the_mark_is_dropped_from_errors_shown_as_they_are() -> None:
    assert without_mark("HTTP 400: flinkops statement 3: Object 'x' not found") == (
        "HTTP 400: Object 'x' not found"
    )
