"""A Flink session cluster on this machine: one JobManager and one TaskManager.
Part of flink/: may import errors and _procs, nothing else of flinkops.

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

The pieces: ``_home`` finds Java and the Flink distribution, ``_config`` writes the
cluster's configuration, ``_process`` starts and stops its JVMs by PID, ``_net``
picks ports and probes the REST API, and ``_cluster`` (``LocalCluster``) runs
``up`` / ``status`` / ``down`` over them.
"""

from __future__ import annotations

from flinkops.flink.local._cluster import (
    ClusterInfo,
    LocalCluster,
    Progress,
    default_cluster_dir,
)
from flinkops.flink.local._config import ADAPTIVE_SCHEDULER, cluster_config
from flinkops.flink.local._home import (
    INSTALL_HINT,
    FlinkHome,
    find_flink_home,
    find_java,
    flink_version_of,
    parse_java_major,
)
from flinkops.flink.local._net import free_port

__all__ = [
    "ADAPTIVE_SCHEDULER",
    "INSTALL_HINT",
    "ClusterInfo",
    "FlinkHome",
    "LocalCluster",
    "Progress",
    "cluster_config",
    "default_cluster_dir",
    "find_flink_home",
    "find_java",
    "flink_version_of",
    "free_port",
    "parse_java_major",
]
