"""FlinkClient's error paths and retries, with httpx.MockTransport (no cluster)."""

from __future__ import annotations

import json

import httpx
import pytest

from flinkops.errors import FlinkError, FlinkUnreachable
from flinkops.flink.rest import FlinkClient, flink_error_summary, redact_url

SECRET = "Bearer s3cr3t-token"

SERVER_SIDE = (
    "<Exception on server side:\n"
    "org.apache.flink.client.program.ProgramInvocationException: The main method caused an"
    " error: Cannot find table '`default_catalog`.`default_database`.`nope`' in any of the"
    " catalogs [default_catalog], nor as a temporary table.\n"
    "\tat org.apache.flink.client.program.PackagedProgram.callMainMethod(PackagedProgram.java)\n"
    "Caused by: org.apache.flink.table.api.ValidationException: Cannot find table"
    " '`default_catalog`.`default_database`.`nope`' in any of the catalogs [default_catalog],"
    " nor as a temporary table.\n"
    "\tat org.apache.flink.table.catalog.CatalogManager.getTableOrError(CatalogManager.java:760)\n"
    "\nEnd of exception on server side>"
)


class Recorder:
    """A MockTransport handler that answers from a list and records requests."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def make_client(
    handler: Recorder, base_url: str = "http://flink.example:8081", **kw: object
) -> FlinkClient:
    sleeps: list[float] = []
    client = FlinkClient(
        base_url,
        headers={"Authorization": SECRET},
        transport=httpx.MockTransport(handler),
        sleep=sleeps.append,
        **kw,  # type: ignore[arg-type]
    )
    client.sleeps = sleeps  # type: ignore[attr-defined]
    return client


OVERVIEW = {
    "taskmanagers": 1,
    "slots-total": 4,
    "slots-available": 3,
    "jobs-running": 1,
    "jobs-finished": 2,
    "jobs-cancelled": 3,
    "jobs-failed": 4,
    "flink-version": "2.3.0",
    "flink-commit": "c0f8d1a",
}


def test_overview_is_typed_and_headers_are_sent() -> None:
    rec = Recorder(httpx.Response(200, json=OVERVIEW))
    ov = make_client(rec).overview()
    assert (ov.flink_version, ov.major_version, ov.slots_total, ov.slots_available) == (
        "2.3.0",
        2,
        4,
        3,
    )
    assert (ov.jobs_running, ov.jobs_finished, ov.jobs_cancelled, ov.jobs_failed) == (1, 2, 3, 4)
    assert rec.requests[0].headers["Authorization"] == SECRET
    assert rec.requests[0].url.path == "/overview"


def test_500_with_flink_error_body_names_method_url_status_and_root_line() -> None:
    rec = Recorder(httpx.Response(500, json={"errors": ["Internal server error.", SERVER_SIDE]}))
    client = make_client(rec)
    with pytest.raises(FlinkError) as err:
        client.plan_jar("abc_runner.jar", {"entryClass": "X"})
    msg = str(err.value)
    assert msg.startswith("POST http://flink.example:8081/jars/abc_runner.jar/plan: HTTP 500:")
    assert "Cannot find table '`default_catalog`.`default_database`.`nope`'" in msg
    assert "\tat " not in msg and "Exception on server side" not in msg
    assert err.value.status == 500
    assert err.value.flink_errors[1] == SERVER_SIDE
    assert not isinstance(err.value, FlinkUnreachable)
    assert len(rec.requests) == 1  # POST: never retried


def test_404_job_not_found() -> None:
    rec = Recorder(httpx.Response(404, json={"errors": ["Job 1234 not found"]}))
    with pytest.raises(FlinkError, match=r"GET .*/jobs/1234: HTTP 404: Job 1234 not found"):
        make_client(rec).job("1234")
    assert len(rec.requests) == 1  # a 404 is an answer, not retried


@pytest.mark.parametrize("status", [404, 200])
def test_a_server_that_is_not_flink_is_named_as_such(status: int) -> None:
    """Issue 23: a web server's page was shown as ``HTTP 404: <!DOCTYPE HTML>``."""
    page = "<!DOCTYPE HTML>\n<html><head><title>Error response</title></head></html>"
    rec = Recorder(httpx.Response(status, text=page, headers={"content-type": "text/html"}))
    with pytest.raises(FlinkError) as err:
        make_client(rec).overview()
    assert str(err.value).endswith(
        f"HTTP {status}: the server answered with an HTML page (Error response), not Flink's "
        "REST API (JSON); is the URL that of the JobManager's REST endpoint (rest.port, "
        "8081 by default)?"
    )


def test_connection_refused_is_unreachable_after_retries_with_backoff() -> None:
    rec = Recorder(httpx.ConnectError("[Errno 111] Connection refused"))
    client = make_client(rec, retries=3, backoff=0.5)
    with pytest.raises(FlinkUnreachable) as err:
        client.jobs()
    assert len(rec.requests) == 4
    assert client.sleeps == [0.5, 1.0, 2.0]  # type: ignore[attr-defined]
    msg = str(err.value)
    assert "GET http://flink.example:8081/jobs/overview" in msg
    assert "connection refused" in msg and "tried 4 times" in msg
    assert err.value.status is None


def test_timeout_is_unreachable_and_says_how_long() -> None:
    rec = Recorder(httpx.ReadTimeout("timed out"))
    client = make_client(rec, retries=1, timeout=2.5)
    with pytest.raises(FlinkUnreachable, match=r"no answer within 2.5s \(ReadTimeout\)"):
        client.overview()
    assert len(rec.requests) == 2


def test_get_recovers_after_a_503_and_a_refusal() -> None:
    rec = Recorder(
        httpx.Response(503, json={"errors": ["Service temporarily unavailable"]}),
        httpx.ConnectError("refused"),
        httpx.Response(200, json=OVERVIEW),
    )
    assert make_client(rec).overview().taskmanagers == 1
    assert len(rec.requests) == 3


@pytest.mark.parametrize(
    ("call", "method"),
    [
        (lambda c: c.cancel("j1"), "PATCH"),
        (lambda c: c.stop_with_savepoint("j1", "file:///sp"), "POST"),
        (lambda c: c.trigger_savepoint("j1", "file:///sp"), "POST"),
        (lambda c: c.trigger_checkpoint("j1"), "POST"),
        (lambda c: c.run_jar("jar", {"entryClass": "X"}), "POST"),
        (lambda c: c.delete_jar("jar"), "DELETE"),
    ],
)
def test_writes_are_never_retried(call, method: str) -> None:  # type: ignore[no-untyped-def]
    rec = Recorder(httpx.ConnectError("refused"))
    with pytest.raises(FlinkUnreachable):
        call(make_client(rec, retries=5))
    assert [r.method for r in rec.requests] == [method]


def test_secrets_never_appear_in_errors_or_repr() -> None:
    answers = [
        httpx.Response(500, json={"errors": ["boom"]}),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.Response(502, text="<html>bad gateway</html>"),
    ]
    for answer in answers:
        client = make_client(Recorder(answer), "http://user:pw@flink.example:8081", retries=0)
        with pytest.raises(FlinkError) as err:
            client.jobs()
        text = f"{err.value} {err.value.url} {err.value.flink_errors} {client!r} {client.base_url}"
        assert "s3cr3t" not in text
        assert "user:pw" not in text and "pw@" not in text


def test_non_json_error_body_is_kept_short() -> None:
    rec = Recorder(httpx.Response(502, text="bad gateway " * 500))
    with pytest.raises(FlinkError, match="HTTP 502: bad gateway") as err:
        make_client(rec, retries=0).overview()
    assert len(str(err.value)) < 2100
    rec = Recorder(httpx.Response(502, text="<html>bad gateway</html>"))
    with pytest.raises(FlinkError, match="HTTP 502: the server answered with an HTML page,"):
        make_client(rec, retries=0).overview()


def test_stop_with_savepoint_body_and_wait_reports_location() -> None:
    rec = Recorder(
        httpx.Response(202, json={"request-id": "t1"}),
        httpx.Response(200, json={"status": {"id": "IN_PROGRESS"}}),
        httpx.Response(
            200,
            json={"status": {"id": "COMPLETED"}, "operation": {"location": "file:/sp/savepoint-1"}},
        ),
    )
    client = make_client(rec)
    assert client.stop_with_savepoint("j1", "file:///sp", drain=True) == "t1"
    assert json.loads(rec.requests[0].content) == {"drain": True, "targetDirectory": "file:///sp"}
    seen: list[float] = []
    assert client.wait_savepoint("j1", "t1", timeout=10, on_progress=seen.append) == (
        "file:/sp/savepoint-1"
    )
    assert len(seen) == 1
    assert rec.requests[-1].url.path == "/jobs/j1/savepoints/t1"


def test_wait_savepoint_raises_flinks_failure_cause() -> None:
    trace = (
        "java.util.concurrent.CompletionException: x\n\tat a.b(C.java:1)\n"
        "Caused by: org.apache.flink.runtime.checkpoint.CheckpointException: "
        "Failure to finalize checkpoint.\n\tat d.e(F.java:2)"
    )
    rec = Recorder(
        httpx.Response(
            200,
            json={
                "status": {"id": "COMPLETED"},
                "operation": {"failure-cause": {"class": "x", "stack-trace": trace}},
            },
        )
    )
    with pytest.raises(FlinkError, match="CheckpointException: Failure to finalize checkpoint"):
        make_client(rec).wait_savepoint("j1", "t1", timeout=5)


def test_trigger_savepoint_body() -> None:
    rec = Recorder(httpx.Response(202, json={"request-id": "t2"}))
    assert make_client(rec).trigger_savepoint("j1", "s3://b/sp", cancel_job=False) == "t2"
    assert json.loads(rec.requests[0].content) == {
        "cancel-job": False,
        "target-directory": "s3://b/sp",
    }


def test_trigger_checkpoint_asks_for_a_full_checkpoint_of_the_job() -> None:
    rec = Recorder(httpx.Response(202, json={"request-id": "t3"}))
    assert make_client(rec).trigger_checkpoint("j1") == "t3"
    assert (rec.requests[0].method, rec.requests[0].url.path) == ("POST", "/jobs/j1/checkpoints")
    assert json.loads(rec.requests[0].content) == {"checkpointType": "FULL"}


def test_upload_jar_returns_the_id(tmp_path) -> None:  # type: ignore[no-untyped-def]
    jar = tmp_path / "runner.jar"
    jar.write_bytes(b"PK")
    rec = Recorder(
        httpx.Response(
            200, json={"filename": "/tmp/flink-web/upload/abc-123_runner.jar", "status": "success"}
        )
    )
    assert make_client(rec).upload_jar(jar) == "abc-123_runner.jar"
    assert b'name="jarfile"; filename="runner.jar"' in rec.requests[0].content


def test_flink_2_refuses_string_program_args() -> None:
    rec = Recorder(httpx.Response(200, json={"flink-version": "2.3.0"}))
    with pytest.raises(FlinkError, match="programArgsList"):
        make_client(rec).run_jar("jar", {"entryClass": "X", "programArgs": "--a b"})


def test_job_ids_are_escaped_in_paths() -> None:
    rec = Recorder(httpx.Response(200, json={"jid": "a/b"}))
    make_client(rec).job("a/b")
    assert rec.requests[0].url.raw_path == b"/jobs/a%2Fb"


def test_logs_tail() -> None:
    rec = Recorder(httpx.Response(200, text="one\ntwo\nthree\n"))
    assert make_client(rec).jobmanager_log(tail=2) == "two\nthree"
    assert rec.requests[0].url.path == "/jobmanager/log"


def test_summary_and_redaction_helpers() -> None:
    assert flink_error_summary(["Internal server error."]) == "Internal server error."
    assert flink_error_summary([]) == "no error text"
    assert redact_url("https://u:p@h:9/x?token=1") == "https://h:9/x"


def test_checkpoints_of_a_job_without_checkpointing() -> None:
    rec = Recorder(httpx.Response(404, json={"errors": ["Checkpointing has not been enabled."]}))
    cp = make_client(rec).checkpoints("j1")
    assert not cp.enabled and cp.restored is None and cp.history == []
    missing = Recorder(httpx.Response(404, json={"errors": ["Job j2 not found"]}))
    with pytest.raises(FlinkError, match="Job j2 not found"):
        make_client(missing).checkpoints("j2")


def test_get_json_escape_hatch_and_job_summaries() -> None:
    rec = Recorder(
        httpx.Response(200, json=[{"id": "numRestarts", "value": "2"}]),
        httpx.Response(
            200,
            json={
                "jobs": [
                    {"jid": "a", "name": "old", "state": "FAILED", "start-time": 1},
                    {
                        "jid": "b",
                        "name": "new",
                        "state": "RUNNING",
                        "start-time": 9,
                        "end-time": -1,
                        "job-type": "STREAMING",
                    },
                ]
            },
        ),
    )
    client = make_client(rec)
    assert client.get_json("/jobs/a/metrics", {"get": "numRestarts"}) == [
        {"id": "numRestarts", "value": "2"}
    ]
    assert rec.requests[0].url.params["get"] == "numRestarts"
    jobs = client.jobs()
    assert [j.id for j in jobs] == ["b", "a"]  # newest first
    assert jobs[0].end_time is None and jobs[0].job_type == "STREAMING"


def test_summary_skips_wrappers_and_repeats_in_the_cause_chain() -> None:
    text = (
        "org.apache.flink.runtime.rest.handler.RestHandlerException: "
        "Could not execute application.\n"
        "\tat x.Y(Y.java:1)\n"
        "Caused by: java.util.concurrent.CompletionException: "
        "org.apache.flink.util.FlinkRuntimeException: Could not execute application.\n"
        "Caused by: org.apache.flink.client.program.ProgramInvocationException: The main method"
        " caused an error: SQL validation failed. SQL validation failed. At line 1, column 22:"
        " Column 'b' not found in any table\n"
        "\t... 12 more\n"
        "Caused by: org.apache.calcite.sql.validate.SqlValidatorException: Column 'b' not found"
        " in any table\n"
    )
    assert flink_error_summary([text]) == (
        "SQL validation failed. At line 1, column 22: Column 'b' not found in any table"
    )
    assert flink_error_summary(["java.lang.IllegalStateException: boom"]) == "boom"


def test_credentials_in_the_url_are_used_but_not_shown() -> None:
    rec = Recorder(httpx.Response(200, json=OVERVIEW))
    client = FlinkClient("https://ops:pw@flink.example/proxy/", transport=httpx.MockTransport(rec))
    client.overview()
    assert rec.requests[0].headers["Authorization"].startswith("Basic ")
    assert rec.requests[0].url.path == "/proxy/overview"
    assert client.base_url == "https://flink.example/proxy"
