"""Fixtures of the unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from parley.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'db' / 'parley.db'}", tmp_path / "audio")
