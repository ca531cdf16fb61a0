"""Helpers for tests that run the real models."""

from __future__ import annotations

from pathlib import Path

import pytest

from parley.domain.transcript import RecognitionOptions, Transcript
from parley.services.container import Services
from parley.services.transcription import AudioInput


def recognize(services: Services, path: Path, **options: object) -> Transcript:
    record = services.transcription.transcribe(
        AudioInput(path.read_bytes(), path.name),
        RecognitionOptions(**options),  # type: ignore[arg-type]
    )
    assert record.transcript is not None
    return record.transcript


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/models/" in str(item.fspath):
            item.add_marker(pytest.mark.models)
