"""Real git repositories in a test's temporary directory: ``git`` runs a command with a
fixed author, ``commit`` commits everything."""

from __future__ import annotations

import subprocess
from pathlib import Path

__all__ = ["ANN", "commit", "git"]

ANN = "Ann Apply <ann@example.com>"


def git(cwd: Path, *args: str, author: str = ANN) -> str:
    name, _, email = author.partition(" <")
    done = subprocess.run(
        ["git", "-c", f"user.name={name}", "-c", f"user.email={email.rstrip('>')}", *args],
        cwd=cwd, capture_output=True, text=True, check=False, timeout=30,
    )  # fmt: skip
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def commit(repo: Path, message: str, *, author: str = ANN) -> str:
    """Commit every change in ``repo``; its hash."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, author=author)
    return git(repo, "rev-parse", "HEAD")
