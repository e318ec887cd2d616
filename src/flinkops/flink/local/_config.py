"""A local cluster's own Flink configuration: config.yaml, log4j.properties, reporter ports."""

from __future__ import annotations

import json
from pathlib import Path

from flinkops.flink.local._net import free_port

__all__ = [
    "ADAPTIVE_SCHEDULER",
    "LOG4J_PROPERTIES",
    "PROM_FACTORY",
    "PROM_REPORTER",
    "cluster_config",
    "prometheus_ports",
    "write_config",
]

#: The cluster dir's subdirectories, made before the config that names them is written.
SUBDIRS = ("conf", "log", "checkpoints", "savepoints", "uploads", "tmp")

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

# Flink's Prometheus reporter (plugins/metrics-prometheus), for `local up --prometheus`.
PROM_REPORTER = "metrics.reporter.prom"
PROM_FACTORY = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory"

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
    prometheus: bool = False,
) -> dict[str, str]:
    """The config.yaml entries of a local cluster (flat keys; Flink 1.20 and 2.x).

    ``prometheus`` turns on Flink's Prometheus reporter (its ports are ``-D`` options of
    each JVM, from ``prometheus_ports``).
    """
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
    if prometheus:
        conf[f"{PROM_REPORTER}.factory.class"] = PROM_FACTORY
    return conf


def prometheus_ports(jm_dynamic: list[str], tm_dynamic: list[str]) -> dict[str, str]:
    """A free reporter port for each JVM (added to its ``-D`` options); role -> scrape URL."""
    scrape = {}
    for role, dynamic in (("jobmanager", jm_dynamic), ("taskmanager", tm_dynamic)):
        port = free_port()
        dynamic += ["-D", f"{PROM_REPORTER}.port={port}"]
        scrape[role] = f"http://localhost:{port}/metrics"
    return scrape


def write_config(d: Path, conf: dict[str, str]) -> None:
    """Make the cluster dir ``d`` and write its ``conf/config.yaml`` and ``log4j.properties``."""
    for sub in SUBDIRS:
        (d / sub).mkdir(parents=True, exist_ok=True)
    (d / "conf" / "config.yaml").write_text(
        "# Written by flinkops local up; rewritten on every start.\n"
        + "\n".join(_yaml_line(k, v) for k, v in conf.items())
        + "\n"
    )
    (d / "conf" / "log4j.properties").write_text(LOG4J_PROPERTIES)


def _yaml_line(key: str, value: str) -> str:
    return f"{key}: {json.dumps(value)}"
