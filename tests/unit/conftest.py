"""Fixtures of the unit tests. The store's tests run on SQLite (the embedded default) and on
PostgreSQL when `PARLEY_TEST_DATABASE_URL` names one (a fresh database per test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from parley.store import Store
from tests.conftest import postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'parley.db'}"
        return
    with postgres_database() as url:
        yield url


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Iterator[Store]:
    opened = Store(database_url, tmp_path / "audio")
    yield opened
    opened.close()
