"""Reads the ops views can do without: None when Flink answers with an error."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flinkops.errors import FlinkError, FlinkUnreachable

__all__ = ["optional"]

T = TypeVar("T")


def optional(read: Callable[[], T]) -> T | None:
    """``read()``, or None when Flink answers it with an error (FlinkError).

    FlinkUnreachable still raises: a cluster that does not answer is not a missing
    detail, and the caller decides what a down cluster means.
    """
    try:
        return read()
    except FlinkUnreachable:
        raise
    except FlinkError:
        return None
