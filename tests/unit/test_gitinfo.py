"""gitinfo.in_history on real repositories: HEAD and its ancestors are in history, a
commit of a branch not merged or of another clone is missing, a shallow clone cannot
tell, a directory outside git says nothing."""

from __future__ import annotations

from pathlib import Path

from flinkops.gitinfo import Ancestry, in_history
from tests.unit.gitrepo import commit, git


def test_in_history(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "a").write_text("1")
    first = commit(repo, "first")
    (repo / "a").write_text("2")
    second = commit(repo, "second")
    git(repo, "checkout", "-q", "-b", "side", first)
    (repo / "b").write_text("side")
    side = commit(repo, "side")
    git(repo, "checkout", "-q", "main")
    assert in_history(second, repo) is Ancestry.IN_HISTORY  # HEAD itself
    assert in_history(first, repo) is Ancestry.IN_HISTORY
    assert in_history(first + "-dirty", repo) is Ancestry.IN_HISTORY  # its base commit
    assert in_history(side, repo) is Ancestry.MISSING  # a branch not merged
    assert in_history("0" * 40, repo) is Ancestry.MISSING  # no commit of this repository
    assert in_history(second, tmp_path) is None  # not a git checkout

    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    assert in_history(second, shallow) is Ancestry.IN_HISTORY
    assert in_history(first, shallow) is Ancestry.SHALLOW  # older than the clone: unknown
