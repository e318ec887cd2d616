"""The flinkops command line. Each module registers its commands on ``main``."""

from flinkops.cli import (  # noqa: F401  (imported to register commands)
    apply,
    lineage,
    local,
    ops,
    plan,
    restore,
    savepoints,
    validate,
)
from flinkops.cli._common import main

__all__ = ["main"]
