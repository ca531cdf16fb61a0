"""Fixtures of the unit tests. The store's tests run on SQLite (the embedded default) and on
PostgreSQL when `PARLEY_TEST_DATABASE_URL` names one (a fresh database per test)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from parley.store import Store

POSTGRES = os.environ.get("PARLEY_TEST_DATABASE_URL", "")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'parley.db'}"
        return
    if not POSTGRES:
        pytest.skip("PostgreSQL: set PARLEY_TEST_DATABASE_URL (postgresql+psycopg://...)")
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"parley_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Iterator[Store]:
    opened = Store(database_url, tmp_path / "audio")
    yield opened
    opened.close()
