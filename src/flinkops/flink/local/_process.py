"""The JVMs of a local cluster: Flink's memory calculation, starting one, stopping PIDs."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from flinkops._procs import pid_alive
from flinkops.errors import LocalClusterError
from flinkops.flink.local._home import FlinkHome

__all__ = [
    "JM_CLASS",
    "TM_CLASS",
    "alive",
    "flink_env",
    "is_ours",
    "jvm_command",
    "resource_params",
    "start_detached",
    "stop_pids",
]

JM_CLASS = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint"
TM_CLASS = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner"
BASH_UTILS_CLASS = "org.apache.flink.runtime.util.bash.BashJavaUtils"
_RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:"

# What Flink's own config.yaml passes to every JVM so Java 17 lets it reflect.
JAVA_OPENS = [
    "-XX:+IgnoreUnrecognizedVMOptions",
    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.net=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.text=ALL-UNNAMED",
    "--add-opens=java.base/java.time=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
]


def resource_params(
    java: str, home: FlinkHome, conf_dir: Path, cmd: str
) -> tuple[list[str], list[str]]:
    """JVM memory flags and ``-D`` options Flink computes from config.yaml (BashJavaUtils)."""
    utils = home.bash_utils_jar()
    if utils is None:
        raise LocalClusterError(
            f"{home.path}/bin/bash-java-utils.jar is missing: not a complete Flink distribution"
        )
    cp = os.pathsep.join([str(utils), home.classpath()])
    try:
        out = subprocess.run(
            [java, "-cp", cp, BASH_UTILS_CLASS, cmd, "--configDir", str(conf_dir)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LocalClusterError(f"Flink's memory calculation failed: {exc}") from exc
    results = [
        line[len(_RESULT_PREFIX) :]
        for line in out.stdout.splitlines()
        if line.startswith(_RESULT_PREFIX)
    ]
    if out.returncode != 0 or len(results) < 2:
        tail = "\n".join((out.stdout + out.stderr).strip().splitlines()[-5:])
        raise LocalClusterError(f"Flink's memory calculation ({cmd}) failed:\n{tail}")
    return results[0].split(), results[1].split()


def flink_env(home: FlinkHome, conf_dir: Path, log_dir: Path) -> dict[str, str]:
    """This process's environment plus the ``FLINK_*`` variables Flink's scripts set."""
    env = dict(os.environ)
    env["FLINK_CONF_DIR"] = str(conf_dir)
    env["FLINK_HOME"] = str(home.path)
    env["FLINK_LIB_DIR"] = str(home.lib)
    env["FLINK_OPT_DIR"] = str(home.path / "opt")
    env["FLINK_PLUGINS_DIR"] = str(home.path / "plugins")
    env["FLINK_LOG_DIR"] = str(log_dir)
    return env


def jvm_command(
    java: str,
    home: FlinkHome,
    main_class: str,
    jvm_args: list[str],
    dynamic: list[str],
    *,
    conf_dir: Path,
    log_file: Path,
) -> list[str]:
    """The java command line of a JobManager or TaskManager logging to ``log_file``."""
    log4j = conf_dir / "log4j.properties"
    return [
        java,
        *jvm_args,
        *JAVA_OPENS,
        f"-Dlog.file={log_file}",
        f"-Dlog4j.configuration=file:{log4j}",
        f"-Dlog4j.configurationFile=file:{log4j}",
        "-cp",
        home.classpath(),
        main_class,
        "--configDir",
        str(conf_dir),
        *dynamic,
    ]


def start_detached(
    cmd: list[str], *, env: dict[str, str], out_file: Path, cwd: Path, role: str
) -> int:
    """Start ``cmd`` in its own session, stdout and stderr appended to ``out_file``; its PID."""
    with open(out_file, "ab") as out:
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=cwd,
                start_new_session=True,
            )
        except OSError as exc:
            raise LocalClusterError(f"cannot start the {role}: {exc}") from exc
    return proc.pid


def alive(pid: int) -> bool:
    """True if ``pid`` runs (reaps it first when it is our exited child)."""
    with contextlib.suppress(ChildProcessError, OSError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return pid_alive(pid)


def is_ours(pid: int, conf_dir: Path) -> bool:
    """The PID still runs a JVM of this cluster (guards against PID reuse)."""
    if not alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():  # no /proc (macOS): trust the record
        return True
    try:
        args = cmdline.read_bytes().decode(errors="replace")
    except OSError:
        return False
    return str(conf_dir) in args


def stop_pids(pids: list[int], *, timeout: float) -> None:
    """SIGTERM each PID, SIGKILL those still alive after ``timeout``; wait (5s more) for them."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in pids:
        if alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    while any(alive(p) for p in pids) and time.monotonic() < deadline + 5:
        time.sleep(0.1)
