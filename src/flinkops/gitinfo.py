"""The git commit and author of the files a spec comes from, whether a commit is in a
checkout's history, and the repository a project lives in (one subprocess seam)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

__all__ = ["Ancestry", "GitInfo", "git_info", "in_history", "repository_id"]


class Ancestry(StrEnum):
    """Whether a checkout's history holds a commit (``in_history``)."""

    IN_HISTORY = "in-history"  # HEAD or an ancestor of it
    MISSING = "missing"  # not an ancestor of HEAD, or no commit of this repository
    SHALLOW = "shallow"  # a shallow clone without it: it may be older than the clone


@dataclass(frozen=True)
class GitInfo:
    commit: str
    author: str
    dirty: bool

    @property
    def shown_commit(self) -> str:
        return self.commit + ("-dirty" if self.dirty else "")


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


def _git(cwd: Path, *args: str) -> str | None:
    done = _run(cwd, *args)
    return done.stdout.strip() if done is not None and done.returncode == 0 else None


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


def in_history(commit: str, cwd: Path) -> Ancestry | None:
    """Whether ``commit`` (a ``-dirty`` suffix ignored: its base commit) is HEAD or an
    ancestor of it in the checkout at ``cwd`` (``git merge-base --is-ancestor``); None
    when ``cwd`` is not a git checkout (or git cannot be run)."""
    base = commit.removesuffix("-dirty")
    if _git(cwd, "rev-parse", "--show-toplevel") is None:
        return None
    done = _run(cwd, "merge-base", "--is-ancestor", base, "HEAD")
    if done is None:
        return None
    if done.returncode in (0, 1):
        return Ancestry.IN_HISTORY if done.returncode == 0 else Ancestry.MISSING
    # not a commit of this repository: a colleague's, unless the clone is shallow
    shallow = _git(cwd, "rev-parse", "--is-shallow-repository") == "true"
    return Ancestry.SHALLOW if shallow else Ancestry.MISSING
