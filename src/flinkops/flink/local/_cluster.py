"""A local cluster's lifecycle: up, status, down, over the PIDs recorded in cluster.json."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flinkops.errors import LocalClusterError
from flinkops.flink.local._config import cluster_config, prometheus_ports, write_config
from flinkops.flink.local._home import FlinkHome, find_flink_home, find_java
from flinkops.flink.local._net import ensure_port_free, free_port, get_json
from flinkops.flink.local._process import (
    JM_CLASS,
    TM_CLASS,
    alive,
    flink_env,
    is_ours,
    jvm_command,
    resource_params,
    start_detached,
    stop_pids,
)

__all__ = ["ClusterInfo", "LocalCluster", "Progress", "default_cluster_dir"]

_STATE_FILE = "cluster.json"

Progress = Callable[[str], None]


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


def default_cluster_dir(cwd: Path | None = None) -> Path:
    """The cluster dir: ``<project>/.flinkops/local``, else ``./.flinkops/local``.

    ``<project>`` is the nearest directory upward from ``cwd`` holding a flinkops.yaml.
    """
    start = (cwd or Path.cwd()).resolve()
    for d in [start, *start.parents]:
        if (d / "flinkops.yaml").is_file():
            return d / ".flinkops" / "local"
    return start / ".flinkops" / "local"


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
            if is_ours(int(pid), self.conf_dir)
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
        overview = get_json(f"{info.url}/overview", timeout=timeout)
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
        conf: Mapping[str, str] | None = None,
    ) -> ClusterInfo:
        """Start the cluster and wait until a TaskManager has registered its slots.

        ``prometheus``: turn on Flink's Prometheus reporter (the metrics-prometheus
        plugin), the JobManager and the TaskManager each on a free port; their scrape
        URLs are in ``ClusterInfo.prometheus``. ``adaptive_scheduler`` runs Flink's
        adaptive scheduler (``ADAPTIVE_SCHEDULER``), which rescales running jobs in place.
        ``conf``: Flink configuration entries written over the defaults (as ``-D`` would).

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
        ensure_port_free(port)
        config = cluster_config(
            self.dir,
            port=port,
            rpc_port=free_port(),
            slots=slots,
            version=home.version,
            adaptive_scheduler=adaptive_scheduler,
            prometheus=prometheus,
        )
        write_config(self.dir, {**config, **(conf or {})})
        say(f"starting Flink {home.version} from {home.path}")
        self._start(
            java, home, port=port, slots=slots, prometheus=prometheus, timeout=timeout, say=say
        )
        info = self.status()
        if info is None:
            raise LocalClusterError(f"the cluster in {self.dir} stopped right after starting")
        return info

    def _start(
        self,
        java: str,
        home: FlinkHome,
        *,
        port: int,
        slots: int,
        prometheus: bool,
        timeout: float,
        say: Progress,
    ) -> None:
        """Start the JobManager, then the TaskManager, recording each PID; wait until ready.

        Stops what it started when anything fails (or is interrupted).
        """
        url = f"http://localhost:{port}"
        jm_jvm, jm_dyn = resource_params(java, home, self.conf_dir, "GET_JM_RESOURCE_PARAMS")
        tm_jvm, tm_dyn = resource_params(java, home, self.conf_dir, "GET_TM_RESOURCE_PARAMS")
        pids: dict[str, int] = {}
        scrape = prometheus_ports(jm_dyn, tm_dyn) if prometheus else {}
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
            self._wait_ready(url, pids, slots, timeout, say)
        except BaseException:
            self._stop_recorded()
            raise

    def _spawn(
        self,
        java: str,
        home: FlinkHome,
        role: str,
        main_class: str,
        jvm_args: list[str],
        dynamic: list[str],
    ) -> int:
        """Start the ``role`` JVM of this cluster, logging under ``log/``; its PID."""
        logs = self.log_paths()
        cmd = jvm_command(
            java, home, main_class, jvm_args, dynamic, conf_dir=self.conf_dir, log_file=logs[role]
        )
        return start_detached(
            cmd,
            env=flink_env(home, self.conf_dir, self.log_dir),
            out_file=logs[f"{role}.out"],
            cwd=self.dir,
            role=role,
        )

    def _wait_ready(
        self, url: str, pids: dict[str, int], slots: int, timeout: float, say: Progress
    ) -> None:
        """Until the REST API answers with a TaskManager and all its ``slots`` registered."""
        deadline = time.monotonic() + timeout
        said = ""
        while True:
            for role, pid in pids.items():
                if not alive(pid):
                    raise LocalClusterError(
                        f"the {role} (pid {pid}) exited while starting; "
                        f"see {self.log_paths()[role]}:\n{self._log_tail(role)}"
                    )
            overview = get_json(f"{url}/overview", timeout=2.0)
            if overview is None:
                msg = f"waiting for the REST API at {url}"
            elif int(overview.get("taskmanagers", 0)) < 1:
                msg = "waiting for the TaskManager to register"
            elif int(overview.get("slots-total", 0)) < slots:
                # the TaskManager registers first and reports its slots a moment later
                msg = "waiting for the TaskManager's slots"
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
        stop_pids(pids, timeout=timeout)
        with contextlib.suppress(OSError):
            self.state_file.unlink()
        return pids
