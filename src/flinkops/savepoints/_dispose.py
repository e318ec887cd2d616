"""Deleting one savepoint: through Flink, else the filesystem (file://), else a hook.

Flink's ``POST /savepoint-disposal`` discards the savepoint's state and metadata
where the cluster can reach it. A ``file://`` savepoint that is still there
afterwards (Flink unreachable, or a directory it left behind) is removed from the
local filesystem. Other schemes are left alone unless a cleanup command is
configured (``savepoints.cleanupCommand``, ``{path}`` replaced by the location).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

from flinkops.errors import FlinkError
from flinkops.flink.rest import FlinkClient
from flinkops.flink.snapshots import local_path

__all__ = ["Disposal", "dispose", "local_path", "size_of"]


@dataclass(frozen=True)
class Disposal:
    """How a deletion went: ``method`` is flink, filesystem, command or none."""

    deleted: bool
    method: str
    message: str


def size_of(location: str) -> int | None:
    """Bytes under a local savepoint directory; None when not local or gone."""
    path = local_path(location)
    if path is None or not path.exists():
        return None
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def dispose(
    client: FlinkClient | None, location: str, cleanup_command: list[str] | None = None
) -> Disposal:
    """Delete the savepoint at ``location``; never raises for a failed deletion."""
    notes: list[str] = []
    flink_done = False
    if client is not None:
        try:
            client.dispose_savepoint(location)
            flink_done = True
        except FlinkError as exc:
            notes.append(f"Flink could not dispose it: {exc}")
    path = local_path(location)
    if path is not None:
        if path.exists():
            try:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
            except OSError as exc:
                notes.append(f"cannot remove {path}: {exc.strerror or exc}")
                return Disposal(False, "filesystem", "; ".join(notes))
            method = "flink+filesystem" if flink_done else "filesystem"
            return Disposal(True, method, "; ".join(notes) or f"removed {path}")
        if flink_done:
            return Disposal(True, "flink", "disposed by Flink")
        return Disposal(True, "filesystem", "; ".join([*notes, "already gone"]))
    if flink_done:
        return Disposal(True, "flink", "disposed by Flink")
    if cleanup_command:
        return _run_command(cleanup_command, location, notes)
    notes.append("not a file:// path and no savepoints.cleanupCommand configured: left alone")
    return Disposal(False, "none", "; ".join(notes))


def _run_command(argv: list[str], location: str, notes: list[str]) -> Disposal:
    command = [part.replace("{path}", location) for part in argv]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        notes.append(f"cleanupCommand {argv[0]!r} failed to run: {exc}")
        return Disposal(False, "command", "; ".join(notes))
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        notes.append(f"cleanupCommand exited {done.returncode}: {tail[0]}")
        return Disposal(False, "command", "; ".join(notes))
    return Disposal(True, "command", "; ".join(notes) or f"{argv[0]} deleted it")
