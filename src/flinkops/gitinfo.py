"""The git commit and author of the files a spec comes from, and the repository a
project lives in (one subprocess seam)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["GitInfo", "git_info", "repository_id"]


@dataclass(frozen=True)
class GitInfo:
    commit: str
    author: str
    dirty: bool

    @property
    def shown_commit(self) -> str:
        return self.commit + ("-dirty" if self.dirty else "")


def _git(cwd: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_info(paths: list[Path]) -> GitInfo | None:
    """The last commit touching ``paths`` (e.g. a revert), its author, and whether the
    working tree differs from it; None outside a git repository."""
    if not paths:
        return None
    cwd = paths[0].parent
    top = _git(cwd, "rev-parse", "--show-toplevel")
    if top is None:
        return None
    rel = [str(p.resolve()) for p in paths]
    line = _git(cwd, "log", "-1", "--format=%H%x00%an <%ae>", "--", *rel)
    if not line:
        head = _git(cwd, "log", "-1", "--format=%H%x00%an <%ae>")
        if not head:
            return None
        line = head
    commit, _, author = line.partition("\x00")
    status = _git(cwd, "status", "--porcelain", "--", *rel)
    return GitInfo(commit=commit, author=author, dirty=bool(status))


def _remote_path(url: str) -> str | None:
    """``git@github.com:acme/jobs.git``, ``https://user@github.com:443/acme/jobs`` and
    ``ssh://git@github.com/acme/jobs.git`` -> ``github.com/acme/jobs``; None for a
    remote that is a local path."""
    url = url.strip()
    scp = re.match(r"^(?:[^@/]+@)?([^:/]+):(?!//)(.+)$", url)
    if "://" in url:
        rest = url.split("://", 1)[1]
        host, _, path = rest.partition("/")
        host = host.rsplit("@", 1)[-1].split(":", 1)[0]
    elif scp:
        host, path = scp.group(1), scp.group(2)
    else:
        return None
    path = path.strip("/").removesuffix(".git").strip("/")
    if not host or not path:
        return None
    return f"{host.lower()}/{path}"


def repository_id(folder: Path) -> str | None:
    """Where ``folder`` sits, the same in every clone of its repository: the ``origin``
    remote without scheme, user, port and ``.git``, then ``folder``'s path inside the
    repository (``github.com/acme/jobs/flink``); None outside a repository or without an
    ``origin`` remote. Characters other than letters, digits, ``. _ / -`` become ``-``."""
    remote = _git(folder, "config", "--get", "remote.origin.url")
    top = _git(folder, "rev-parse", "--show-toplevel")
    base = _remote_path(remote) if remote else None
    if base is None or top is None:
        return None
    inside = folder.resolve().relative_to(Path(top).resolve()).as_posix()
    ident = base if inside == "." else f"{base}/{inside}"
    return re.sub(r"[^A-Za-z0-9._/-]", "-", ident)
