"""Waiting on a condition, never on the clock: ``wait_until(probe, what=...)``."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    probe: Callable[[], T | None],
    *,
    what: str,
    timeout: float = 60.0,
    interval: float = 0.5,
    describe: Callable[[], object] | None = None,
) -> T:
    """Call ``probe`` until it returns something truthy, and return that.

    After ``timeout`` seconds fail with ``what`` (the condition that never came true) and
    what was last seen: ``describe()`` if given, else the probe's last answer.
    """
    deadline = time.monotonic() + timeout
    while True:
        seen = probe()
        if seen:
            return seen
        if time.monotonic() > deadline:
            last = describe() if describe is not None else seen
            raise AssertionError(f"{what}: not within {timeout:g}s; last seen: {last!r}")
        time.sleep(interval)
