"""The SQL runner's Python side: statement normalization, encoding, the run body, and a
refused submission's message."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from flinkops.errors import FlinkError
from flinkops.flink.identity import JobIdentity
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner import (
    ENTRY_CLASS,
    build_run_body,
    encode_statements,
    normalize_statements,
    runner_jar_name,
    submit_sql,
)


def test_statement_set_forms_unwrap_to_inserts() -> None:
    single = (
        "EXECUTE STATEMENT SET\nBEGIN\n"
        "  INSERT INTO a SELECT ';' FROM s;\n  INSERT INTO b SELECT 1;\nEND"
    )
    assert normalize_statements(["CREATE TABLE s (x INT)", single]) == [
        "CREATE TABLE s (x INT)",
        "INSERT INTO a SELECT ';' FROM s",
        "INSERT INTO b SELECT 1",
    ]
    split = ["BEGIN STATEMENT SET", "INSERT INTO a SELECT 1", "INSERT INTO b SELECT 2", "end"]
    assert normalize_statements(split) == ["INSERT INTO a SELECT 1", "INSERT INTO b SELECT 2"]


def test_comments_blank_and_execute_insert() -> None:
    stmts = ["-- header\n/* block */ EXECUTE INSERT INTO a SELECT 1", "  ", "-- only a comment"]
    assert normalize_statements(stmts) == ["INSERT INTO a SELECT 1"]


def test_encoding_survives_quotes_newlines_and_unicode() -> None:
    stmts = ["SELECT 'it''s', \"q\"\n-- ünïcødé ;", "x"]
    arg = encode_statements(stmts)
    assert arg.isascii() and " " not in arg
    assert json.loads(base64.b64decode(arg)) == stmts


def test_run_body_carries_name_identity_savepoint_and_config() -> None:
    ident = JobIdentity("j", 2, "h", "local")
    body = build_run_body(
        job_name="j",
        statements=["INSERT INTO a SELECT 1"],
        identity=ident,
        parallelism=3,
        flink_configuration={"execution.checkpointing.interval": "10s"},
        savepoint_path="file:/sp/1",
        allow_non_restored_state=True,
    )
    assert body["entryClass"] == ENTRY_CLASS
    assert body["programArgsList"][0] == "--statements"
    assert body["parallelism"] == 3
    assert body["savepointPath"] == "file:/sp/1" and body["allowNonRestoredState"] is True
    conf = body["flinkConfiguration"]
    assert conf["pipeline.name"] == "j"
    assert conf["execution.checkpointing.interval"] == "10s"
    assert "flinkops.version:2" in conf["pipeline.global-job-parameters"]
    plain = build_run_body(job_name="k", statements=["INSERT INTO a SELECT 1"])
    assert "savepointPath" not in plain and "parallelism" not in plain


def test_a_refused_submission_says_flinks_words_without_the_runners_mark() -> None:
    marked = "flinkops statement 2: SQL validation failed. Object 'nowhere' not found"

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/jars":
            return httpx.Response(200, json={"files": [{"id": "r.jar", "name": runner_jar_name()}]})
        trace = f"<Exception on server side:\nx.ProgramInvocationException: {marked}\n>"
        return httpx.Response(400, json={"errors": [trace]})

    client = FlinkClient("http://flink.test", transport=httpx.MockTransport(answer), retries=0)
    with pytest.raises(FlinkError) as refused:
        submit_sql(
            client,
            job_name="agg",
            statements=["INSERT INTO nowhere SELECT 1"],
            identity=JobIdentity("agg", 1, "h", "local"),
        )
    assert "flinkops statement" not in str(refused.value)
    assert str(refused.value).startswith("submitting job 'agg' failed: ")
    assert "Object 'nowhere' not found" in str(refused.value)
