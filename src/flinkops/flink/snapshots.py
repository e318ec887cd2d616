"""Where a stopped job's state is: the snapshots (savepoints and retained checkpoints)
Flink left for its runs, each checked for its ``_metadata``.

``find_snapshot`` looks, for the given runs (job ids), in this order: paths already
known (a stop's savepoint in the journal, the store's newest savepoint), each run's
newest savepoint or checkpoint as the REST API reports it (``GET /jobs/:id/checkpoints``
``latest``, while the cluster still knows the run), its savepoints in the savepoint
directories (``savepoint-<first 6 characters of the id>-*``, Flink's naming), and its
retained checkpoints under the checkpoint directories (``<dir>/<job id>/chk-N``). The
newest snapshot whose ``_metadata`` is on disk wins (by that file's modification time).
Only ``file://`` (and plain absolute) locations are checked and listed; a remote one
(``s3://``, ``hdfs://``, ...) reported by Flink or the store is taken as it is and said
to be unchecked, and a remote directory is not listed (the search says so).

The step runner (``apply/step_runner.py``, a stop taken again after a fault) and the
plan's observation (``plan/observe.py``, a run that stopped or is gone) both call it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from flinkops.errors import FlinkError
from flinkops.flink.rest import FlinkClient

__all__ = [
    "CHECKPOINT_DIR_KEYS",
    "SAVEPOINT_DIR_KEYS",
    "Snapshot",
    "SnapshotSearch",
    "find_snapshot",
    "local_path",
    "snapshot_dirs",
]

SAVEPOINT_DIR_KEYS = ("execution.checkpointing.savepoint-dir", "state.savepoints.dir")
CHECKPOINT_DIR_KEYS = ("execution.checkpointing.dir", "state.checkpoints.dir")


def local_path(location: str) -> Path | None:
    """The local directory of a ``file:`` (or plain absolute path) location, else None."""
    parsed = urlparse(location)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme == "" and location.startswith("/"):
        return Path(location)
    return None


@dataclass(frozen=True)
class Snapshot:
    """A savepoint or retained checkpoint found for a run: where (``path``), what
    (``kind``), how it was found (``source``, for people) and its ``_metadata``'s
    modification time (None: a remote location, not checked)."""

    path: str
    kind: str  # "savepoint" or "checkpoint"
    source: str
    mtime: float | None = None

    @property
    def checked(self) -> bool:
        return self.mtime is not None


@dataclass(frozen=True)
class SnapshotSearch:
    """What ``find_snapshot`` found (None: nothing) and where it looked, one line each."""

    found: Snapshot | None
    looked: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return "; ".join(self.looked) or "nowhere"


def snapshot_dirs(*confs: Mapping[str, str] | None) -> tuple[list[str], list[str]]:
    """The savepoint and checkpoint directories the configurations name (a job's own
    first, then the cluster's), without repeats."""
    savepoints: list[str] = []
    checkpoints: list[str] = []
    for conf in confs:
        for keys, into in ((SAVEPOINT_DIR_KEYS, savepoints), (CHECKPOINT_DIR_KEYS, checkpoints)):
            for key in keys:
                value = (conf or {}).get(key)
                if value and value not in into:
                    into.append(str(value))
    return savepoints, checkpoints


def _kind(path: str) -> str:
    return "checkpoint" if "/chk-" in path.rstrip("/") else "savepoint"


def _metadata_time(location: str) -> float | bool | None:
    """The modification time of ``location``'s ``_metadata``; False when it is local and
    has none; None when it is remote (not checked)."""
    local = local_path(location)
    if local is None:
        return None
    meta = local if local.is_file() else local / "_metadata"
    try:
        return meta.stat().st_mtime
    except OSError:
        return False


def _candidate(path: str, source: str, looked: list[str]) -> Snapshot | None:
    when = _metadata_time(path)
    if when is False:
        looked.append(f"{source} {path}: no _metadata there")
        return None
    if when is None:
        looked.append(f"{source} {path}: remote, not checked")
        return Snapshot(path, _kind(path), source)
    return Snapshot(path, _kind(path), source, float(when))


def _from_flink(client: FlinkClient | None, job_id: str, looked: list[str]) -> Snapshot | None:
    """The run's newest savepoint or checkpoint as Flink reports it, while it knows the run."""
    if client is None:
        return None
    try:
        latest = client.checkpoints(job_id).latest.retained
    except FlinkError as exc:
        looked.append(f"job {job_id}'s checkpoints: not known to the cluster (HTTP {exc.status})")
        return None
    if latest is None or not latest.external_path:
        looked.append(f"job {job_id}'s checkpoints: none completed")
        return None
    return _candidate(latest.external_path, f"job {job_id}'s latest {_kind_of(latest)}", looked)


def _kind_of(ref: object) -> str:
    return "savepoint" if getattr(ref, "is_savepoint", False) else "checkpoint"


def _listed(job_id: str, savepoint_dirs: Sequence[str], checkpoint_dirs: Sequence[str],
            looked: list[str]) -> Iterable[Snapshot]:  # fmt: skip
    """The run's savepoints and retained checkpoints on disk under the directories."""
    globs = [(d, f"savepoint-{job_id[:6]}-*/_metadata", "savepoint") for d in savepoint_dirs]
    globs += [(d, f"{job_id}/chk-*/_metadata", "checkpoint") for d in checkpoint_dirs]
    for directory, pattern, kind in globs:
        base = local_path(directory)
        if base is None:
            looked.append(f"{kind}s of {job_id} in {directory}: remote, not listed")
            continue
        metas = sorted(base.glob(pattern)) if base.is_dir() else []
        looked.append(f"{kind}s of {job_id} in {directory}: {len(metas)} with _metadata")
        for meta in metas:
            path = meta.parent.as_uri()
            yield Snapshot(path, kind, f"{kind} of {job_id} in {directory}", meta.stat().st_mtime)


def find_snapshot(
    client: FlinkClient | None,
    job_ids: Sequence[str],
    *,
    known: Sequence[tuple[str, str]] = (),
    savepoint_dirs: Sequence[str] = (),
    checkpoint_dirs: Sequence[str] = (),
) -> SnapshotSearch:
    """The newest snapshot of the runs ``job_ids`` (see the module's docstring).

    ``known``: (path, where it comes from) pairs already known; ``client`` None: the
    cluster is not asked. A checked (local) snapshot beats an unchecked one; among
    checked ones the newest ``_metadata`` wins; among unchecked ones the first found."""
    looked: list[str] = []
    found: list[Snapshot] = []
    for path, source in known:
        snap = _candidate(path, source, looked)
        found += [snap] if snap else []
    for job_id in dict.fromkeys(job_ids):
        snap = _from_flink(client, job_id, looked)
        found += [snap] if snap else []
        found += list(_listed(job_id, savepoint_dirs, checkpoint_dirs, looked))
    checked = [s for s in found if s.checked]
    if checked:
        return SnapshotSearch(max(checked, key=lambda s: s.mtime or 0.0), tuple(looked))
    return SnapshotSearch(found[0] if found else None, tuple(looked))
