"""Fixtures of the version store's tests: a store location on each backend.

Every test taking ``location`` (or ``store``) runs against both backends: an SQLite
file and a schema of the session's real PostgreSQL server (marked ``integration``:
it needs the server binaries, see tests/pgserver.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from flinkops.store import Store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "store.db"


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)],
)
def location(request: pytest.FixtureRequest, db_path: Path) -> str:
    """The store location of one backend: an SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return str(db_path)
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(location: str) -> Iterator[Store]:
    with Store(location) as s:
        yield s


@pytest.fixture
def sqlite_store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as s:
        yield s
