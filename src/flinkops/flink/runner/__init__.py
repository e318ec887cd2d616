"""The SQL runner: build it, upload it once per cluster, submit or compile SQL with it.
Part of flink/: may import the REST client, flink.identity and errors, nothing else.

``SqlRunner.java`` (next to this file) is a Flink program that runs one spec's
statements as one job (see its header). It is compiled with ``javac`` against
the bare JDK (no Flink jars: it reaches the Table API by reflection) into
``flinkops-sql-runner-<hash>.jar``, cached by the hash of its source, and
uploaded to a cluster under that file name, so an upload with the same hash is
reused. Statements travel as one program argument: base64 of a JSON array.
``rejection.py`` takes apart what Flink says when it rejects a statement (the runner
marks which one), so a spec can locate it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from flinkops.errors import FlinkError, LocalClusterError
from flinkops.flink.identity import JobIdentity, merge_global_job_parameters
from flinkops.flink.rest import FlinkClient
from flinkops.flink.runner.rejection import Rejection, rejection_of, without_mark

__all__ = [
    "ENTRY_CLASS",
    "Rejection",
    "build_run_body",
    "compile_sql",
    "encode_statements",
    "ensure_runner_jar",
    "ensure_uploaded",
    "normalize_statements",
    "rejection_of",
    "runner_jar_name",
    "submit_sql",
]

ENTRY_CLASS = "flinkops.runner.SqlRunner"
_SOURCE = Path(__file__).with_name("SqlRunner.java")
_JAVA_RELEASE = "11"


def _source_hash() -> str:
    h = hashlib.sha256()
    h.update(f"release={_JAVA_RELEASE};".encode())
    h.update(_SOURCE.read_bytes())
    return h.hexdigest()[:16]


def runner_jar_name() -> str:
    """The runner jar's file name; it changes whenever the Java source does."""
    return f"flinkops-sql-runner-{_source_hash()}.jar"


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "flinkops"


def ensure_runner_jar(cache_dir: Path | None = None) -> Path:
    """The runner jar, compiled with ``javac`` the first time (cached by source hash)."""
    cache = Path(cache_dir) if cache_dir else _default_cache()
    jar = cache / runner_jar_name()
    if jar.is_file():
        return jar
    javac = _find_javac()
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="flinkops-runner-") as tmp:
        out = Path(tmp) / "classes"
        out.mkdir()
        cmd = [javac, "--release", _JAVA_RELEASE, "-d", str(out), str(_SOURCE)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise LocalClusterError(f"cannot compile the SQL runner with {javac}: {exc}") from exc
        if done.returncode != 0:
            raise LocalClusterError(
                f"javac failed on {_SOURCE.name}:\n{(done.stderr or done.stdout).strip()[-2000:]}"
            )
        # Stage next to the target so the rename is atomic (concurrent builds are fine).
        fd, staging = tempfile.mkstemp(prefix=".runner-", suffix=".jar", dir=cache)
        os.close(fd)
        try:
            _write_jar(Path(staging), out)
            os.replace(staging, jar)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(staging)
    return jar


def _write_jar(path: Path, classes: Path) -> None:
    manifest = f"Manifest-Version: 1.0\r\nMain-Class: {ENTRY_CLASS}\r\nCreated-By: flinkops\r\n\r\n"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("META-INF/MANIFEST.MF", manifest)
        for f in sorted(classes.rglob("*.class")):
            zf.write(f, f.relative_to(classes).as_posix())


def _find_javac() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "javac").is_file():
        return str(Path(java_home) / "bin" / "javac")
    found = shutil.which("javac")
    if not found:
        raise LocalClusterError(
            "javac not found: building flinkops's SQL runner needs a JDK 11 or newer "
            "(e.g. `apt-get install openjdk-17-jdk-headless`), or set JAVA_HOME"
        )
    return found


def ensure_uploaded(client: FlinkClient, cache_dir: Path | None = None) -> str:
    """The id of the runner jar on ``client``'s cluster, uploading it if not there yet."""
    name = runner_jar_name()
    for jar in client.jars():
        if jar.name == name:
            return jar.id
    return client.upload_jar(ensure_runner_jar(cache_dir))


_SET_OPEN = re.compile(
    r"^(?:EXECUTE\s+)?(?:BEGIN\s+STATEMENT\s+SET|STATEMENT\s+SET\s+BEGIN)\b\s*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_END = re.compile(r"^END$", re.IGNORECASE)
_LEADING_COMMENT = re.compile(r"^\s*(?:--[^\n]*(?:\n|$)|/\*.*?\*/)", re.DOTALL)


def _strip(sql: str) -> str:
    s = sql.strip()
    while True:
        m = _LEADING_COMMENT.match(s)
        if not m:
            break
        s = s[m.end() :].strip()
    return s.rstrip(";").strip()


def _split(text: str) -> list[str]:
    """Split on ';' outside quotes and comments (for statement-set bodies only)."""
    parts, cur, i, n = [], [], 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"`":
            j = i + 1
            while j < n:
                if text[j] == c:
                    if j + 1 < n and text[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            cur.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("--", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            cur.append(text[i:j])
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            cur.append(text[i:j])
            i = j
        elif c == ";":
            parts.append("".join(cur))
            cur = []
            i += 1
        else:
            cur.append(c)
            i += 1
    parts.append("".join(cur))
    return parts


def normalize_statements(statements: list[str]) -> list[str]:
    """Drop statement-set markers and unwrap ``EXECUTE STATEMENT SET BEGIN ... END``.

    Every INSERT goes into one statement set anyway, so the markers carry no
    meaning for the runner. ``EXECUTE INSERT ...`` becomes ``INSERT ...``.
    Empty statements and comments-only statements are dropped.
    """
    out: list[str] = []
    for raw in statements:
        s = _strip(raw)
        m = _SET_OPEN.match(s)
        pieces = [_strip(p) for p in _split(m.group(1))] if m else [s]
        for p in pieces:
            if not p or _END.match(p):
                continue
            if re.match(r"^EXECUTE\s+INSERT\b", p, re.IGNORECASE):
                p = p[len("EXECUTE") :].lstrip()
            out.append(p)
    return out


def encode_statements(statements: list[str]) -> str:
    """Base64 of a JSON array: one shell- and parser-safe program argument."""
    return base64.b64encode(json.dumps(statements).encode()).decode("ascii")


def build_run_body(
    *,
    job_name: str,
    statements: list[str],
    identity: JobIdentity | None = None,
    parallelism: int | None = None,
    flink_configuration: dict[str, str] | None = None,
    savepoint_path: str | None = None,
    allow_non_restored_state: bool = False,
) -> dict[str, Any]:
    """The ``jars/:id/run`` (and ``/plan``) body for one job."""
    conf = dict(flink_configuration or {})
    if identity is not None:
        conf = merge_global_job_parameters(conf, identity)
    conf["pipeline.name"] = job_name
    body: dict[str, Any] = {
        "entryClass": ENTRY_CLASS,
        "programArgsList": ["--statements", encode_statements(normalize_statements(statements))],
        "flinkConfiguration": {k: str(v) for k, v in conf.items()},
    }
    if parallelism is not None:
        body["parallelism"] = parallelism
    if savepoint_path:
        body["savepointPath"] = savepoint_path
        body["allowNonRestoredState"] = allow_non_restored_state
    return body


def submit_sql(
    client: FlinkClient,
    *,
    job_name: str,
    statements: list[str],
    identity: JobIdentity | None,
    parallelism: int | None = None,
    flink_configuration: dict[str, str] | None = None,
    savepoint_path: str | None = None,
    allow_non_restored_state: bool = False,
) -> str:
    """Submit one spec's SQL as one Flink job; returns its job id. ``identity`` None: the
    job carries none (a rehearsal's, which no plan takes for the managed job).

    Raises FlinkError carrying Flink's own message when the cluster refuses it
    (bad SQL, a savepoint that does not match without allow_non_restored_state).
    """
    jar_id = ensure_uploaded(client)
    body = build_run_body(
        job_name=job_name,
        statements=statements,
        identity=identity,
        parallelism=parallelism,
        flink_configuration=flink_configuration,
        savepoint_path=savepoint_path,
        allow_non_restored_state=allow_non_restored_state,
    )
    try:
        return client.run_jar(jar_id, body)
    except FlinkError as exc:
        raise _for_job("submitting", job_name, exc) from exc


def compile_sql(
    client: FlinkClient,
    *,
    job_name: str,
    statements: list[str],
    flink_configuration: dict[str, str] | None = None,
    parallelism: int | None = None,
    jar_id: str | None = None,
) -> dict[str, Any]:
    """Compile the SQL in the cluster's planner without running it; Flink's job graph.

    The graph is ``{"jid", "name", "type", "nodes": [{"id", "parallelism",
    "operator", "description", "inputs"...}]}``. Invalid SQL raises FlinkError
    whose message carries Flink's error (e.g. ``Cannot find table ...``).
    ``jar_id`` (from ``ensure_uploaded``) saves listing the jars for each of many compiles.
    """
    jar_id = jar_id or ensure_uploaded(client)
    body = build_run_body(
        job_name=job_name,
        statements=statements,
        parallelism=parallelism,
        flink_configuration=flink_configuration,
    )
    try:
        return client.plan_jar(jar_id, body)
    except FlinkError as exc:
        raise _for_job("compiling", job_name, exc) from exc


def _for_job(doing: str, job_name: str, exc: FlinkError) -> FlinkError:
    """The same error with the job named in front (FlinkError and FlinkUnreachable), and
    without the runner's statement mark."""
    return type(exc)(
        f"{doing} job {job_name!r} failed: {without_mark(str(exc))}",
        url=exc.url,
        status=exc.status,
        flink_errors=exc.flink_errors,
    )
