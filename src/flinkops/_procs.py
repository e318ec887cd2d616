"""Processes on this host by PID, from /proc where it exists (Linux): is one alive,
and when did it start (so a reused PID is not taken for the process it was)."""

from __future__ import annotations

import os

__all__ = ["pid_alive", "process_start"]


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
