"""Process identity for apply locks, and the ``Lock`` handle.

A lock row records the holder's pid, hostname and (on Linux) the process start
time. On the same host a holder is dead when its pid does not exist, is a
zombie, or now belongs to a process that started at another time (pid reuse).
A holder on another host cannot be checked and is always taken as alive.
"""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING

from flinkops.store._records import LockInfo

if TYPE_CHECKING:
    from flinkops.store._store import Store

__all__ = ["Lock", "default_holder", "hostname", "pid_alive", "process_start"]


def hostname() -> str:
    return socket.gethostname()


def default_holder() -> str:
    """``user@host pid N`` for this process."""
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry, no USER in a container
        user = "unknown"
    return f"{user}@{hostname()} pid {os.getpid()}"


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name, or None if unreadable."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return None
    # The command name is in parentheses and may itself contain spaces or ')'.
    return text[text.rfind(")") + 2 :].split()


def process_start(pid: int) -> str | None:
    """The start time of ``pid`` in clock ticks since boot (Linux), else None."""
    fields = _proc_stat(pid)
    # field 22 of stat is starttime; fields[0] here is field 3 (state)
    return fields[19] if fields and len(fields) > 19 else None


def pid_alive(pid: int, start: str | None = None) -> bool:
    """Whether ``pid`` runs on this host (and, when ``start`` is given, is that process)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    fields = _proc_stat(pid)
    if fields is None:
        return True  # no /proc: existence is all we can tell
    if fields[0] in ("Z", "X"):
        return False
    return not (start is not None and len(fields) > 19 and fields[19] != start)


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
        self.release()
