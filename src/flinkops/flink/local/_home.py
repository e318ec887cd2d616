"""Finding what a local cluster runs on: a Java 11+ and a Flink distribution's jars."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from flinkops.errors import LocalClusterError

__all__ = [
    "INSTALL_HINT",
    "FlinkHome",
    "find_flink_home",
    "find_java",
    "flink_version_of",
    "parse_java_major",
]

INSTALL_HINT = "install Flink's jars with `pip install 'flinkops[local]'` or pass --flink-home"


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
        import pyflink
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
