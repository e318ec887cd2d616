"""FlinkClient: the typed client of a Flink JobManager's REST API (1.20 and 2.x).

Every call has a timeout. Idempotent reads (GET) are retried with exponential
backoff on connection errors, timeouts and 502/503/504; writes are never
retried. Errors are ``FlinkError`` (the cluster answered with an error) or
``FlinkUnreachable`` (no answer): the message names the method, the URL
(without credentials), the HTTP status and the useful line of Flink's own
error text; the full text is in ``FlinkError.flink_errors``. Headers (auth)
are sent with every request and never appear in messages or reprs.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from flinkops.errors import FlinkError, FlinkUnreachable, SavepointFailed
from flinkops.flink._error_text import (
    error_from_response,
    flink_error_summary,
    not_flink,
    redact_url,
    transport_reason,
)
from flinkops.flink.models import (
    Checkpoints,
    ClusterConfig,
    Exceptions,
    JarFile,
    JobConfig,
    JobDetails,
    JobSummary,
    LogFile,
    Overview,
    SavepointStatus,
    TaskManager,
    major_of,
    root_line,
)

__all__ = ["FlinkClient", "flink_error_summary", "new_trigger_id", "redact_url"]

_RETRY_STATUS = {502, 503, 504}
# Submitting or compiling SQL loads the planner: allow far longer than a read.
SLOW_TIMEOUT = 120.0


def new_trigger_id() -> str:
    """A fresh trigger id for an asynchronous operation (Flink's ``TriggerId``: 32 hex
    digits), chosen by the caller so it is known before the request is sent."""
    return uuid.uuid4().hex


class FlinkClient:
    """A Flink cluster's REST API at ``base_url`` (e.g. ``http://localhost:8081``).

    ``headers`` go with every request (e.g. ``Authorization``) and are never
    printed; ``transport`` is the seam tests use (``httpx.MockTransport``);
    ``retries`` is how many times a GET is retried after the first attempt.
    """

    def __init__(
        self,
        base_url: str,
        *,
        headers: dict[str, str] | None = None,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        retries: int = 3,
        backoff: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # ``base_url`` is safe to print: credentials in the URL stay inside httpx.
        self.base_url = redact_url(base_url.rstrip("/"))
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers=headers or {},
            timeout=timeout,
            transport=transport,
        )
        self._version: str | None = None

    def __repr__(self) -> str:
        return f"FlinkClient({redact_url(self.base_url)!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> FlinkClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # plumbing ---------------------------------------------------------------
    def _request(
        self,
        method: str,
        path: str,
        *,
        timeout: float | None = None,
        expect_json: bool = True,
        **kwargs: Any,
    ) -> Any:
        """One call (a GET retried with backoff): its JSON, or the response if not expect_json."""
        url = redact_url(f"{self.base_url}{path}")
        what = f"{method} {url}"
        attempts = 1 + (self.retries if method == "GET" else 0)
        last: Exception | None = None
        for attempt in range(attempts):
            if attempt:
                self._sleep(self.backoff * (2 ** (attempt - 1)))
            resp = self._send(method, path, what, url, timeout, **kwargs)
            if isinstance(resp, FlinkUnreachable):
                last = resp
                continue
            if resp.status_code in _RETRY_STATUS and attempt + 1 < attempts:
                last = error_from_response(what, url, resp)
                continue
            if resp.status_code >= 400:
                raise error_from_response(what, url, resp)
            return _json_of(resp, what, url) if expect_json else resp
        assert last is not None
        if attempts > 1 and isinstance(last, FlinkUnreachable):
            last.args = (f"{last.args[0]} (tried {attempts} times)",)
        raise last

    def _send(
        self, method: str, path: str, what: str, url: str, timeout: float | None, **kwargs: Any
    ) -> httpx.Response | FlinkUnreachable:
        """One attempt: Flink's answer, or the FlinkUnreachable saying why there was none."""
        try:
            return self._http.request(
                method, path, timeout=timeout if timeout is not None else self.timeout, **kwargs
            )
        except httpx.TimeoutException as exc:
            return FlinkUnreachable(
                f"{what}: no answer within {timeout or self.timeout:g}s "
                f"({type(exc).__name__}); is the cluster overloaded or the URL right?",
                url=url,
            )
        except httpx.TransportError as exc:
            return FlinkUnreachable(
                f"{what}: cannot connect ({transport_reason(exc)}); "
                "is the cluster running? (`flinkops local up` starts one)",
                url=url,
            )

    def _get(self, path: str, **kw: Any) -> Any:
        return self._request("GET", path, **kw)

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """Any GET of the REST API (e.g. ``/jobs/:id/metrics``) as parsed JSON.

        For endpoints without a typed method; retried and erroring like the rest.
        ``path`` starts with ``/``; escape ids in it yourself.
        """
        return self._get(path, params=params) if params else self._get(path)

    # cluster ----------------------------------------------------------------
    def overview(self) -> Overview:
        """``GET /overview``: version, slots, TaskManagers, job counts."""
        ov = Overview.from_json(self._get("/overview"))
        self._version = ov.flink_version or self._version
        return ov

    def config(self) -> ClusterConfig:
        """``GET /config``: version and web UI features."""
        cfg = ClusterConfig.from_json(self._get("/config"))
        self._version = cfg.flink_version or self._version
        return cfg

    def version(self) -> str:
        """The cluster's Flink version ("2.3.0"), asked once and remembered."""
        if self._version is None:
            self.config()
        return self._version or ""

    def major_version(self) -> int:
        return major_of(self.version())

    def jobmanager_config(self) -> dict[str, str]:
        """``GET /jobmanager/config`` as a dict of the cluster's configuration."""
        return {str(e["key"]): str(e["value"]) for e in self._get("/jobmanager/config")}

    # jobs -------------------------------------------------------------------
    def jobs(self) -> list[JobSummary]:
        """``GET /jobs/overview``: every job the cluster knows, newest first."""
        data = self._get("/jobs/overview")
        jobs = [JobSummary.from_json(j) for j in data.get("jobs", [])]
        return sorted(jobs, key=lambda j: j.start_time or 0, reverse=True)

    def job(self, job_id: str) -> JobDetails:
        """``GET /jobs/:id``: state, timestamps, vertices with metrics, plan."""
        return JobDetails.from_json(self._get(f"/jobs/{segment(job_id)}"))

    def job_config(self, job_id: str) -> JobConfig:
        """``GET /jobs/:id/config``; ``.user_config`` / ``.identity`` carry flinkops's identity."""
        return JobConfig.from_json(self._get(f"/jobs/{segment(job_id)}/config"))

    def job_plan(self, job_id: str) -> dict[str, Any]:
        """``GET /jobs/:id/plan``: the running job's graph, in the form ``plan_jar`` returns
        (``{"jid", "name", "type", "nodes": [...]}``)."""
        data = self._get(f"/jobs/{segment(job_id)}/plan")
        plan = data.get("plan", data) if isinstance(data, dict) else {}
        return plan if isinstance(plan, dict) else {}

    def checkpoints(self, job_id: str) -> Checkpoints:
        """``GET /jobs/:id/checkpoints``: counts, latest (completed/savepoint/failed/restored).

        A job without checkpointing gets ``Checkpoints.disabled()`` (``enabled`` False)
        instead of Flink's 404.
        """
        try:
            return Checkpoints.from_json(self._get(f"/jobs/{segment(job_id)}/checkpoints"))
        except FlinkError as exc:
            if exc.status == 404 and any("not been enabled" in e for e in exc.flink_errors):
                return Checkpoints.disabled()
            raise

    def exceptions(self, job_id: str, max_exceptions: int = 20) -> Exceptions:
        """``GET /jobs/:id/exceptions``: root exception and history (2.x and 1.x fields)."""
        path = f"/jobs/{segment(job_id)}/exceptions"
        return Exceptions.from_json(self._get(path, params={"maxExceptions": max_exceptions}))

    def set_resource_requirements(self, job_id: str, requirements: dict[str, Any]) -> None:
        """``PUT /jobs/:id/resource-requirements`` (per vertex ``{"parallelism": {"lowerBound",
        "upperBound"}}``, as GET returns them): the adaptive scheduler rescales to them."""
        self._request("PUT", f"/jobs/{segment(job_id)}/resource-requirements", json=requirements)

    def cancel(self, job_id: str) -> None:
        """``PATCH /jobs/:id?mode=cancel``: cancel without a savepoint (state is lost)."""
        self._request("PATCH", f"/jobs/{segment(job_id)}", params={"mode": "cancel"})

    # savepoints -------------------------------------------------------------
    def stop_with_savepoint(
        self,
        job_id: str,
        target_dir: str | None,
        drain: bool = False,
        trigger_id: str | None = None,
    ) -> str:
        """``POST /jobs/:id/stop``: stop after a savepoint; returns the trigger id.

        ``trigger_id`` (32 hex digits, ``new_trigger_id``) makes the request idempotent:
        Flink takes the operation under that id, and the same id sent again does not
        stop twice, so a caller that journals it before sending can ask Flink about a
        stop whose answer it never heard."""
        body: dict[str, Any] = {"drain": drain}
        if target_dir:
            body["targetDirectory"] = target_dir
        if trigger_id:
            body["triggerId"] = trigger_id
        data = self._request("POST", f"/jobs/{segment(job_id)}/stop", json=body)
        return str(data["request-id"])

    def trigger_savepoint(
        self, job_id: str, target_dir: str | None, cancel_job: bool = False
    ) -> str:
        """``POST /jobs/:id/savepoints``: take a savepoint (the job keeps running)."""
        body: dict[str, Any] = {"cancel-job": cancel_job}
        if target_dir:
            body["target-directory"] = target_dir
        data = self._request("POST", f"/jobs/{segment(job_id)}/savepoints", json=body)
        return str(data["request-id"])

    def trigger_checkpoint(self, job_id: str, full: bool = True) -> str:
        """``POST /jobs/:id/checkpoints`` (Flink 1.17+): take a checkpoint now, outside the
        periodic schedule and its minimum pause; returns the trigger id."""
        body = {"checkpointType": "FULL" if full else "CONFIGURED"}
        data = self._request("POST", f"/jobs/{segment(job_id)}/checkpoints", json=body)
        return str(data["request-id"])

    def savepoint_status(self, job_id: str, trigger_id: str) -> SavepointStatus:
        """``GET /jobs/:id/savepoints/:trigger``."""
        return SavepointStatus.from_json(
            self._get(f"/jobs/{segment(job_id)}/savepoints/{segment(trigger_id)}")
        )

    def wait_savepoint(
        self,
        job_id: str,
        trigger_id: str,
        timeout: float = 300.0,
        on_progress: Callable[[float], None] | None = None,
        poll: float = 0.5,
    ) -> str:
        """Poll a savepoint trigger until it completes; return the savepoint's location.

        ``on_progress(elapsed_seconds)`` is called on every poll. Raises SavepointFailed
        with Flink's failure cause when Flink says the savepoint failed, FlinkError on
        timeout (the savepoint may still complete).
        """
        start = time.monotonic()
        where = f"savepoint {trigger_id} of job {job_id} at {redact_url(self.base_url)}"
        while True:
            st = self.savepoint_status(job_id, trigger_id)
            if st.done:
                if st.location:
                    return st.location
                cause = root_line(st.failure_cause) or "no cause given"
                raise SavepointFailed(
                    f"{where} failed: {cause}",
                    url=redact_url(self.base_url),
                    flink_errors=[st.failure_cause] if st.failure_cause else [],
                )
            elapsed = time.monotonic() - start
            if on_progress:
                on_progress(elapsed)
            if elapsed > timeout:
                raise FlinkError(
                    f"{where} not done after {timeout:g}s (still {st.status}); "
                    "it may still complete: check the job's checkpoints",
                    url=redact_url(self.base_url),
                )
            self._sleep(poll)

    def dispose_savepoint(self, path: str, timeout: float = 60.0, poll: float = 0.5) -> None:
        """``POST /savepoint-disposal`` and poll it; FlinkError (Flink's cause) on failure."""
        data = self._request("POST", "/savepoint-disposal", json={"savepoint-path": path})
        trigger = str(data["request-id"])
        where = f"disposal of savepoint {path} at {redact_url(self.base_url)}"
        deadline = time.monotonic() + timeout
        while True:
            st = SavepointStatus.from_json(self._get(f"/savepoint-disposal/{segment(trigger)}"))
            if st.done and not st.failure_cause:
                return
            if st.done or time.monotonic() > deadline:
                cause = root_line(st.failure_cause) if st.done else f"not done after {timeout:g}s"
                raise FlinkError(
                    f"{where} failed: {cause or 'no cause given'}",
                    url=redact_url(self.base_url),
                    flink_errors=[st.failure_cause] if st.failure_cause else [],
                )
            self._sleep(poll)

    # jars -------------------------------------------------------------------
    def jars(self) -> list[JarFile]:
        """``GET /jars``: uploaded jars."""
        return [JarFile.from_json(f) for f in self._get("/jars").get("files", [])]

    def upload_jar(self, path: Path | str) -> str:
        """``POST /jars/upload``; returns the jar id."""
        p = Path(path)
        with p.open("rb") as fh:
            data = self._request(
                "POST",
                "/jars/upload",
                files={"jarfile": (p.name, fh, "application/x-java-archive")},
                timeout=SLOW_TIMEOUT,
            )
        filename = str(data.get("filename", ""))
        if data.get("status") != "success" or not filename:
            raise FlinkError(
                f"POST {redact_url(self.base_url)}/jars/upload: unexpected answer {data!r}",
                url=redact_url(self.base_url) + "/jars/upload",
            )
        return filename.replace("\\", "/").rsplit("/", 1)[-1]

    def run_jar(self, jar_id: str, body: dict[str, Any]) -> str:
        """``POST /jars/:id/run``; returns the new job's id."""
        data = self._request(
            "POST", f"/jars/{segment(jar_id)}/run", json=self._jar_body(body), timeout=SLOW_TIMEOUT
        )
        return str(data["jobid"])

    def plan_jar(self, jar_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /jars/:id/plan``: compile without running; returns Flink's job graph."""
        data = self._request(
            "POST", f"/jars/{segment(jar_id)}/plan", json=self._jar_body(body), timeout=SLOW_TIMEOUT
        )
        plan = data.get("plan", data)
        return plan if isinstance(plan, dict) else {"plan": plan}

    def _jar_body(self, body: dict[str, Any]) -> dict[str, Any]:
        """Adapt a jar run body to the cluster: Flink 2.x has no string ``programArgs``."""
        out = {k: v for k, v in body.items() if v is not None}
        if "programArgs" in out and "programArgsList" not in out and self.major_version() >= 2:
            raise FlinkError(
                "Flink 2.x removed the string 'programArgs'; pass 'programArgsList'",
                url=redact_url(self.base_url),
            )
        return out

    def delete_jar(self, jar_id: str) -> None:
        """``DELETE /jars/:id``."""
        self._request("DELETE", f"/jars/{segment(jar_id)}")

    # logs -------------------------------------------------------------------
    def jobmanager_logs(self) -> list[LogFile]:
        """``GET /jobmanager/logs``: the JobManager's log files."""
        return [LogFile.from_json(f) for f in self._get("/jobmanager/logs").get("logs", [])]

    def jobmanager_log(self, name: str | None = None, tail: int | None = None) -> str:
        """A JobManager log file's text (main log if ``name`` is None), last ``tail`` lines."""
        path = f"/jobmanager/logs/{segment(name)}" if name else "/jobmanager/log"
        return _tail(self._get(path, expect_json=False).text, tail)

    def taskmanagers(self) -> list[TaskManager]:
        """``GET /taskmanagers``."""
        data = self._get("/taskmanagers")
        return [TaskManager.from_json(t) for t in data.get("taskmanagers", [])]

    def taskmanager_logs(self, tm_id: str) -> list[LogFile]:
        """``GET /taskmanagers/:id/logs``."""
        data = self._get(f"/taskmanagers/{segment(tm_id)}/logs")
        return [LogFile.from_json(f) for f in data.get("logs", [])]

    def taskmanager_log(self, tm_id: str, name: str | None = None, tail: int | None = None) -> str:
        """A TaskManager log file's text (the main log when ``name`` is None)."""
        base = f"/taskmanagers/{segment(tm_id)}"
        path = f"{base}/logs/{segment(name)}" if name else f"{base}/log"
        return _tail(self._get(path, expect_json=False).text, tail)

    def taskmanager_stdout(self, tm_id: str, tail: int | None = None) -> str:
        """``GET /taskmanagers/:id/stdout``: the TaskManager's ``.out`` file (what it printed)."""
        path = f"/taskmanagers/{segment(tm_id)}/stdout"
        return _tail(self._get(path, expect_json=False).text, tail)


def segment(value: str) -> str:
    """One URL path segment, escaped (a job id, a vertex id, a metric name)."""
    return quote(str(value), safe="")


def _json_of(resp: httpx.Response, what: str, url: str) -> Any:
    """The parsed body of a successful answer (``{}`` when empty); FlinkError if not JSON."""
    if not resp.content:
        return {}
    try:
        return resp.json()
    except ValueError as exc:
        foreign = not_flink(resp)
        raise FlinkError(
            f"{what}: HTTP {resp.status_code}: {foreign}"
            if foreign
            else f"{what}: HTTP {resp.status_code} but the body is not JSON: {resp.text[:200]!r}",
            url=url,
            status=resp.status_code,
        ) from exc


def _tail(text: str, lines: int | None) -> str:
    if lines is None:
        return text
    return "\n".join(text.splitlines()[-lines:])
