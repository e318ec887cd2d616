"""Which version of a job `status` and `show` report, and the newer one beside it. Pure.

The version that counts is the one RUNNING: the live job's identity says it. A newer
version the store recorded (rolled back, failed, or still in progress) is shown
beside it, so ``v2 (v6 rolled back)`` reads "v2 runs; v6 was tried and rolled back".
A rolled-back version is *blocked* while the spec still has its hash: apply does not
try that spec again until it changes (or ``--retry-failed``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flinkops.flink.live import LiveJob
from flinkops.plan.observe import APPLIED_OUTCOMES
from flinkops.spec import JobSpec
from flinkops.store import Outcome, VersionRecord

__all__ = ["VersionSource", "VersionView", "version_view"]


class VersionSource(StrEnum):
    """Where the reported version comes from."""

    CLUSTER = "cluster"  # the identity of the job's active run
    STORE = "store"  # nothing runs: the version flinkops last put in place
    LAST_RUN = "last-run"  # nothing runs and the store knows none: the newest run's identity


@dataclass(frozen=True)
class VersionView:
    version: int | None
    source: VersionSource | None
    newer: VersionRecord | None = None
    blocked: bool = False

    def to_json(self) -> dict[str, Any]:
        """``version``, ``version_source`` and ``newer_version`` of status rows and show."""
        newer = self.newer
        return {
            "version": self.version,
            "version_source": self.source.value if self.source else None,
            "newer_version": {
                "version": newer.version,
                "outcome": newer.outcome,
                "blocked": self.blocked,
                "spec_hash": newer.spec_hash,
                "applied_at": newer.applied_at,
            }
            if newer is not None
            else None,
        }


def version_view(
    run: LiveJob | None, versions: Sequence[VersionRecord], spec: JobSpec | None
) -> VersionView:
    """The version that runs (else the last put in place) and the newest recorded above it.

    ``run`` is the run that speaks for the job (``flinkops.flink.live.newest_run``);
    ``versions`` the store's versions of the job, oldest first.
    """
    placed = [v for v in versions if v.outcome in APPLIED_OUTCOMES]
    if run is not None and run.active and run.version is not None:
        shown, source = run.version, VersionSource.CLUSTER
    elif placed:
        shown, source = placed[-1].version, VersionSource.STORE
    elif run is not None and run.version is not None:
        shown, source = run.version, VersionSource.LAST_RUN
    else:
        return VersionView(None, None)
    above = [v for v in versions if v.version > shown]
    newer = max(above, key=lambda v: v.version) if above else None
    blocked = (
        newer is not None
        and newer.outcome == Outcome.ROLLED_BACK
        and spec is not None
        and spec.spec_hash == newer.spec_hash
    )
    return VersionView(shown, source, newer, blocked)
