"""Process identity for apply locks, the lock row, and the ``Lock`` handle.

A lock row records the holder, its pid, hostname, (on Linux) the process start
time and the CI run it belongs to. On the same host a holder is dead when its
pid does not exist, is a zombie, or now belongs to a process that started at
another time (pid reuse). How a backend decides that a holder on another host
is gone is the backend's (see ``_sqlite.py``, ``_pg.py``).

``FLINKOPS_HOSTNAME`` names this host in lock rows and the journal instead of
the machine's hostname (a container's random name says little);
``FLINKOPS_CI_RUN`` names the CI run, by default the GitHub Actions run URL
(``GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID``), GitLab's
``CI_JOB_URL`` or Jenkins's ``BUILD_URL``.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import socket
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

from flinkops._procs import pid_alive, process_start
from flinkops.errors import LockHeld, StoreError
from flinkops.store._records import LockInfo

if TYPE_CHECKING:
    from flinkops.store._store import Store

__all__ = [
    "HOSTNAME_ENV",
    "Lock",
    "ci_run",
    "default_holder",
    "hostname",
    "lock_held",
    "lock_info",
    "lock_row",
    "pid_alive",
    "process_start",
]

HOSTNAME_ENV = "FLINKOPS_HOSTNAME"


def hostname() -> str:
    """This host's name in lock rows and the journal: ``FLINKOPS_HOSTNAME`` or the machine's."""
    return os.environ.get(HOSTNAME_ENV, "").strip() or socket.gethostname()


def ci_run() -> str | None:
    """The CI run this process belongs to, if any (see the module docstring)."""
    env = os.environ
    if env.get("FLINKOPS_CI_RUN"):
        return env["FLINKOPS_CI_RUN"]
    if env.get("GITHUB_RUN_ID"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        return f"{server}/{env.get('GITHUB_REPOSITORY', '')}/actions/runs/{env['GITHUB_RUN_ID']}"
    return env.get("CI_JOB_URL") or env.get("BUILD_URL") or None


def lock_info(row: Any) -> LockInfo:
    """A ``locks`` row as LockInfo."""
    return LockInfo(
        row["target"], row["holder"], row["pid"], row["hostname"], row["since"], row["ci_run"]
    )


def lock_row(info: LockInfo, pid_start: str | None, token: str) -> tuple[Any, ...]:
    """Values for ``INSERT INTO locks (target, holder, pid, pid_start, hostname, since,
    token, ci_run)``."""
    return (
        info.target,
        info.holder,
        info.pid,
        pid_start,
        info.hostname,
        info.since,
        token,
        info.ci_run,
    )


def lock_held(current: LockInfo, hint: str = "") -> LockHeld:
    """The error for a lock a live holder has: who, where, since when, what to do."""
    error = LockHeld(
        f"target {current.target!r} is locked by another apply: {current.describe()}. "
        f"Wait for it to finish, then run again.{hint}"
    )
    error.holder = current  # type: ignore[attr-defined]  # errors.py declares no store types
    return error


def default_holder() -> str:
    """``user@host pid N`` for this process."""
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry, no USER in a container
        user = "unknown"
    return f"{user}@{hostname()} pid {os.getpid()}"


@dataclass
class Lock:
    """A held apply lock. Release it with ``release()`` or use it as a context manager.

    ``took_over`` is the stale lock (of a dead holder) this one replaced, if any.
    """

    info: LockInfo
    token: str
    took_over: LockInfo | None
    _store: Store = field(repr=False, compare=False)

    @property
    def target(self) -> str:
        return self.info.target

    def release(self) -> bool:
        """Release the lock; False when it was no longer ours (broken or taken over)."""
        return self._store.release_lock(self)

    def __enter__(self) -> Lock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Release the lock. When the block failed, its error is the one raised: a
        release that fails after it (the store that failed it is down, say) does not
        replace it; the database frees a dead session's lock, and a dead holder's lock
        is taken over."""
        if exc is None:
            self.release()
            return
        with contextlib.suppress(StoreError):
            self.release()
