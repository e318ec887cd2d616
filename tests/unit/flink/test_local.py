"""Local cluster helpers that need no JVM: Java version, Flink home, config, cluster dir."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from flinkops.cli import main
from flinkops.cli.local import _entries
from flinkops.errors import LocalClusterError
from flinkops.flink.local import (
    LocalCluster,
    cluster_config,
    default_cluster_dir,
    find_flink_home,
    find_java,
    flink_version_of,
    parse_java_major,
)


@pytest.mark.parametrize(
    ("text", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('java version "1.8.0_392"', 8),
        ('openjdk version "11" 2018-09-25', 11),
        ('openjdk version "21-ea"', 21),
        ("nonsense", None),
    ],
)
def test_parse_java_major(text: str, major: int | None) -> None:
    assert parse_java_major(text) == major


def _fake_home(tmp_path: Path, jar: str) -> Path:
    (tmp_path / "lib").mkdir(parents=True)
    (tmp_path / "lib" / jar).write_bytes(b"")
    return tmp_path


def test_flink_home_from_argument_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = _fake_home(tmp_path / "f120", "flink-dist-1.20.1.jar")
    assert find_flink_home(home).version == "1.20.1"
    monkeypatch.setenv("FLINK_HOME", str(home))
    assert find_flink_home().major == 1
    assert flink_version_of(_fake_home(tmp_path / "old", "flink-dist_2.12-1.14.6.jar")) == "1.14.6"


def test_flink_home_that_is_not_flink(tmp_path: Path) -> None:
    with pytest.raises(LocalClusterError, match=r"not a Flink distribution.*--flink-home"):
        find_flink_home(tmp_path)


def test_config_uses_the_right_keys_per_version(tmp_path: Path) -> None:
    two = cluster_config(tmp_path, port=9000, rpc_port=9001, slots=2, version="2.3.0")
    assert two["rest.port"] == "9000" and two["jobmanager.rpc.port"] == "9001"
    assert two["execution.checkpointing.dir"] == (tmp_path / "checkpoints").as_uri()
    assert two["execution.checkpointing.savepoint-dir"] == (tmp_path / "savepoints").as_uri()
    assert two["execution.checkpointing.externalized-checkpoint-retention"] == (
        "RETAIN_ON_CANCELLATION"
    )
    assert "state.savepoints.dir" not in two
    one = cluster_config(tmp_path, port=9000, rpc_port=9001, slots=2, version="1.20.1")
    assert one["state.savepoints.dir"] == one["execution.checkpointing.savepoint-dir"]
    assert one["state.checkpoints.dir"] == one["execution.checkpointing.dir"]
    assert "jobmanager.scheduler" not in two


def test_adaptive_scheduler_option(tmp_path: Path) -> None:
    conf = cluster_config(
        tmp_path, port=9000, rpc_port=9001, slots=2, version="2.3.0", adaptive_scheduler=True
    )
    assert conf["jobmanager.scheduler"] == "adaptive"
    assert conf["jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling"] == "1s"


def test_default_cluster_dir(tmp_path: Path) -> None:
    (tmp_path / "flinkops.yaml").write_text("x: 1\n")
    sub = tmp_path / "jobs" / "deep"
    sub.mkdir(parents=True)
    assert default_cluster_dir(sub) == tmp_path.resolve() / ".flinkops" / "local"
    bare = tmp_path.parent / (tmp_path.name + "-bare")
    bare.mkdir()
    assert default_cluster_dir(bare) == bare.resolve() / ".flinkops" / "local"


def test_status_and_down_without_a_cluster(tmp_path: Path) -> None:
    cluster = LocalCluster(tmp_path)
    assert cluster.status() is None
    assert cluster.down() == []
    (tmp_path / "cluster.json").write_text(
        '{"url": "http://localhost:1", "pids": {"jobmanager": 999999}}'
    )
    assert cluster.status() is None  # a dead PID is not a cluster


def test_no_java_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr("flinkops.flink.local._home.shutil.which", lambda _name: None)
    with pytest.raises(LocalClusterError, match=r"java not found.*Java 11 or newer.*install a JDK"):
        find_java()


def test_old_java_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    java = tmp_path / "bin" / "java"
    java.parent.mkdir()
    java.write_text("#!/bin/sh\necho 'java version \"1.8.0_392\"' >&2\n")
    java.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(LocalClusterError, match=r"is Java 8; Flink needs Java 11 or newer"):
        find_java()


def test_up_waits_for_the_taskmanagers_slots_not_only_its_registration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Flink lists a TaskManager a moment before its slots: ready means the slots are in."""
    answers = iter(
        [
            None,  # the REST API is not up yet
            {"taskmanagers": 0, "slots-total": 0},
            {"taskmanagers": 1, "slots-total": 0},  # registered, slot report not in yet
            {"taskmanagers": 1, "slots-total": 4},
        ]
    )
    asked: list[str] = []
    monkeypatch.setattr(
        "flinkops.flink.local._cluster.get_json", lambda url, timeout: next(answers)
    )
    monkeypatch.setattr("flinkops.flink.local._cluster.alive", lambda pid: True)
    monkeypatch.setattr("flinkops.flink.local._cluster.time.sleep", lambda s: None)
    LocalCluster(tmp_path)._wait_ready("http://localhost:1", {"jobmanager": 1}, 4, 5, asked.append)
    assert asked == [
        "waiting for the REST API at http://localhost:1",
        "waiting for the TaskManager to register",
        "waiting for the TaskManager's slots",
    ]
    assert next(answers, "all read") == "all read"


def test_local_up_conf_entries_must_be_key_value() -> None:
    """`local up -D` takes KEY=VALUE; anything else is a usage error before any JVM."""
    assert _entries(("heartbeat.interval = 1000", "a=b=c")) == {
        "heartbeat.interval": "1000",
        "a": "b=c",
    }
    result = CliRunner().invoke(main, ["local", "up", "-D", "heartbeat.interval"])
    assert result.exit_code == 2
    assert "'heartbeat.interval' is not KEY=VALUE" in result.output
