"""The SQL runner's Python side: statement normalization, encoding, the run body."""

from __future__ import annotations

import base64
import json

from flinkops.flink.identity import JobIdentity
from flinkops.flink.runner import (
    ENTRY_CLASS,
    build_run_body,
    encode_statements,
    normalize_statements,
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
