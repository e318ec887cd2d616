"""Which tests share a pytest-xdist worker (``make test`` runs ``-n N --dist loadgroup``).

Every worker has its own Flink session cluster. Most tests are spread one by one, but a
module whose fixtures outlive a test (a project of several jobs, the console's own
cluster, the adaptive-scheduler cluster) runs whole on one
worker, in order, so that fixture is set up once. xdist's own ``loadgroup`` reads
``xdist_group`` marks through a node-id suffix that pytest 9 no longer lets it set, so
the groups are decided here by path, and ``pytest_xdist_make_scheduler`` in
``tests/conftest.py`` uses this scheduler.
"""

from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling

#: node-id prefix -> group: every test under the prefix runs on the group's one worker
ONE_WORKER_GROUPS = {
    "tests/integration/test_ops.py::": "ops-jobs",
    "tests/integration/monitor/test_monitor.py::": "monitor-jobs",
    "tests/integration/ui/": "console-cluster",
    "tests/integration/savepoints/test_rescale.py::": "adaptive-cluster",
    "tests/integration/test_projects.py::": "shared-cluster-projects",
    "tests/integration/apply/test_rehearse.py::": "rehearsed-job",
    "tests/integration/apply/test_migrate.py::": "migration-old-cluster",
}


def group_of(nodeid: str) -> str | None:
    """The group ``nodeid`` belongs to, or None for a test spread on its own."""
    return next((g for p, g in ONE_WORKER_GROUPS.items() if nodeid.startswith(p)), None)


class PathGroupScheduling(LoadScopeScheduling):
    """Load scheduling where a scope is one test, or one whole group of ONE_WORKER_GROUPS
    (its tests sent to one worker in collection order)."""

    def _split_scope(self, nodeid: str) -> str:
        return group_of(nodeid) or nodeid
