"""The git commit and author of the files a spec comes from (one subprocess seam)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["GitInfo", "git_info"]


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
