"""A Flink session cluster on this machine: one JobManager and one TaskManager.

The JVMs start straight from the jars of a Flink distribution: the installed
``apache-flink-libraries`` package (``pip install 'flinkops[local]'``), or a
directory given as ``flink_home`` / ``$FLINK_HOME``. flinkops writes the cluster's
own ``conf/config.yaml`` under the cluster dir (REST port, slots, memory for a
small machine, checkpoint and savepoint directories, retained checkpoints for
last-state upgrades, every other port free) and records the PIDs it started in
``cluster.json``. ``down()`` stops exactly those PIDs.

Layout of a cluster dir::

    cluster.json        url, port, version, pids, flink home
    conf/               config.yaml, log4j.properties
    log/                jobmanager.log, taskmanager.log, *.out
    checkpoints/        execution.checkpointing.dir
    savepoints/         execution.checkpointing.savepoint-dir
    uploads/ tmp/       web.upload.dir, io.tmp.dirs
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flinkops.errors import LocalClusterError

__all__ = [
    "ClusterInfo",
    "FlinkHome",
    "LocalCluster",
    "default_cluster_dir",
    "find_flink_home",
    "find_java",
    "free_port",
]

JM_CLASS = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint"
TM_CLASS = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner"
BASH_UTILS_CLASS = "org.apache.flink.runtime.util.bash.BashJavaUtils"
_RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:"
_STATE_FILE = "cluster.json"
INSTALL_HINT = "install Flink's jars with `pip install 'flinkops[local]'` or pass --flink-home"

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

LOG4J_PROPERTIES = """\
# Written by flinkops: one log file per process, rolled at 20 MB.
monitorInterval=30
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
logger.pekko.name = org.apache.pekko
logger.pekko.level = WARN
logger.akka.name = akka
logger.akka.level = WARN
logger.kafka.name = org.apache.kafka
logger.kafka.level = WARN
logger.netty.name = org.jboss.netty.channel.DefaultChannelPipeline
logger.netty.level = OFF
appender.main.name = MainAppender
appender.main.type = RollingFile
appender.main.append = true
appender.main.fileName = ${sys:log.file}
appender.main.filePattern = ${sys:log.file}.%i
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
appender.main.policies.type = Policies
appender.main.policies.size.type = SizeBasedTriggeringPolicy
appender.main.policies.size.size = 20MB
appender.main.strategy.type = DefaultRolloverStrategy
appender.main.strategy.max = 3
"""

Progress = Callable[[str], None]

# Flink's Prometheus reporter (plugins/metrics-prometheus), for `local up --prometheus`.
PROM_REPORTER = "metrics.reporter.prom"
PROM_FACTORY = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory"


@dataclass(frozen=True)
class ClusterInfo:
    """A running local cluster as ``up()`` and ``status()`` report it."""

    url: str
    version: str
    slots: int
    pids: dict[str, int]
    dir: Path
    logs: dict[str, Path] = field(default_factory=dict)
    slots_available: int | None = None
    taskmanagers: int | None = None
    prometheus: dict[str, str] = field(default_factory=dict)  # role -> scrape URL

    def to_json(self) -> dict[str, Any]:
        return {
            "running": True,
            "url": self.url,
            "version": self.version,
            "slots": self.slots,
            "slots_available": self.slots_available,
            "taskmanagers": self.taskmanagers,
            "pids": dict(self.pids),
            "dir": str(self.dir),
            "logs": {k: str(v) for k, v in self.logs.items()},
            "prometheus": dict(self.prometheus),
        }


@dataclass(frozen=True)
class FlinkHome:
    """A Flink distribution's directory with its ``lib/`` jars and version."""

    path: Path
    version: str

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    @property
    def lib(self) -> Path:
        return self.path / "lib"

    def classpath(self) -> str:
        """``lib/*.jar`` in name order with flink-dist last, as Flink's scripts do."""
        jars = sorted(p for p in self.lib.glob("*.jar") if not p.name.startswith("flink-dist"))
        dist = sorted(self.lib.glob("flink-dist*.jar"))
        return os.pathsep.join(str(p) for p in [*jars, *dist])

    def bash_utils_jar(self) -> Path | None:
        jar = self.path / "bin" / "bash-java-utils.jar"
        return jar if jar.is_file() else None


def find_java() -> tuple[str, int]:
    """Return (path to java, major version); LocalClusterError if absent or older than 11."""
    java_home = os.environ.get("JAVA_HOME")
    candidate = None
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        candidate = str(Path(java_home) / "bin" / "java")
    candidate = candidate or shutil.which("java")
    if not candidate:
        raise LocalClusterError(
            "java not found: the local Flink cluster needs Java 11 or newer (17 recommended); "
            "install a JDK (e.g. `apt-get install openjdk-17-jdk-headless`) or set JAVA_HOME"
        )
    try:
        out = subprocess.run(
            [candidate, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LocalClusterError(f"cannot run {candidate} -version: {exc}") from exc
    major = parse_java_major(out.stderr + out.stdout)
    if major is None:
        raise LocalClusterError(
            f"cannot tell the Java version of {candidate}: {out.stderr.strip()}"
        )
    if major < 11:
        raise LocalClusterError(
            f"{candidate} is Java {major}; Flink needs Java 11 or newer (17 recommended): "
            "install a newer JDK (e.g. `apt-get install openjdk-17-jdk-headless`) or set JAVA_HOME"
        )
    return candidate, major


def parse_java_major(text: str) -> int | None:
    """The major version from `java -version` output ("1.8.0_392" -> 8, "17.0.15" -> 17)."""
    m = re.search(r'version "(\d+)(?:\.(\d+))?', text)
    if not m:
        return None
    first = int(m.group(1))
    if first == 1 and m.group(2):
        return int(m.group(2))
    return first


def _pyflink_dir() -> Path | None:
    try:
        import pyflink  # type: ignore[import-not-found]
    except ImportError:
        return None
    for entry in getattr(pyflink, "__path__", []):
        if (Path(entry) / "lib").is_dir():
            return Path(entry)
    return None


def flink_version_of(path: Path) -> str | None:
    """The version of the Flink distribution at ``path`` from its flink-dist jar name."""
    for jar in sorted((path / "lib").glob("flink-dist*.jar")):
        m = re.match(r"flink-dist(?:_[\d.]+)?-(\d+\.\d+(?:\.\d+)?.*)\.jar$", jar.name)
        if m:
            return m.group(1)
    return None


def find_flink_home(flink_home: Path | str | None = None) -> FlinkHome:
    """``flink_home`` if given, else ``$FLINK_HOME``, else the installed pyflink jars."""
    if flink_home:
        source, path = "--flink-home", Path(flink_home)
    elif os.environ.get("FLINK_HOME"):
        source, path = "FLINK_HOME", Path(os.environ["FLINK_HOME"])
    else:
        found = _pyflink_dir()
        if found is None:
            raise LocalClusterError(f"no Flink distribution found: {INSTALL_HINT}")
        source, path = "apache-flink-libraries", found
    version = flink_version_of(path)
    if version is None:
        raise LocalClusterError(
            f"{path} (from {source}) is not a Flink distribution: no lib/flink-dist-*.jar; "
            + INSTALL_HINT
        )
    return FlinkHome(path=path.resolve(), version=version)


def free_port() -> int:
    """A TCP port free on localhost right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def default_cluster_dir(cwd: Path | None = None) -> Path:
    """The cluster dir: ``<project>/.flinkops/local``, else ``./.flinkops/local``.

    ``<project>`` is the nearest directory upward from ``cwd`` holding a flinkops.yaml.
    """
    start = (cwd or Path.cwd()).resolve()
    for d in [start, *start.parents]:
        if (d / "flinkops.yaml").is_file():
            return d / ".flinkops" / "local"
    return start / ".flinkops" / "local"


#: ``jobmanager.scheduler: adaptive`` and short waits, so a parallelism change through
#: ``PUT /jobs/:id/resource-requirements`` rescales a running job within seconds (at
#: its next checkpoint, when it checkpoints).
ADAPTIVE_SCHEDULER = {
    "jobmanager.scheduler": "adaptive",
    "jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling": "1s",
    "jobmanager.adaptive-scheduler.executing.resource-stabilization-timeout": "1s",
}


def cluster_config(
    d: Path,
    *,
    port: int,
    rpc_port: int,
    slots: int,
    version: str,
    adaptive_scheduler: bool = False,
) -> dict[str, str]:
    """The config.yaml entries of a local cluster (flat keys; Flink 1.20 and 2.x)."""
    conf = {
        "jobmanager.rpc.address": "localhost",
        "jobmanager.rpc.port": str(rpc_port),
        "jobmanager.bind-host": "localhost",
        "taskmanager.bind-host": "localhost",
        "taskmanager.host": "localhost",
        "rest.address": "localhost",
        "rest.bind-address": "localhost",
        "rest.port": str(port),
        # 2 cores / 24 GiB: small JVMs, two clusters fit side by side.
        "jobmanager.memory.process.size": "1024m",
        "taskmanager.memory.process.size": "1728m",
        "taskmanager.numberOfTaskSlots": str(slots),
        "parallelism.default": "1",
        # Random ports for everything but REST, so clusters coexist.
        "blob.server.port": "0",
        "taskmanager.rpc.port": "0",
        "taskmanager.data.port": "0",
        "metrics.internal.query-service.port": "0",
        "execution.checkpointing.dir": (d / "checkpoints").as_uri(),
        "execution.checkpointing.savepoint-dir": (d / "savepoints").as_uri(),
        "execution.checkpointing.externalized-checkpoint-retention": "RETAIN_ON_CANCELLATION",
        "web.upload.dir": str(d / "uploads"),
        "io.tmp.dirs": str(d / "tmp"),
    }
    if int(version.split(".")[0]) < 2:
        # 1.x names (1.20 still reads them; older releases only know these).
        conf["state.checkpoints.dir"] = conf["execution.checkpointing.dir"]
        conf["state.savepoints.dir"] = conf["execution.checkpointing.savepoint-dir"]
    if adaptive_scheduler:
        conf.update(ADAPTIVE_SCHEDULER)
    return conf


def _prometheus_ports(jm_dynamic: list[str], tm_dynamic: list[str]) -> dict[str, str]:
    """A free reporter port for each JVM (added to its ``-D`` options); role -> scrape URL."""
    scrape = {}
    for role, dynamic in (("jobmanager", jm_dynamic), ("taskmanager", tm_dynamic)):
        port = free_port()
        dynamic += ["-D", f"{PROM_REPORTER}.port={port}"]
        scrape[role] = f"http://localhost:{port}/metrics"
    return scrape


def _yaml_line(key: str, value: str) -> str:
    return f"{key}: {json.dumps(value)}"


def _alive(pid: int) -> bool:
    """True if ``pid`` runs (reaps it first when it is our exited child)."""
    with contextlib.suppress(ChildProcessError, OSError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        with contextlib.suppress(OSError):
            if stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return False
    return True


def _is_ours(pid: int, conf_dir: Path) -> bool:
    """The PID still runs a JVM of this cluster (guards against PID reuse)."""
    if not _alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():  # no /proc (macOS): trust the record
        return True
    try:
        args = cmdline.read_bytes().decode(errors="replace")
    except OSError:
        return False
    return str(conf_dir) in args


class LocalCluster:
    """A local Flink session cluster whose files live in ``dir``."""

    def __init__(self, dir: Path) -> None:
        self.dir = Path(dir).resolve()

    # paths ----------------------------------------------------------------
    @property
    def conf_dir(self) -> Path:
        return self.dir / "conf"

    @property
    def log_dir(self) -> Path:
        return self.dir / "log"

    @property
    def state_file(self) -> Path:
        return self.dir / _STATE_FILE

    def log_paths(self) -> dict[str, Path]:
        """The log files of the JobManager and TaskManager (and their stdout/stderr)."""
        return {
            "jobmanager": self.log_dir / "jobmanager.log",
            "jobmanager.out": self.log_dir / "jobmanager.out",
            "taskmanager": self.log_dir / "taskmanager.log",
            "taskmanager.out": self.log_dir / "taskmanager.out",
        }

    # state ----------------------------------------------------------------
    def _read_state(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None

    def _write_state(self, state: dict[str, Any]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.state_file)

    def _live_pids(self, state: dict[str, Any]) -> dict[str, int]:
        return {
            role: int(pid)
            for role, pid in state.get("pids", {}).items()
            if _is_ours(int(pid), self.conf_dir)
        }

    def status(self, *, timeout: float = 5.0) -> ClusterInfo | None:
        """The running cluster recorded in ``dir``, or None if none runs there."""
        state = self._read_state()
        if not state:
            return None
        pids = self._live_pids(state)
        if "jobmanager" not in pids:
            return None
        info = ClusterInfo(
            url=state["url"],
            version=state.get("version", ""),
            slots=int(state.get("slots", 0)),
            pids=pids,
            dir=self.dir,
            logs=self.log_paths(),
            prometheus=dict(state.get("prometheus") or {}),
        )
        overview = _get_json(f"{info.url}/overview", timeout=timeout)
        if overview is None:
            return info
        return ClusterInfo(
            url=info.url,
            version=str(overview.get("flink-version") or info.version),
            slots=int(overview.get("slots-total", info.slots)),
            pids=pids,
            dir=self.dir,
            logs=info.logs,
            slots_available=overview.get("slots-available"),
            taskmanagers=overview.get("taskmanagers"),
            prometheus=info.prometheus,
        )

    # up -------------------------------------------------------------------
    def up(
        self,
        port: int = 8081,
        slots: int = 4,
        flink_home: Path | str | None = None,
        timeout: float = 90.0,
        on_progress: Progress | None = None,
        prometheus: bool = False,
        adaptive_scheduler: bool = False,
    ) -> ClusterInfo:
        """Start the cluster and wait until a TaskManager has registered.

        ``prometheus``: turn on Flink's Prometheus reporter (the metrics-prometheus
        plugin), the JobManager and the TaskManager each on a free port; their scrape
        URLs are in ``ClusterInfo.prometheus``. ``adaptive_scheduler`` runs Flink's
        adaptive scheduler (``ADAPTIVE_SCHEDULER``), which rescales running jobs in place.

        Idempotent: a cluster already running in ``dir`` is reported as it is
        (its port and slots win over the arguments). Raises LocalClusterError
        (after stopping what it started) when the JVMs fail or time out.
        """
        say = on_progress or (lambda _msg: None)
        running = self.status()
        if running is not None:
            say(f"a cluster already runs from {self.dir}")
            return running
        self._stop_recorded()  # half-dead leftovers from an earlier run
        java, _ = find_java()
        home = find_flink_home(flink_home)
        if _port_in_use(port):
            raise LocalClusterError(
                f"port {port} is in use on localhost; pass another with --port "
                "(or stop what listens there)"
            )
        for sub in ("conf", "log", "checkpoints", "savepoints", "uploads", "tmp"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        conf = cluster_config(
            self.dir,
            port=port,
            rpc_port=free_port(),
            slots=slots,
            version=home.version,
            adaptive_scheduler=adaptive_scheduler,
        )
        if prometheus:
            conf[f"{PROM_REPORTER}.factory.class"] = PROM_FACTORY
        (self.conf_dir / "config.yaml").write_text(
            "# Written by flinkops local up; rewritten on every start.\n"
            + "\n".join(_yaml_line(k, v) for k, v in conf.items())
            + "\n"
        )
        (self.conf_dir / "log4j.properties").write_text(LOG4J_PROPERTIES)
        url = f"http://localhost:{port}"
        say(f"starting Flink {home.version} from {home.path}")
        jm_jvm, jm_dyn = self._resource_params(java, home, "GET_JM_RESOURCE_PARAMS")
        tm_jvm, tm_dyn = self._resource_params(java, home, "GET_TM_RESOURCE_PARAMS")
        pids: dict[str, int] = {}
        scrape = _prometheus_ports(jm_dyn, tm_dyn) if prometheus else {}
        state = {
            "url": url,
            "port": port,
            "slots": slots,
            "version": home.version,
            "flink_home": str(home.path),
            "pids": pids,
            "prometheus": scrape,
            "started_at": time.time(),
        }
        try:
            pids["jobmanager"] = self._spawn(java, home, "jobmanager", JM_CLASS, jm_jvm, jm_dyn)
            self._write_state(state)
            pids["taskmanager"] = self._spawn(java, home, "taskmanager", TM_CLASS, tm_jvm, tm_dyn)
            self._write_state(state)
            self._wait_ready(url, pids, timeout, say)
        except BaseException:
            self._stop_recorded()
            raise
        info = self.status()
        if info is None:
            raise LocalClusterError(f"the cluster in {self.dir} stopped right after starting")
        return info

    def _resource_params(self, java: str, home: FlinkHome, cmd: str) -> tuple[list[str], list[str]]:
        """JVM memory flags and ``-D`` options Flink computes from config.yaml (BashJavaUtils)."""
        utils = home.bash_utils_jar()
        if utils is None:
            raise LocalClusterError(
                f"{home.path}/bin/bash-java-utils.jar is missing: not a complete Flink distribution"
            )
        cp = os.pathsep.join([str(utils), home.classpath()])
        try:
            out = subprocess.run(
                [java, "-cp", cp, BASH_UTILS_CLASS, cmd, "--configDir", str(self.conf_dir)],
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

    def _spawn(
        self,
        java: str,
        home: FlinkHome,
        role: str,
        main_class: str,
        jvm_args: list[str],
        dynamic: list[str],
    ) -> int:
        logs = self.log_paths()
        env = dict(os.environ)
        env["FLINK_CONF_DIR"] = str(self.conf_dir)
        env["FLINK_HOME"] = str(home.path)
        env["FLINK_LIB_DIR"] = str(home.lib)
        env["FLINK_OPT_DIR"] = str(home.path / "opt")
        env["FLINK_PLUGINS_DIR"] = str(home.path / "plugins")
        env["FLINK_LOG_DIR"] = str(self.log_dir)
        cmd = [
            java,
            *jvm_args,
            *JAVA_OPENS,
            f"-Dlog.file={logs[role]}",
            f"-Dlog4j.configuration=file:{self.conf_dir / 'log4j.properties'}",
            f"-Dlog4j.configurationFile=file:{self.conf_dir / 'log4j.properties'}",
            "-cp",
            home.classpath(),
            main_class,
            "--configDir",
            str(self.conf_dir),
            *dynamic,
        ]
        with open(logs[f"{role}.out"], "ab") as out:
            try:
                proc = subprocess.Popen(
                    cmd,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=self.dir,
                    start_new_session=True,
                )
            except OSError as exc:
                raise LocalClusterError(f"cannot start the {role}: {exc}") from exc
        return proc.pid

    def _wait_ready(self, url: str, pids: dict[str, int], timeout: float, say: Progress) -> None:
        deadline = time.monotonic() + timeout
        said = ""
        while True:
            for role, pid in pids.items():
                if not _alive(pid):
                    raise LocalClusterError(
                        f"the {role} (pid {pid}) exited while starting; "
                        f"see {self.log_paths()[role]}:\n{self._log_tail(role)}"
                    )
            overview = _get_json(f"{url}/overview", timeout=2.0)
            if overview is None:
                msg = f"waiting for the REST API at {url}"
            elif int(overview.get("taskmanagers", 0)) < 1:
                msg = "waiting for the TaskManager to register"
            else:
                return
            if msg != said:
                say(msg)
                said = msg
            if time.monotonic() > deadline:
                raise LocalClusterError(
                    f"the cluster did not become ready within {timeout:.0f}s ({msg}); "
                    f"see {self.log_dir}:\n{self._log_tail('jobmanager')}"
                )
            time.sleep(0.3)

    def _log_tail(self, role: str, lines: int = 8) -> str:
        text = ""
        for key in (role, f"{role}.out"):
            with contextlib.suppress(OSError):
                text += self.log_paths()[key].read_text(errors="replace")
        errors = [ln for ln in text.splitlines() if "ERROR" in ln or "Exception" in ln]
        return "\n".join((errors or text.splitlines())[-lines:])

    # down -----------------------------------------------------------------
    def down(self, *, timeout: float = 15.0) -> list[int]:
        """Stop the recorded JVMs (SIGTERM, then SIGKILL after ``timeout``); the PIDs stopped."""
        return self._stop_recorded(timeout=timeout)

    def _stop_recorded(self, *, timeout: float = 15.0) -> list[int]:
        state = self._read_state()
        if not state:
            return []
        pids = list(self._live_pids(state).values())
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while any(_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in pids:
            if _alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        while any(_alive(p) for p in pids) and time.monotonic() < deadline + 5:
            time.sleep(0.1)
        with contextlib.suppress(OSError):
            self.state_file.unlink()
        return pids


def _get_json(url: str, *, timeout: float) -> dict[str, Any] | None:
    import httpx  # here, so `flinkops local down` and --help do not load it

    try:
        r = httpx.get(url, timeout=timeout)
        if r.status_code != 200:
            return None
        data = r.json()
    except (httpx.HTTPError, ValueError):
        return None
    return data if isinstance(data, dict) else None
