"""The apply tests' project on the session cluster (a target per test), reused here."""

from tests.integration.apply.conftest import Project, project, restored_from, stateful_sql

__all__ = ["Project", "project", "restored_from", "stateful_sql"]
