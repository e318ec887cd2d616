"""A real PostgreSQL server for the test session, from the machine's binaries.

``PgServer.start()`` runs ``initdb`` into a temporary directory (password
authentication, scram-sha-256), starts ``postgres`` on a free port of 127.0.0.1
and creates the database ``flinkops``; ``stop()`` ends that server by its PID
(SIGINT: fast shutdown; SIGKILL if it does not stop) and removes the directory.
The binaries come from ``/usr/lib/postgresql/*/bin`` or PATH (``find_bin_dir``).
As root (initdb refuses root), the server runs as the ``postgres`` user, else
``nobody``. Each test gets its own schema (``url(schema=...)``).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from flinkops.flink.local import free_port

__all__ = ["PASSWORD", "REQUIRE_ENV", "PgServer", "find_bin_dir"]

PASSWORD = "pg-s3cret-7f1d9e2a-planted"  # must never appear in any output
USER = "flinkops"
REQUIRE_ENV = "FLINKOPS_REQUIRE_POSTGRES"  # CI sets it: a missing server fails, not skips


def find_bin_dir() -> Path | None:
    """The directory of ``initdb`` and ``postgres``: the newest Debian one, else PATH."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb and shutil.which("postgres"):
        return Path(initdb).resolve().parent
    return None


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    for user in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            import pwd

            pwd.getpwnam(user)
            return user
    return None


class PgServer:
    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.host = "127.0.0.1"
        self.port = free_port()
        self.user = _run_as()
        self.dir = Path(tempfile.mkdtemp(prefix="flinkops-pg-"))
        self.proc: subprocess.Popen[bytes] | None = None

    def url(self, schema: str | None = None, *, password: str | None = PASSWORD) -> str:
        auth = f"{USER}:{password}" if password else USER
        query = f"?schema={schema}" if schema else ""
        return f"postgresql://{auth}@{self.host}:{self.port}/flinkops{query}"

    def fresh_schema(self) -> str:
        return f"t_{uuid.uuid4().hex[:12]}"

    def start(self) -> None:
        data = self.dir / "data"
        pwfile = self.dir / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self.user:
            shutil.chown(self.dir, self.user)
            shutil.chown(pwfile, self.user)
        self._call(
            "initdb",
            "-D",
            str(data),
            "-U",
            USER,
            "--pwfile",
            str(pwfile),
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        self._launch()
        with self.connect("postgres") as conn:
            conn.execute(f"CREATE DATABASE {USER}")

    def _launch(self) -> None:
        """Run ``postgres`` on the data directory, and wait until it accepts connections."""
        data = self.dir / "data"
        log = open(self.dir / "postgres.log", "ab")  # noqa: SIM115 - the server's log
        self.proc = subprocess.Popen(
            [
                str(self.bin_dir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(self.port),
                "-k",
                str(self.dir),
                "-c",
                f"listen_addresses={self.host}",
                "-c",
                "fsync=off",  # the tests kill clients, never this server
                "-c",
                "synchronous_commit=off",
                "-c",
                "max_connections=60",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            user=self.user,
        )
        log.close()
        self._wait_ready()

    def halt(self) -> None:
        """Stop the server by its PID and keep its data: a store outage (``resume``)."""
        self._end()

    def resume(self) -> None:
        """Start the halted server again on the same port and data."""
        self._launch()

    def connect(self, dbname: str = USER):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=USER,
            password=PASSWORD,
            dbname=dbname,
            autocommit=True,
            connect_timeout=5,
        )

    def _wait_ready(self, timeout: float = 60.0) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"postgres exited {self.proc.returncode}:\n{self.log()}")
            try:
                self.connect("postgres").close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"postgres did not accept connections:\n{self.log()}"
                    ) from None
                time.sleep(0.1)

    def log(self) -> str:
        path = self.dir / "postgres.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def _call(self, binary: str, *args: str) -> None:
        done = subprocess.run(
            [str(self.bin_dir / binary), *args],
            capture_output=True,
            text=True,
            timeout=120,
            user=self.user,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{binary} failed ({done.returncode}): {done.stderr}")

    def stop(self) -> None:
        """Stop the server by its PID and remove its directory."""
        self._end()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _end(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGINT)  # fast shutdown: ends every session
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
