"""flinkops: Terraform for Flink SQL jobs."""

from typing import Any

__all__ = ["__version__"]


def __getattr__(name: str) -> Any:
    """``__version__``, read from the installed metadata on first use: importing
    importlib.metadata costs more than the rest of ``flinkops --help``."""
    if name != "__version__":
        raise AttributeError(f"module 'flinkops' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("flinkops")
    except PackageNotFoundError:  # running from a source tree without install
        found = "0.0.0+unknown"
    globals()["__version__"] = found
    return found
